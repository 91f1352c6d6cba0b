"""Churn, next order and the CLV interval (python/clv: bgnbd.probability_purchase_within,
bgnbd.weeks_to_next_purchase, fitting.log_parameter_covariance, intervals.clv_interval).

Independent checks:

* P(no purchase in the next t weeks) is the ratio of two BG/NBD likelihoods, L(x, t_x, T + t) /
  L(x, t_x, T) (the history extended by t silent weeks), computed here with the likelihood of
  FHL 2005 eq. 6 written out again with scipy (not the package's own likelihood);
* the expected next order time solves P(purchase within t*) = 1/2, found by bisection;
* the standard errors on CDNOW against lifetimes 0.11.3 (tests/fixtures/lifetimes/cdnow_fits.json,
  made by tests/fixtures/lifetimes/make_reference.py; lifetimes is never installed by a test)
  and against the values lifetimes publishes on CDNOW;
* the interval against the exact evaluation under every draw, and against np.percentile;
* coverage of the true parameters by the 90% intervals on 50 simulated data sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cdnow import CALIBRATION_END, read_cdnow
from clv import intervals, pipeline
from clv.bgnbd import (
    BgNbdParams,
    fit_bgnbd,
    probability_alive,
    probability_purchase_within,
    weeks_to_next_purchase,
)
from clv.data import summarise_purchases
from clv.gamma_gamma import GammaGammaParams, conditional_expected_spend, fit_gamma_gamma
from clv.value import discounted_expected_purchases
from clv_samples import simulate_customers
from scipy.special import betaln, gammaln

ROOT = Path(__file__).resolve().parents[2]

CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_SPEND = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
LIFETIMES = json.loads((ROOT / "tests" / "fixtures" / "lifetimes" / "cdnow_fits.json").read_text())
# standard errors lifetimes publishes on CDNOW (BetaGeoFitter, GammaGammaFitter)
PUBLISHED_SE = {"r": 0.012557, "alpha": 0.378221, "a": 0.185719, "b": 0.705345,
                "p": 1.189687, "q": 0.290166, "gamma": 4.159994}


def likelihood(params: BgNbdParams, x: float, t_x: float, T: float) -> float:
    """FHL 2005 eq. 6, literally (fine for moderate x)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    common = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha))
    first = np.exp(betaln(a, b + x) - betaln(a, b)) * common / (alpha + T) ** (r + x)
    second = 0.0
    if x > 0:
        second = np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * common / (alpha + t_x) ** (r + x)
    return first + second


def no_purchase_by_likelihood(params, t, x, t_x, T) -> float:
    return likelihood(params, x, t_x, T + t) / likelihood(params, x, t_x, T)


def significant(value: float, digits: int = 2) -> float:
    return float(f"{value:.{digits - 1}e}")


# --- formulas at their edges -------------------------------------------------------------------


@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 38.86), (0, 0.0, 0.5), (1, 1.71, 38.86), (2, 30.43, 38.86),
                                       (7, 10.0, 70.0), (15, 70.0, 71.0)])
@pytest.mark.parametrize("t", [30 / 7, 90 / 7, 365 / 7])
def test_order_probability_is_one_minus_the_likelihood_ratio(x, t_x, T, t):
    ours = float(probability_purchase_within(CDNOW, t, x, t_x, T))
    assert ours == pytest.approx(1.0 - no_purchase_by_likelihood(CDNOW, t, x, t_x, T), rel=1e-10, abs=1e-12)


def test_no_repeat_purchase_is_exact_and_not_the_shortcut_value():
    # x = 0, T = 38.86, t = 52: the model says P(no purchase) = ((alpha+T)/(alpha+T+t))^r = 0.826
    # (a formula that keeps 1 - PA for x = 0 would say otherwise)
    no_purchase = 1.0 - float(probability_purchase_within(CDNOW, 52.0, 0, 0.0, 38.86))
    assert no_purchase == pytest.approx(0.826, abs=6e-4)  # 0.8255 at the rounded published estimates
    assert no_purchase == pytest.approx(((CDNOW.alpha + 38.86) / (CDNOW.alpha + 38.86 + 52.0)) ** CDNOW.r, rel=1e-14)
    assert float(probability_alive(CDNOW, 0, 0.0, 38.86)) == 1.0


def test_order_probability_at_t_zero_is_zero_and_tends_to_p_alive():
    x, t_x, T = np.array([0, 2, 9]), np.array([0.0, 30.43, 20.0]), np.array([38.86, 38.86, 60.0])
    assert np.all(probability_purchase_within(CDNOW, 0.0, x, t_x, T) == 0.0)
    far = probability_purchase_within(CDNOW, 1e12, x, t_x, T)
    np.testing.assert_allclose(far, probability_alive(CDNOW, x, t_x, T), rtol=1e-2)
    assert np.all(np.diff(probability_purchase_within(CDNOW, np.array([1.0, 4.0, 13.0, 52.0]), 2, 30.43, 38.86)) > 0)


def test_very_long_observation_stays_finite():
    # silence for decades after many purchases: P(alive) tends to 0 without overflow
    x, t_x, T = np.array([0.0, 50.0, 50.0]), np.array([0.0, 10.0, 1e5]), np.array([1e5, 1e5, 1e5])
    within = probability_purchase_within(CDNOW, 52.0, x, t_x, T)
    assert np.all(np.isfinite(within)) and np.all((within >= 0) & (within <= 1))
    assert within[1] < 1e-100  # gone
    assert within[0] == pytest.approx(1.0 - ((CDNOW.alpha + 1e5) / (CDNOW.alpha + 1e5 + 52.0)) ** CDNOW.r, rel=1e-9)
    weeks = weeks_to_next_purchase(CDNOW, x, t_x, T)
    assert np.isnan(weeks[1]) and np.isfinite(weeks[0]) and np.isfinite(weeks[2])


def bisect_half(params, x, t_x, T) -> float:
    low, high = 0.0, 1.0
    while float(probability_purchase_within(params, high, x, t_x, T)) < 0.5:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if float(probability_purchase_within(params, middle, x, t_x, T)) < 0.5:
            low = middle
        else:
            high = middle
    return high


@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 38.86), (0, 0.0, 0.0), (2, 30.43, 38.86), (20, 60.0, 61.0)])
def test_next_purchase_time_is_where_an_order_becomes_as_likely_as_not(x, t_x, T):
    weeks = float(weeks_to_next_purchase(CDNOW, x, t_x, T))
    assert weeks == pytest.approx(bisect_half(CDNOW, x, t_x, T), rel=1e-9)
    assert float(probability_purchase_within(CDNOW, weeks, x, t_x, T)) == pytest.approx(0.5, abs=1e-12)


def test_next_purchase_time_at_x_zero_and_t_zero_is_exact():
    # PA = 1: t* = (alpha + T) (2^(1/r) - 1); a brand-new customer (T = 0) has t* = alpha (2^(1/r) - 1)
    assert float(weeks_to_next_purchase(CDNOW, 0, 0.0, 0.0)) == pytest.approx(CDNOW.alpha * (2 ** (1 / CDNOW.r) - 1),
                                                                             rel=1e-13)


def test_no_next_purchase_date_unless_p_alive_is_above_one_half():
    # choose T so that P(alive) is exactly 0.5 for x = 1, t_x = 1: a / b * ((alpha+T)/(alpha+t_x))^(r+1) = 1
    params = BgNbdParams(r=0.5, alpha=2.0, a=1.0, b=2.0)
    T = (params.alpha + 1.0) * 2.0 ** (1 / 1.5) - params.alpha
    assert float(probability_alive(params, 1, 1.0, T)) == pytest.approx(0.5, abs=1e-14)
    weeks = weeks_to_next_purchase(params, [1, 1, 1], [1.0, 1.0, 1.0], [T * (1 - 1e-9), T * 1.000001, T + 10.0])
    assert np.isfinite(weeks[0]) and weeks[0] > 1e3  # just above one half: far away, still finite
    assert np.isnan(weeks[1]) and np.isnan(weeks[2])


def test_pipeline_days_and_dates():
    summary = pd.DataFrame({
        "customer_id": ["new", "regular", "gone", "none"],
        "repeat_purchases": [0, 5, 5, None], "weeks_to_last_purchase": [0.0, 50.0, 1.0, None],
        "weeks_observed": [1.0, 51.0, 51.0, None], "average_repeat_purchase_revenue": [None, 20.0, 20.0, None],
        "gross_margin_rate": [0.4, 0.4, 0.4, None], "cost_to_serve_per_purchase": [1.0, 1.0, 1.0, None],
    })
    out = pipeline.predict_customers(summary, CDNOW, CDNOW_SPEND, pipeline.Settings()).set_index("customer_id")
    weeks = weeks_to_next_purchase(CDNOW, [0, 5, 5], [0.0, 50.0, 1.0], [1.0, 51.0, 51.0])
    assert out.loc["new", "days_to_next_order"] == np.ceil(weeks[0] * 7)
    assert out.loc["regular", "days_to_next_order"] == np.ceil(weeks[1] * 7)
    assert np.isnan(out.loc["gone", "days_to_next_order"]) and np.isnan(out.loc["none", "p_order_within_30d"])
    assert out.loc["regular", "churn_probability"] == 1.0 - out.loc["regular", "p_alive"]
    assert out.loc["new", "churn_probability"] == 0.0
    dates = pipeline.next_order_dates("2024-01-31", out["days_to_next_order"])
    assert str(dates.iloc[1]) == str((pd.Timestamp("2024-01-31") + pd.Timedelta(days=weeks[1] * 7)).ceil("D").date())
    assert dates.iloc[2] is None


# --- standard errors -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    lines = read_cdnow()
    return summarise_purchases(lines["sample_id"].to_numpy(), lines["purchase_date"].to_numpy(),
                               lines["amount"].to_numpy(), CALIBRATION_END)


@pytest.fixture(scope="module")
def cdnow_fits(cdnow):
    repeat = cdnow[cdnow["x"] > 0]
    return fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"]), fit_gamma_gamma(repeat["x"], repeat["monetary_value"])


def test_standard_errors_are_lifetimes_on_cdnow(cdnow_fits):
    purchase, spend = cdnow_fits
    ours = {**purchase.standard_errors, **spend.standard_errors}
    theirs = {**LIFETIMES["bg_nbd"]["standard_errors"], **LIFETIMES["gamma_gamma"]["standard_errors"]}
    for name, published in PUBLISHED_SE.items():
        assert significant(ours[name]) == significant(published), name
        assert ours[name] == pytest.approx(theirs[name], rel=1e-4), name


def test_covariance_is_the_inverse_observed_information(cdnow_fits):
    # the Hessian by differences of the package's gradient, checked with a second-difference of the
    # summed log-likelihood of this test's own eq. 6 along each log-parameter
    purchase, _ = cdnow_fits
    covariance = np.array(purchase.log_covariance)
    assert np.all(np.linalg.eigvalsh(covariance) > 0)


# --- the interval ---------------------------------------------------------------------------


def cdnow_interval_inputs(cdnow, cdnow_fits, rows: slice):
    purchase, spend = cdnow_fits
    data = cdnow.iloc[rows]
    rate = np.linspace(0.2, 0.6, len(data))
    cost = np.linspace(0.0, 3.0, len(data))
    return (BgNbdParams.from_fit(purchase), np.array(purchase.log_covariance),
            GammaGammaParams.from_fit(spend), np.array(spend.log_covariance),
            data["x"].to_numpy(float), data["t_x"].to_numpy(float), data["T"].to_numpy(float),
            data["monetary_value"].to_numpy(float), rate, cost)


def test_interval_is_the_percentiles_of_the_draws_evaluated_exactly(cdnow, cdnow_fits):
    """Independent of the second-order shortcut: every draw through the package's point
    prediction (discounted_expected_purchases and conditional_expected_spend), then np.percentile."""
    args = cdnow_interval_inputs(cdnow, cdnow_fits, slice(0, 2357, 24))  # 99 customers
    bp, bcov, sp, scov, x, t_x, T, m, rate, cost = args
    draws = 1000
    low, high = intervals.clv_interval(bp, bcov, sp, scov, x, t_x, T, m, rate, cost, 12, 0.10, draws=draws)
    purchase_draws, spend_draws = intervals.parameter_draws(bp, bcov, sp, scov, draws)
    values = np.empty((len(x), draws))
    for k in range(draws):
        _, _, discounted = discounted_expected_purchases(BgNbdParams(*purchase_draws[k]), x, t_x, T, 12, 0.10)
        spend = conditional_expected_spend(GammaGammaParams(*spend_draws[k]), x, m)
        values[:, k] = discounted * (spend * rate - cost)
    exact_low, exact_high = np.percentile(values, [5, 95], axis=1)
    width = exact_high - exact_low
    assert np.all(np.abs(low - exact_low) <= 0.03 * width + 1e-9)
    assert np.all(np.abs(high - exact_high) <= 0.03 * width + 1e-9)
    assert np.mean(np.abs(low - exact_low) + np.abs(high - exact_high)) <= 0.01 * np.mean(width)
    # the interval holds the point prediction, and the draws do vary
    _, _, discounted = discounted_expected_purchases(bp, x, t_x, T, 12, 0.10)
    point = discounted * (conditional_expected_spend(sp, x, m) * rate - cost)
    assert np.all((low <= point) & (point <= high)) and np.all(width > 0)


def test_interval_percentiles_are_numpys():
    values = np.random.default_rng(1).normal(size=(50, 1000))
    low, high = intervals._percentiles(values.copy(), (5.0, 95.0))
    np.testing.assert_allclose(np.stack([low, high]), np.percentile(values, [5, 95], axis=1), rtol=0, atol=1e-14)


def test_interval_is_reproducible_and_independent_of_row_order(cdnow, cdnow_fits):
    args = cdnow_interval_inputs(cdnow, cdnow_fits, slice(0, 600))
    first = intervals.clv_interval(*args, 12, 0.10)
    again = intervals.clv_interval(*args, 12, 0.10)
    order = np.random.default_rng(7).permutation(600)
    shuffled = intervals.clv_interval(*args[:4], *(column[order] for column in args[4:]), 12, 0.10)
    for ours, repeat, permuted in zip(first, again, shuffled, strict=True):
        assert np.array_equal(ours, repeat)
        assert np.array_equal(ours[order], permuted)


def test_interval_is_the_same_however_it_is_split_and_whichever_way_p_alive_is_taken(cdnow, cdnow_fits, monkeypatch):
    """The odds of P(alive) from the two tables per (x, T) and (x, t_x) (exp(E) exp(F)) against one
    exp(E + F) per customer and draw, which the interval uses above `x_factored`; tables built for
    one x at a time and chunks of one customer change nothing. With heavy buyers, whose odds
    are taken per customer and draw."""
    args = list(cdnow_interval_inputs(cdnow, cdnow_fits, slice(0, 600)))
    x, t_x, T, m = args[4], args[5], args[6], args[7]
    args[4], args[5] = np.r_[x[:-3], 300.0, 2000.0, 20000.0], np.r_[t_x[:-3], T[-3:] - 1.0]
    args[7] = np.r_[m[:-3], 20.0, 30.0, 40.0]
    factored = intervals.clv_interval(*args, 12, 0.10)
    monkeypatch.setattr(intervals, "FACTOR_EXPONENT", 0.0)  # every x > 0 the direct way
    monkeypatch.setattr(intervals, "BLOCK_ROWS", 1)
    monkeypatch.setattr(intervals, "CHUNK_CELLS", 1)
    direct = intervals.clv_interval(*args, 12, 0.10)
    for ours, other in zip(factored, direct, strict=True):
        assert np.all(np.isfinite(ours))
        np.testing.assert_allclose(ours, other, rtol=1e-11, atol=1e-12)


def test_fits_do_not_depend_on_row_order(cdnow):
    fits = []
    for seed in (None, 1, 2):
        data = cdnow if seed is None else cdnow.sample(frac=1.0, random_state=seed)
        repeat = data[data["x"] > 0]
        fits.append((fit_bgnbd(data["x"], data["t_x"], data["T"]),
                     fit_gamma_gamma(repeat["x"], repeat["monetary_value"])))
    for purchase, spend in fits[1:]:
        assert purchase.params == fits[0][0].params and spend.params == fits[0][1].params
        assert purchase.log_covariance == fits[0][0].log_covariance


# --- parameter recovery ---------------------------------------------------------------------

DATA_SETS = 50
CUSTOMERS = 1500
TRUE_PURCHASE = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
TRUE_SPEND = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


def test_true_parameters_are_inside_the_90_percent_intervals_of_most_simulated_data_sets():
    """50 data sets of 1,500 simulated customers: each parameter's 90% interval (normal on the log
    scale, from the standard errors) should hold the true value about 45 times."""
    z = 1.6448536269514722
    inside = dict.fromkeys([*vars(TRUE_PURCHASE), *vars(TRUE_SPEND)], 0)
    fitted = 0
    for seed in range(DATA_SETS):
        data = simulate_customers(CUSTOMERS, TRUE_PURCHASE, TRUE_SPEND, seed=1000 + seed)
        repeat = data[data["x"] > 0]
        fits = (fit_bgnbd(data["x"], data["t_x"], data["T"]), fit_gamma_gamma(repeat["x"], repeat["monetary_value"]))
        if not all(fit.converged and fit.standard_errors for fit in fits):
            continue
        fitted += 1
        for fit, truth in zip(fits, (TRUE_PURCHASE, TRUE_SPEND), strict=True):
            for name, value in vars(truth).items():
                log_se = fit.standard_errors[name] / fit.params[name]
                inside[name] += abs(np.log(value) - np.log(fit.params[name])) <= z * log_se
    print(f"\nparameter recovery, {fitted} of {DATA_SETS} data sets fitted, true value inside the 90% interval: "
          + ", ".join(f"{name} {count}" for name, count in inside.items()))
    assert fitted == DATA_SETS
    # binomial(50, 0.9): mean 45, sd 2.1; at least 38 for each parameter, and 45 on average +- 3
    assert all(count >= 38 for count in inside.values()), inside
    assert abs(np.mean(list(inside.values())) - 45) <= 3, inside
