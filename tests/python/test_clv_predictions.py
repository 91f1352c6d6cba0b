"""Predictions: the hypergeometric series, the BG/NBD conditional expectation (against scipy where
scipy is accurate and against direct numerical integration everywhere), P(alive), the Gamma-Gamma
conditional spend and the discounted CLV."""

from __future__ import annotations

import math

import numpy as np
import pytest
from clv.bgnbd import (
    BgNbdParams,
    conditional_expected_purchases,
    expected_purchases_if_alive,
    expected_purchases_new_customer,
    probability_alive,
)
from clv.gamma_gamma import GammaGammaParams, conditional_expected_spend
from clv.hypergeometric import hyp2f1
from clv.value import discounted_expected_purchases, month_horizons_weeks, monthly_discount_factors
from scipy.integrate import quad
from scipy.special import betaln
from scipy.special import hyp2f1 as scipy_hyp2f1

CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
PARAMETER_SETS = [
    CDNOW,
    BgNbdParams(r=2.0, alpha=0.5, a=3.0, b=0.2),
    BgNbdParams(r=0.5, alpha=10.0, a=1.0, b=1.5),  # a = 1: the textbook formula divides by zero
    BgNbdParams(r=0.3, alpha=2.0, a=0.4, b=0.5),  # a + b < 1: C = a + b - 1 < 0 for x = 0
]


def test_series_matches_scipy_hyp2f1_for_moderate_arguments():
    rng = np.random.default_rng(3)
    n = 20_000
    a, b = rng.uniform(-3, 5, n), rng.uniform(-0.9, 5, n)
    c, z = rng.uniform(0.1, 20, n), rng.uniform(0, 0.99, n)
    ours, reference = hyp2f1(a, b, c, z), scipy_hyp2f1(a, b, c, z)
    np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)


def test_series_reports_no_value_rather_than_a_wrong_one():
    assert np.isnan(hyp2f1(1.0, 1.0, 2.0, 0.999999, max_terms=100))
    with pytest.raises(ValueError):
        hyp2f1(1.0, 1.0, 2.0, 1.0)


def textbook_expectation(params: BgNbdParams, t, x, T):
    """FHL eq. 10 without P(alive), literally, with scipy's hyp2f1 (fine for moderate x, a != 1)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    return (a + b + x - 1) / (a - 1) * (
        1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * scipy_hyp2f1(r + x, b + x, a + b + x - 1, z)
    )


@pytest.mark.parametrize("x", [0, 1, 4, 20])
@pytest.mark.parametrize(("T", "t"), [(38.86, 39.0), (0.0, 52.0), (100.0, 4.35)])
def test_expectation_matches_the_textbook_formula_where_scipy_is_accurate(x, T, t):
    for params in (CDNOW, PARAMETER_SETS[1]):
        expected = textbook_expectation(params, t, x, T)
        assert expected_purchases_if_alive(params, t, x, T) == pytest.approx(expected, rel=1e-9)


def expectation_by_quadrature(params: BgNbdParams, t: float, x: float, T: float) -> float:
    """E[Y(t) | alive at T] = integral over the posterior Beta(a, b+x) of p of
    (1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p (FHL eq. 8 averaged over Gamma(r+x, alpha+T) for
    lambda), integrated over s = log p so that the mass near p = 0 of heavy buyers is resolved."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    k, log_beta = t / (alpha + T), betaln(a, b + x)

    def integrand(s: float) -> float:
        p = math.exp(s)
        density = math.exp(a * s + (b + x - 1) * math.log1p(-p) - log_beta)  # Beta pdf x dp/ds
        purchases = (r + x) * k if p * k < 1e-300 else -math.expm1(-(r + x) * math.log1p(p * k)) / p
        return density * purchases

    centre = math.log(a / (a + b + x))
    options = dict(limit=500, epsabs=0.0, epsrel=1e-12)
    return quad(integrand, -np.inf, centre, **options)[0] + quad(integrand, centre, 0.0, **options)[0]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("params", PARAMETER_SETS)
@pytest.mark.parametrize("x", [0, 1, 5, 100, 10_000])
@pytest.mark.parametrize(("T", "t"), [(38.86, 39.0), (0.0, 52.0), (100.0, 4.35), (1.0, 260.0)])
def test_expectation_matches_numerical_integration_for_any_frequency(params, x, T, t):
    value = expected_purchases_if_alive(params, t, x, T)
    assert np.isfinite(value)
    assert value == pytest.approx(expectation_by_quadrature(params, t, x, T), rel=1e-8)


def test_expectation_is_continuous_through_a_equal_to_one():
    values = [
        expected_purchases_if_alive(BgNbdParams(0.5, 10.0, a, 1.5), 52.0, 3, 20.0)
        for a in (1.0 - 1e-9, 1.0, 1.0 + 1e-9)
    ]
    assert values[0] == pytest.approx(values[1], rel=1e-7)
    assert values[2] == pytest.approx(values[1], rel=1e-7)


def test_new_customer_expectation_is_the_unconditional_formula():
    # FHL eq. 7: E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    t = 78.0
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * scipy_hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    assert expected_purchases_new_customer(CDNOW, t) == pytest.approx(expected, rel=1e-10)


def test_heavy_buyers_stay_finite_and_sensible():
    x = np.array([10_000.0, 10_000.0, 50_000.0])
    t_x = np.array([100.0, 50.0, 99.0])
    T = np.array([100.0, 100.0, 100.0])
    alive = probability_alive(CDNOW, x, t_x, T)
    expected = conditional_expected_purchases(CDNOW, 10.0, x, t_x, T)
    assert np.all(np.isfinite(alive)) and np.all(np.isfinite(expected))
    # bought on the last day at 100 a week: alive, and up to 100 a week for the next 10 weeks
    # (less the chance of dropping out along the way, p ~ Beta(a, b + x) with mean ~ 8e-5)
    assert alive[0] == pytest.approx(1.0, abs=1e-3)
    assert 0.85 * 1000 < expected[0] < 1000
    # silent for half the period (or one week at 500 a week): certainly gone
    assert alive[1] < 1e-100 and expected[1] < 1e-100
    assert alive[2] < 1e-100 and expected[2] < 1e-100


def test_probability_alive_is_one_for_one_time_buyers_and_falls_with_silence():
    assert probability_alive(CDNOW, 0, 0.0, 50.0) == 1.0
    alive = probability_alive(CDNOW, 3, np.array([40.0, 20.0, 5.0]), 40.0)
    assert alive[0] == pytest.approx(1.0 / (1.0 + CDNOW.a / (CDNOW.b + 2)))  # last purchase at T
    assert np.all(np.diff(alive) < 0)


def test_conditional_spend_is_a_weighted_mean_of_population_and_own_mean():
    params = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    population = params.p * params.gamma / (params.q - 1)
    assert conditional_expected_spend(params, 0, np.nan) == pytest.approx(population)
    x, m = 4.0, 50.0
    weight = params.p * x / (params.p * x + params.q - 1)
    assert conditional_expected_spend(params, x, m) == pytest.approx((1 - weight) * population + weight * m)


def test_discounted_purchases_equal_the_month_by_month_sum():
    rng = np.random.default_rng(5)
    x = rng.poisson(2, 500).astype(float)
    T = rng.integers(1, 300, 500) / 7.0
    t_x = np.where(x > 0, np.floor(rng.random(500) * T * 7) / 7.0, 0.0)
    alive, expected, discounted = discounted_expected_purchases(CDNOW, x, t_x, T, 12, 0.10)
    weeks = month_horizons_weeks(12)
    cumulative = np.stack([conditional_expected_purchases(CDNOW, w, x, t_x, T) for w in weeks[1:]], axis=1)
    monthly = np.diff(cumulative, axis=1, prepend=0.0)
    factors = np.array([1.10 ** (-m / 12) for m in range(1, 13)])
    np.testing.assert_allclose(alive, probability_alive(CDNOW, x, t_x, T), rtol=1e-14)
    np.testing.assert_allclose(expected, cumulative[:, -1], rtol=1e-12)
    np.testing.assert_allclose(discounted, monthly @ factors, rtol=1e-12)
    assert weeks[12] == pytest.approx(365.25 / 7)
    np.testing.assert_allclose(monthly_discount_factors(12, 0.10), factors)
