"""The published CDNOW estimates, through this project's own raw-data path (spec section 6).

What it runs: `scripts/cdnow_to_raw.py` converts the CDNOW sample fixture
(tests/fixtures/cdnow/SOURCE.md) to the raw input contract as CSV files, then

    dbt build --exclude-resource-type unit_test
      --vars '{raw_data_path: <tmp>/raw, raw_file_format: csv, as_of_date: 1997-09-30}'

on a private DuckDB file (tests/python/dbt_project.py), i.e. staging, facts, the purchase
summary in SQL and the Python fitting models, with every data test. (Unit tests are for the demo
seeds; they are excluded whenever raw_data_path is set, as in test_raw_data_path.py.)

Then it checks clv_model_params against the published estimates (Fader, Hardie & Lee 2005;
Fader & Hardie 2013) to their published precision, and the literature's example customer
(sample id 0001: x = 2, t_x = 30.43, T = 38.86) in customer_lifetime_value.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from clv.bgnbd import BgNbdParams, conditional_expected_purchases
from dbt_project import DbtBuild, build_on_raw_csv

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import cdnow_to_raw  # noqa: E402


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> DbtBuild:
    return build_on_raw_csv(
        tmp_path_factory.mktemp("cdnow"), cdnow_to_raw.write_raw, as_of_date=cdnow_to_raw.CALIBRATION_END
    )


def params(build: DbtBuild, model_name: str) -> dict:
    columns = ["status", "is_converged", "r", "alpha", "a", "b", "p", "q", "gamma", "log_likelihood",
               "customers", "repeat_buyers", "as_of_date"]
    rows = build.query(f"select {', '.join(columns)} from clv_model_params where model_name = '{model_name}'")
    assert len(rows) == 1
    return dict(zip(columns, rows[0], strict=True))


def test_bgnbd_estimates_are_the_published_ones(build):
    fit = params(build, "bg_nbd")
    assert fit["status"] == "fitted" and fit["is_converged"]
    assert (fit["customers"], fit["repeat_buyers"], str(fit["as_of_date"])) == (2357, 946, "1997-09-30")
    assert {name: round(fit[name], 3) for name in ("r", "alpha", "a", "b")} == {
        "r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426,
    }
    assert round(fit["log_likelihood"], 1) == -9582.4


def test_gamma_gamma_estimates_are_the_published_ones(build):
    fit = params(build, "gamma_gamma")
    assert fit["status"] == "fitted" and fit["customers"] == 946
    assert {name: round(fit[name], 2) for name in ("p", "q", "gamma")} == {"p": 6.25, "q": 3.74, "gamma": 15.44}


def test_the_papers_example_customer(build):
    row = build.query(
        "select repeat_purchases, round(weeks_to_last_purchase, 2), round(weeks_observed, 2), p_alive"
        " from customer_lifetime_value where customer_id = '0001'"
    )[0]
    assert row[:3] == (2, 30.43, 38.86)
    assert round(row[3], 3) == 0.727
    fit = params(build, "bg_nbd")
    published = BgNbdParams(fit["r"], fit["alpha"], fit["a"], fit["b"])
    assert round(float(conditional_expected_purchases(published, 39, 2, 30.43, 38.86)), 3) == 1.226


def test_every_customer_gets_a_prediction(build):
    statuses = build.query("select prediction_status, count(*) from customer_lifetime_value group by all")
    assert statuses == [("predicted", 2357)]
