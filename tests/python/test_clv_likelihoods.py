"""The BG/NBD and Gamma-Gamma log-likelihoods against values computed by hand from the papers'
closed forms (with the math module, one customer at a time), their analytic gradients against
finite differences, and their analytic Hessians against finite differences of the gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
from clv import bgnbd, gamma_gamma
from clv.bgnbd import BgNbdParams, log_likelihood_bgnbd
from clv.data import compress_rows
from clv.gamma_gamma import GammaGammaParams, log_likelihood_gamma_gamma

CDNOW_BGNBD = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_GAMMA_GAMMA = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


def beta(a: float, b: float) -> float:
    return math.gamma(a) * math.gamma(b) / math.gamma(a + b)


def bgnbd_likelihood_by_hand(params: BgNbdParams, x: int, t_x: float, T: float) -> float:
    """FHL 2005 eq. 6, term by term, on the natural scale."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    common = math.gamma(r + x) * alpha**r / math.gamma(r)
    first = beta(a, b + x) / beta(a, b) * common / (alpha + T) ** (r + x)
    second = beta(a + 1, b + x - 1) / beta(a, b) * common / (alpha + t_x) ** (r + x) if x > 0 else 0.0
    return first + second


@pytest.mark.parametrize(
    ("x", "t_x", "T"),
    [(0, 0.0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (7, 35.0, 38.86), (3, 10.0, 10.0)],
)
def test_bgnbd_log_likelihood_matches_the_closed_form(x, t_x, T):
    expected = math.log(bgnbd_likelihood_by_hand(CDNOW_BGNBD, x, t_x, T))
    assert log_likelihood_bgnbd(CDNOW_BGNBD, x, t_x, T) == pytest.approx(expected, rel=1e-12)


def test_bgnbd_log_likelihood_of_a_one_time_buyer_is_the_survival_of_no_purchase():
    # x = 0: L = B(a, b)/B(a, b) * (alpha / (alpha + T))^r, the NBD probability of no purchase
    r, alpha = CDNOW_BGNBD.r, CDNOW_BGNBD.alpha
    expected = r * math.log(alpha / (alpha + 20.0))
    assert log_likelihood_bgnbd(CDNOW_BGNBD, 0, 0.0, 20.0) == pytest.approx(expected, rel=1e-13)


def gamma_gamma_density_by_hand(params: GammaGammaParams, x: int, m: float) -> float:
    """Fader & Hardie 2013 eq. 3 on the natural scale."""
    p, q, g = params.p, params.q, params.gamma
    return (
        math.gamma(p * x + q) / (math.gamma(p * x) * math.gamma(q))
        * g**q * m ** (p * x - 1) * x ** (p * x) / (g + m * x) ** (p * x + q)
    )


@pytest.mark.parametrize(("x", "m"), [(1, 12.5), (2, 35.0), (5, 20.0), (9, 4.2)])
def test_gamma_gamma_log_likelihood_matches_the_closed_form(x, m):
    expected = math.log(gamma_gamma_density_by_hand(CDNOW_GAMMA_GAMMA, x, m))
    assert log_likelihood_gamma_gamma(CDNOW_GAMMA_GAMMA, x, m) == pytest.approx(expected, rel=1e-11)


def test_gamma_gamma_density_integrates_to_one():
    from scipy.integrate import quad

    for x in (1, 3, 10):
        density = lambda m, x=x: float(np.exp(log_likelihood_gamma_gamma(CDNOW_GAMMA_GAMMA, x, m)))  # noqa: E731
        total, _ = quad(density, 0, np.inf, limit=200)
        assert total == pytest.approx(1.0, abs=1e-7)


def sample_rows(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    x = rng.poisson(1.5, n).astype(float)
    T = rng.integers(7, 400, n) / 7.0
    t_x = np.where(x > 0, np.floor(rng.random(n) * T * 7) / 7.0, 0.0)
    return x, t_x, T


def test_bgnbd_objective_is_the_weighted_mean_of_the_individual_log_likelihoods():
    rng = np.random.default_rng(7)
    x, t_x, T = sample_rows(rng, 3000)
    rows = compress_rows(x, t_x, T)
    objective = bgnbd._Objective(*rows.columns, rows.weights)
    log_params = np.log([0.3, 5.0, 0.9, 2.0])
    value, _ = objective(log_params)
    direct = log_likelihood_bgnbd(BgNbdParams(0.3, 5.0, 0.9, 2.0), x, t_x, T).mean()
    assert len(rows) < len(x)
    assert value == pytest.approx(-direct, rel=1e-12)


def finite_difference_gradient(objective, point: np.ndarray, step: float = 1e-6) -> np.ndarray:
    gradient = np.zeros_like(point)
    for i in range(len(point)):
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        gradient[i] = (objective(up)[0] - objective(down)[0]) / (2 * step)
    return gradient


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 3.0, 0.2), (0.05, 50.0, 0.3, 8.0)])
def test_bgnbd_gradient_matches_finite_differences(params):
    rng = np.random.default_rng(11)
    rows = compress_rows(*sample_rows(rng, 2000))
    objective = bgnbd._Objective(*rows.columns, rows.weights)
    point = np.log(params)
    _, gradient = objective(point)
    np.testing.assert_allclose(gradient, finite_difference_gradient(objective, point), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (0.8, 1.5, 200.0)])
def test_gamma_gamma_gradient_matches_finite_differences(params):
    rng = np.random.default_rng(12)
    x = rng.integers(1, 20, 1500).astype(float)
    m = rng.gamma(3.0, 10.0, 1500)
    objective = gamma_gamma._Objective(x, m, np.ones_like(x))
    point = np.log(params)
    value, gradient = objective(point)
    direct = log_likelihood_gamma_gamma(GammaGammaParams(*params), x, m).mean()
    assert value == pytest.approx(-direct, rel=1e-12)
    np.testing.assert_allclose(gradient, finite_difference_gradient(objective, point), rtol=1e-5, atol=1e-8)


def finite_difference_hessian(objective, point: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Central differences of the analytic gradient (what the fits used before the Hessian was analytic)."""
    hessian = np.zeros((len(point), len(point)))
    for i in range(len(point)):
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        hessian[:, i] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    return (hessian + hessian.T) / 2


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 3.0, 0.2), (0.05, 50.0, 0.3, 8.0)])
def test_bgnbd_hessian_matches_differences_of_the_gradient(params):
    rng = np.random.default_rng(13)
    rows = compress_rows(*sample_rows(rng, 2000))
    objective = bgnbd._Objective(*rows.columns, rows.weights)
    point = np.log(params)
    hessian = objective.hessian(point)
    assert np.array_equal(hessian, hessian.T)
    np.testing.assert_allclose(hessian, finite_difference_hessian(objective, point), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (0.8, 1.5, 200.0)])
def test_gamma_gamma_hessian_matches_differences_of_the_gradient(params):
    rng = np.random.default_rng(14)
    x = rng.integers(1, 20, 1500).astype(float)
    m = rng.gamma(3.0, 10.0, 1500)
    objective = gamma_gamma._Objective(x, m, np.ones_like(x))
    point = np.log(params)
    hessian = objective.hessian(point)
    assert np.array_equal(hessian, hessian.T)
    np.testing.assert_allclose(hessian, finite_difference_hessian(objective, point), rtol=1e-6, atol=1e-9)
