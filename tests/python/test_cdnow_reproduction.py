"""The published CDNOW estimates, through this project's own raw-data path (spec section 6).

What it runs: the CDNOW sample fixture (tests/fixtures/cdnow/SOURCE.md) as it is, one line per
transaction, through the line layout (tests/python/cdnow.py has the mapping):

    dbt build --exclude-resource-type unit_test
      --vars '{raw_layout: lines, raw_data_path: .../CDNOW_sample.txt, raw_csv_delimiter: " ",
               raw_date_format: "%Y%m%d", raw_line_columns: {customer_id: 2, ordered_at: 3,
               unit_price: 5}, unit_cost_ratio: 0, as_of_date: 1997-09-30}'

on a private DuckDB file (tests/python/dbt_project.py), i.e. the line loader, staging, facts,
the purchase summary in SQL and the Python fitting models, with every data test. (Unit tests are for the demo
seeds; they are excluded whenever raw_data_path is set, as in test_raw_data_path.py.)

Then it checks clv_model_params against the published estimates (Fader, Hardie & Lee 2005;
Fader & Hardie 2013) to their published precision, and the literature's example customer
(sample id 0001: x = 2, t_x = 30.43, T = 38.86) in customer_lifetime_value.
"""

from __future__ import annotations

import pytest
from cdnow import CALIBRATION_END, read_cdnow
from cdnow import build_cdnow as build_cdnow_lines
from clv.bgnbd import BgNbdParams, conditional_expected_purchases
from dbt_project import DbtBuild


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> DbtBuild:
    return build_cdnow_lines(tmp_path_factory.mktemp("cdnow"), as_of_date=CALIBRATION_END)


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


def test_every_line_is_accounted_for(build):
    """Every line of the file is an order line, staged (the file has no bad line): revenue is the
    file's dollar total, recounted from the file itself."""
    lines = read_cdnow()
    staged = build.query("select count(*), sum(quantity * unit_price) from staging.stg_shop__order_items")[0]
    assert staged[0] == len(lines)
    assert float(staged[1]) == pytest.approx(lines["amount"].sum(), abs=0.005)
    assert build.query("select count(*) from rejected_rows") == [(0,)]
    assert build.query("select count(*) from staging.stg_shop__customers") == [(lines["sample_id"].nunique(),)]
