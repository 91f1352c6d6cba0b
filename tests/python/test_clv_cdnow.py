"""Correctness against the published results on the CDNOW sample (tests/fixtures/cdnow/SOURCE.md),
with the fixture read directly (the dbt path is tests/python/test_cdnow_reproduction.py).

Published: BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, log-likelihood -9582.4
(Fader, Hardie & Lee 2005); Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44 on the 946 repeat
buyers (Fader & Hardie 2013); the customer with x = 2, t_x = 30.43, T = 38.86 expects 1.226
purchases in the next 39 weeks and is alive with probability 0.727 (FHL 2005, 2008).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cdnow import CALIBRATION_END, CDNOW_FILE, read_cdnow
from clv.bgnbd import BgNbdParams, conditional_expected_purchases, fit_bgnbd, probability_alive
from clv.data import summarise_purchases
from clv.gamma_gamma import fit_gamma_gamma

FIXTURES = CDNOW_FILE.parent


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    lines = read_cdnow(FIXTURES / "CDNOW_sample.txt")
    return summarise_purchases(
        lines["sample_id"].to_numpy(), lines["purchase_date"].to_numpy(), lines["amount"].to_numpy(),
        CALIBRATION_END,
    )


def test_summary_is_the_literature_input(summary):
    published = pd.read_csv(FIXTURES / "cdnow_customers_summary.csv")
    ours = summary.assign(ID=summary["customer_id"].astype(int)).merge(published, on="ID", validate="1:1")
    assert len(ours) == len(published) == 2357
    assert (ours["x"] == ours["frequency"]).all()
    np.testing.assert_allclose(ours["t_x"], ours["recency"], atol=0.005)
    np.testing.assert_allclose(ours["T_x"], ours["T_y"], atol=0.005)


def test_bgnbd_reproduces_the_published_estimates(summary):
    fit = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    assert fit.converged and fit.customers == 2357
    estimates = {name: round(value, 3) for name, value in fit.params.items()}
    assert estimates == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(fit.log_likelihood, 1) == -9582.4


def test_gamma_gamma_reproduces_the_published_estimates(summary):
    repeat = summary[summary["x"] > 0]
    fit = fit_gamma_gamma(repeat["x"], repeat["monetary_value"])
    assert fit.converged and fit.customers == 946
    assert {name: round(value, 2) for name, value in fit.params.items()} == {"p": 6.25, "q": 3.74, "gamma": 15.44}


def test_the_papers_example_customer(summary):
    params = BgNbdParams.from_fit(fit_bgnbd(summary["x"], summary["t_x"], summary["T"]))
    assert round(float(conditional_expected_purchases(params, 39, 2, 30.43, 38.86)), 3) == 1.226
    assert round(float(probability_alive(params, 2, 30.43, 38.86)), 3) == 0.727
    # the same customer in the data is sample id 0001
    first = summary.set_index("customer_id").loc["0001"]
    assert (first["x"], round(first["t_x"], 2), round(first["T"], 2)) == (2, 30.43, 38.86)
