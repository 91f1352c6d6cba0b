"""The published CDNOW estimates, through this project's own raw-data path (docs/rules.md section 6).

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


def test_standard_errors_in_clv_model_params_are_lifetimes(build):
    """The standard errors lifetimes publishes on CDNOW, to 2 significant digits."""
    published = {"r": 0.012557, "alpha": 0.378221, "a": 0.185719, "b": 0.705345,
                 "p": 1.189687, "q": 0.290166, "gamma": 4.159994}
    columns = ", ".join(f"max(se_{name})" for name in published)
    (row,) = build.query(f"select {columns} from clv_model_params")
    for (name, value), ours in zip(published.items(), row, strict=True):
        assert float(f"{ours:.1e}") == float(f"{value:.1e}"), name


def test_top_customers_next_order_and_interval_against_independent_computations(build):
    """customer_value's top customers: the order probabilities as a ratio of two likelihoods
    (FHL 2005 eq. 6 written out here), the next order date by bisection, and the interval by
    evaluating the package's point prediction under every one of the 1,000 draws."""
    import json

    import numpy as np
    from clv import intervals
    from clv.gamma_gamma import GammaGammaParams, conditional_expected_spend
    from clv.value import discounted_expected_purchases
    from scipy.special import betaln, gammaln

    ((bg, bg_cov, gg, gg_cov),) = build.query("""
        select
            list_value(max(r), max(alpha), max(a), max(b)),
            max(log_parameter_covariance) filter (where model_name = 'bg_nbd'),
            list_value(max(p), max(q), max(gamma)),
            max(log_parameter_covariance) filter (where model_name = 'gamma_gamma')
        from clv_model_params
    """)
    purchase, spend = BgNbdParams(*bg), GammaGammaParams(*gg)
    # the six least likely to order within 30 days and the six most valuable
    rows = build.query("""
        with top as (
            select
            c.customer_id, l.repeat_purchases, l.weeks_to_last_purchase, l.weeks_observed,
            s.average_repeat_purchase_revenue, l.gross_margin_rate, l.cost_to_serve_per_order,
            c.p_order_within_30d, c.p_order_within_90d, c.p_order_within_365d, c.expected_next_order_date,
            c.predicted_clv, c.predicted_clv_low, c.predicted_clv_high, s.cost_to_serve_per_purchase
        from customer_value as c
        inner join customer_lifetime_value as l on c.customer_id = l.customer_id
        inner join intermediate.int_customers_summarised as s on c.customer_id = s.customer_id
            where c.value_tier = 'top'
        )
        (select * from top order by p_order_within_30d asc, customer_id limit 6)
        union all
        (select * from top order by predicted_clv desc, customer_id limit 6)
    """)
    assert len(rows) == 12

    def log_likelihood(x, t_x, T):
        r, alpha, a, b = bg
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        first = betaln(a, b + x) - betaln(a, b) + common - (r + x) * np.log(alpha + T)
        if x == 0:
            return first
        second = betaln(a + 1, b + x - 1) - betaln(a, b) + common - (r + x) * np.log(alpha + t_x)
        return np.logaddexp(first, second)

    def within(t, x, t_x, T):
        return 1.0 - np.exp(log_likelihood(x, t_x, T + t) - log_likelihood(x, t_x, T))

    as_of = np.datetime64(CALIBRATION_END)
    draws_bg, draws_gg = intervals.parameter_draws(purchase, json.loads(bg_cov), spend, json.loads(gg_cov))
    for (customer, x, t_x, T, m, rate, _, p30, p90, p365, next_order, clv, low, high, cost) in rows:
        for days, published in ((30, p30), (90, p90), (365, p365)):
            assert published == pytest.approx(within(days / 7, x, t_x, T), abs=1e-9), customer
        if next_order is None:
            assert within(1e9, x, t_x, T) <= 0.5 + 1e-9, customer
        else:
            days = int((np.datetime64(next_order) - as_of) / np.timedelta64(1, "D"))
            assert within(days / 7, x, t_x, T) >= 0.5 > within((days - 1) / 7, x, t_x, T), customer
        m = float(m) if m is not None else float("nan")
        values = np.array([
            float(discounted_expected_purchases(BgNbdParams(*pb), [x], [t_x], [T], 12, 0.10)[2][0])
            * (float(conditional_expected_spend(GammaGammaParams(*pg), [x], [m])[0]) * rate - float(cost))
            for pb, pg in zip(draws_bg, draws_gg, strict=True)
        ])
        exact_low, exact_high = np.percentile(values, [5, 95])
        tolerance = 0.03 * (exact_high - exact_low) + 0.006  # the expansion, and rounding to cents
        assert float(low) == pytest.approx(exact_low, abs=tolerance), customer
        assert float(high) == pytest.approx(exact_high, abs=tolerance), customer
        assert float(low) <= float(clv) <= float(high), customer


def test_every_line_is_accounted_for(build):
    """Every line of the file is an order line, staged (the file has no bad line): revenue is the
    file's dollar total, recounted from the file itself."""
    lines = read_cdnow()
    staged = build.query("select count(*), sum(quantity * unit_price) from staging.stg_shop__order_items")[0]
    assert staged[0] == len(lines)
    assert float(staged[1]) == pytest.approx(lines["amount"].sum(), abs=0.005)
    assert build.query("select count(*) from rejected_rows") == [(0,)]
    assert build.query("select count(*) from staging.stg_shop__customers") == [(lines["sample_id"].nunique(),)]
