"""clv_holdout_validation (docs/rules.md, section 11): the BG/NBD predictions checked against a holdout.

Unit tests of python/clv/holdout.py on a handful of purchases, then the CDNOW reproduction
through the project's raw-data path (as tests/python/test_cdnow_reproduction.py):

    dbt build --exclude-resource-type unit_test
      --vars '{raw_data_path: <tmp>/raw, raw_file_format: csv, as_of_date: 1998-06-30,
               clv_holdout_days: 273}'

i.e. calibration to 1997-09-30 and a 39-week holdout to 1998-06-30, the design of Fader,
Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2): 275-284, section 4 and Figure 5 (actual vs
BG/NBD conditional expectations of weeks 40-78 transactions by weeks 1-39 repeat
transactions, 0 to 7+). Figure 5 is a chart: the paper prints no table of its values, so the
checks are against what the paper and its companions do print:

* the cohort: 2,357 customers, 946 of them repeat buyers in the calibration period (Fader &
  Hardie 2013, "The Gamma-Gamma Model of Monetary Value"), so 1,411 in group `0`;
* the calibration fit: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 (FHL 2005, section 4):
  every group's mean prediction must equal the mean of eq. 10 under these published values
  (to the rounding of the published parameters);
* the actual holdout purchases, recounted here straight from the fixture file with pandas, and
  the actual series and group sizes of Figure 5 as tabulated by the BTYD R package vignette
  (1,411 / 439 / 214 / 100 / 62 / 38 / 29 / 64 customers; 0.2367 ... 6.3594 purchases);
* the conditional expectations (eq. 10) against the `lifetimes` package, an established
  implementation, per customer at lifetimes' own fit: its values are stored in
  tests/fixtures/lifetimes (with the script and command that made them; `lifetimes` is not a
  project dependency and no test installs it);
* clv_holdout_calibration (deciles of the predicted probability of no holdout purchase, Brier
  score) recomputed from the likelihood.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cdnow import build_cdnow, read_cdnow
from clv import holdout
from clv.bgnbd import BgNbdParams, conditional_expected_purchases, fit_bgnbd, log_likelihood_bgnbd
from dbt_project import DbtBuild

AS_OF = "1998-06-30"
HOLDOUT_DAYS = 273  # 1997-09-30 to 1998-06-30: 39 weeks
PUBLISHED = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
GROUPS = ["0", "1", "2", "3", "4", "5", "6", "7+"]


def purchase_days(rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "purchase_date"])
    frame["purchase_date"] = pd.to_datetime(frame["purchase_date"])
    frame["purchase_revenue"] = 10.0
    return frame


def test_holdout_counts_the_days_after_the_calibration_end_up_to_the_as_of_date():
    # as of 2024-01-31, 10 holdout days: calibration to 2024-01-21
    days = purchase_days([
        ("A", "2024-01-01"), ("A", "2024-01-21"),  # calibration end day is calibration: x = 1
        ("A", "2024-01-22"), ("A", "2024-01-31"),  # first holdout day and the as-of date
        ("A", "2024-02-01"),                       # after the as-of date: not counted
        ("B", "2024-01-05"),
        ("C", "2024-01-25"),                       # first purchase in the holdout: not covered
    ])
    customers, fit = holdout.customer_holdout(days, "2024-01-31", 10)
    by_id = customers.set_index("customer_id")
    assert sorted(by_id.index) == ["A", "B"]
    assert (by_id.loc["A", "x"], by_id.loc["A", "actual"]) == (1, 2)
    assert (by_id.loc["B", "x"], by_id.loc["B", "actual"]) == (0, 0)
    assert fit.status != "fitted" or customers["predicted"].notna().all()


def test_groups_end_in_seven_plus_and_all_adds_them_up():
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"], "x": [0, 0, 7, 12],
        "actual": [0.0, 1.0, 3.0, 5.0], "predicted": [0.5, 0.5, 4.0, 4.0],
    })
    table = holdout.holdout_table(customers, pd.Timestamp("2024-01-21"), 14, "fitted").set_index(
        "calibration_repeat_purchases")
    assert list(table.index) == ["0", "7+", "all"]
    assert table.loc["0", "customers"] == 2 and table.loc["7+", "customers"] == 2
    assert table.loc["7+", "actual_holdout_purchases"] == 4.0
    assert table.loc["all", "predicted_holdout_purchases"] == 2.25
    assert table.loc["all", "mean_absolute_error"] == pytest.approx((0.5 + 0.5 + 1.0 + 1.0) / 4)
    assert table.loc["all", "holdout_weeks"] == 2.0


def test_no_holdout_gives_an_empty_table_with_the_columns():
    backtested = holdout.backtest(purchase_days([("A", "2024-01-01")]), "2024-01-31", 0)
    assert backtested.empty
    table = holdout.holdout_validation(backtested)
    assert table.empty and list(table.columns) == list(holdout.COLUMNS)
    assert list(holdout.holdout_calibration(backtested).columns) == list(holdout.CALIBRATION_COLUMNS)


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> DbtBuild:
    return build_cdnow(tmp_path_factory.mktemp("cdnow_holdout"), as_of_date=AS_OF, clv_holdout_days=HOLDOUT_DAYS)


@pytest.fixture(scope="module")
def table(build: DbtBuild) -> pd.DataFrame:
    columns = ["calibration_repeat_purchases", "customers", "actual_holdout_purchases",
               "predicted_holdout_purchases", "mean_absolute_error", "calibration_end_date", "holdout_weeks",
               "fit_status"]
    rows = build.query(f"select {', '.join(columns)} from clv_holdout_validation")
    return pd.DataFrame(rows, columns=columns).set_index("calibration_repeat_purchases")


@pytest.fixture(scope="module")
def customers(build: DbtBuild) -> pd.DataFrame:
    """Per customer, from the purchase days the dbt build counted (x, t_x, T, actual, predicted)."""
    rows = build.query(
        "select customer_id, purchase_date, purchase_revenue from intermediate.int_customers_purchased_by_day"
    )
    days = pd.DataFrame(rows, columns=["customer_id", "purchase_date", "purchase_revenue"])
    frame, fit = holdout.customer_holdout(days, AS_OF, HOLDOUT_DAYS, min_repeat_buyers=200)
    assert fit.status == "fitted"
    return frame


def test_cdnow_cohort_and_design_are_the_papers(table):
    assert list(table.index) == [*GROUPS, "all"]
    assert table.loc["all", "customers"] == 2357
    assert table.loc["0", "customers"] == 2357 - 946
    assert str(table.loc["all", "calibration_end_date"]) == "1997-09-30"
    assert table.loc["all", "holdout_weeks"] == 39.0
    assert (table["fit_status"] == "fitted").all()


def test_cdnow_actual_holdout_purchases_recounted_from_the_fixture(table):
    lines = read_cdnow()
    days = lines[["sample_id", "purchase_date"]].drop_duplicates()
    calibration_end, as_of = np.datetime64("1997-09-30"), np.datetime64(AS_OF)
    dates = days["purchase_date"].to_numpy(dtype="datetime64[D]")
    calibration = days[dates <= calibration_end].groupby("sample_id").size() - 1
    holdout_days = days[(dates > calibration_end) & (dates <= as_of)].groupby("sample_id").size()
    per_customer = pd.DataFrame({"x": calibration, "actual": holdout_days.reindex(calibration.index).fillna(0)})
    per_customer["group"] = np.where(per_customer["x"] >= 7, "7+", per_customer["x"].astype(str))
    expected = per_customer.groupby("group")["actual"].agg(["size", "mean"])
    for group in GROUPS:
        assert table.loc[group, "customers"] == expected.loc[group, "size"]
        assert table.loc[group, "actual_holdout_purchases"] == pytest.approx(expected.loc[group, "mean"], abs=1e-12)
    assert table.loc["all", "actual_holdout_purchases"] == pytest.approx(per_customer["actual"].mean(), abs=1e-12)


def test_cdnow_predictions_are_the_published_fits(table, customers):
    x, t_x, T = (customers[name].to_numpy(dtype=float) for name in ("x", "t_x", "T"))
    customers = customers.assign(
        published=conditional_expected_purchases(PUBLISHED, HOLDOUT_DAYS / 7, x, t_x, T),
        group=holdout.group_label(customers["x"]),
    )
    means = customers.groupby("group")[["predicted", "published"]].mean()
    for group in GROUPS:
        # the table is the per-customer refit of this test, group by group
        assert table.loc[group, "predicted_holdout_purchases"] == pytest.approx(means.loc[group, "predicted"], abs=1e-9)
        # and the refit is the published one, up to the published parameters' 3 decimals
        assert table.loc[group, "predicted_holdout_purchases"] == pytest.approx(
            means.loc[group, "published"], rel=2e-3)
    # Figure 5's shape: the expectation rises with the calibration purchases
    assert table.loc[GROUPS, "predicted_holdout_purchases"].is_monotonic_increasing


def test_cdnow_actual_series_is_the_published_one(table):
    """The actual series of FHL 2005 Figure 5 and its group sizes, as tabulated for the same
    CDNOW sample (calibration weeks 1-39, holdout weeks 40-78, censored at 7) by the BTYD R
    package vignette (Dziurzynski, Wadsworth & McCarthy, "BTYD: Implementing Buy 'Til You Die
    Models", conditional expectations table: transaction.actual and bin.size)."""
    published_sizes = [1411, 439, 214, 100, 62, 38, 29, 64]
    published_actual = [0.2367116, 0.6970387, 1.392523, 1.560000, 2.532258, 2.947368, 3.862069, 6.359375]
    assert list(table.loc[GROUPS, "customers"]) == published_sizes
    assert np.allclose(table.loc[GROUPS, "actual_holdout_purchases"].to_numpy(dtype=float), published_actual,
                       rtol=0, atol=1e-6)


LIFETIMES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "lifetimes"


def test_cdnow_conditional_expectations_agree_with_lifetimes(customers):
    """lifetimes' conditional_expected_number_of_purchases_up_to_time over the 39 holdout weeks,
    per customer, at lifetimes' own fit of the same summary (tests/fixtures/lifetimes, made by
    make_reference.py there): the project's eq. 10 at those parameters, and the project's fit."""
    fits = json.loads((LIFETIMES / "cdnow_fits.json").read_text())
    theirs = pd.read_csv(LIFETIMES / "cdnow_holdout_expected.csv", dtype={"customer_id": str})
    ours = customers.merge(theirs, on="customer_id", validate="1:1", suffixes=("", "_lifetimes"))
    assert len(ours) == len(customers) == 2357
    assert (ours["x"] == ours["x_lifetimes"]).all()
    np.testing.assert_allclose(ours["T"], ours["T_lifetimes"], rtol=1e-14)
    at_their_fit = conditional_expected_purchases(
        BgNbdParams(**fits["bg_nbd"]["params"]), HOLDOUT_DAYS / 7, ours["x"], ours["t_x_lifetimes"],
        ours["T_lifetimes"])
    assert np.max(np.abs(at_their_fit - ours["expected_holdout_purchases"])) < 1e-9
    # the two optimisers stop at the same maximum, up to their tolerances
    assert np.max(np.abs(ours["predicted"] - ours["expected_holdout_purchases"])) < 1e-5


@pytest.fixture(scope="module")
def calibration(build: DbtBuild) -> pd.DataFrame:
    columns = ["p_no_purchase_decile", "customers", "predicted_p_no_purchase", "actual_share_no_purchase",
               "brier_score", "calibration_end_date", "holdout_weeks", "fit_status"]
    rows = build.query(f"select {', '.join(columns)} from clv_holdout_calibration")
    return pd.DataFrame(rows, columns=columns).set_index("p_no_purchase_decile")


def test_cdnow_calibration_table_recomputed_from_the_likelihood(calibration, customers):
    """The deciles again, with the probability of no purchase in the holdout written as the ratio of
    two BG/NBD likelihoods (the history extended by 39 silent weeks over the history), and the
    outcome recounted: same groups, same means, same Brier score."""
    x, t_x, T = (customers[name].to_numpy(dtype=float) for name in ("x", "t_x", "T"))
    fit = fit_bgnbd(x, t_x, T)
    params = BgNbdParams.from_fit(fit)
    weeks = HOLDOUT_DAYS / 7
    no_purchase = np.exp(log_likelihood_bgnbd(params, x, t_x, T + weeks) - log_likelihood_bgnbd(params, x, t_x, T))
    frame = pd.DataFrame({"customer_id": customers["customer_id"], "p": no_purchase,
                          "outcome": (customers["actual"] == 0).astype(float)})
    frame = frame.sort_values(["p", "customer_id"]).reset_index(drop=True)
    size, extra = divmod(len(frame), 10)
    frame["decile"] = np.repeat(np.arange(1, 11), [size + (i < extra) for i in range(10)]).astype(str)
    frame["squared"] = (frame["p"] - frame["outcome"]) ** 2
    expected = frame.groupby("decile").agg(customers=("p", "size"), p=("p", "mean"), share=("outcome", "mean"),
                                           brier=("squared", "mean"))
    assert list(calibration.index) == [*map(str, range(1, 11)), "all"]
    for decile, row in expected.iterrows():
        assert calibration.loc[decile, "customers"] == row["customers"]
        assert calibration.loc[decile, "predicted_p_no_purchase"] == pytest.approx(row["p"], abs=1e-9)
        assert calibration.loc[decile, "actual_share_no_purchase"] == pytest.approx(row["share"], abs=1e-12)
        assert calibration.loc[decile, "brier_score"] == pytest.approx(row["brier"], abs=1e-9)
    assert calibration.loc["all", "customers"] == 2357
    assert calibration.loc["all", "brier_score"] == pytest.approx(frame["squared"].mean(), abs=1e-9)
    assert calibration.loc["all", "actual_share_no_purchase"] == pytest.approx(frame["outcome"].mean(), abs=1e-12)
    # the predictions rise decile by decile (they are sorted), and the worst possible is far away
    assert calibration.loc[list(map(str, range(1, 11))), "predicted_p_no_purchase"].is_monotonic_increasing
    assert calibration.loc["all", "brier_score"] < 0.25
    print("\n" + calibration.drop(columns=["calibration_end_date", "fit_status"]).to_string())
