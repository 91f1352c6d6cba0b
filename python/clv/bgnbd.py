"""BG/NBD: how many purchases a customer will make, and the probability that they are still active.

Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2), 275-284 (FHL below), and Fader, Hardie & Lee (2008),
"Computing P(alive) Using the BG/NBD Model" (note).

Story: while active, a customer makes purchases as a Poisson process with rate
lambda ~ Gamma(r, alpha); after every purchase they become inactive with probability
p ~ Beta(a, b). A customer enters the likelihood through (x, t_x, T): repeat purchases, the time
of the last one and the length of observation, both from the first purchase (weeks here).

Numerics:

* The individual likelihood (FHL eq. 6) is the sum of two terms; its logarithm is evaluated as
  the log of a sum of exponentials (the larger exponent factored out), with the Gamma and Beta
  functions through gammaln, so x in the tens of thousands neither overflows nor underflows.
* Terms that depend on x only are evaluated once per distinct x and weighted by how many
  customers have it; the two exponents once per distinct (x, T) and (x, t_x); the per-row work
  is a handful of vector operations on distinct (x, t_x, T) rows (`clv.data.compress_rows`).
* The gradient is analytic (digamma), so L-BFGS-B needs one likelihood evaluation per step; so
  is the Hessian of the standard errors (trigamma), one evaluation's work instead of eight.
* The conditional expectation (FHL eq. 10) uses the hypergeometric function after Euler's
  transformation (see `clv.hypergeometric` and `expected_purchases_if_alive`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln, polygamma

from clv.data import compress_rows
from clv.fitting import (
    INSUFFICIENT_DATA,
    FitResult,
    log_hessian,
    maximise_log_likelihood,
    not_fitted,
    weighted_sum,
)
from clv.hypergeometric import hypergeometric_series

MODEL_NAME = "bg_nbd"
PARAMETER_NAMES = ("r", "alpha", "a", "b")
START = np.array([1.0, 1.0, 1.0, 1.0])


@dataclass(frozen=True)
class BgNbdParams:
    """BG/NBD parameters: purchase rate lambda ~ Gamma(shape r, rate alpha) per week;
    dropout probability after each purchase p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    @classmethod
    def from_fit(cls, fit: FitResult) -> BgNbdParams:
        """The parameters of a converged fit (raises if the fit has none)."""
        if fit.params is None:
            raise ValueError(f"the BG/NBD fit has no estimate: {fit.message}")
        return cls(**fit.params)


# ---------------------------------------------------------------------------------------------
# Likelihood
# ---------------------------------------------------------------------------------------------


def log_likelihood_bgnbd(params: BgNbdParams, x, t_x, T) -> np.ndarray:
    """Log of the individual BG/NBD likelihood, FHL eq. 6, elementwise.

    L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)).

    With B(a+1, b+x-1) = B(a, b+x) a/(b+x-1) both terms share the factor
    A = Gamma(r+x) alpha^r B(a, b+x) / (Gamma(r) B(a, b)), and
    log L = log A + log(exp(u) + [x > 0] exp(v)), u = -(r+x) log(alpha+T),
    v = log a - log(b+x-1) - (r+x) log(alpha+t_x).
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(value, dtype=float) for value in (x, t_x, T))
    log_a_factor = (
        gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    )
    u = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(repeat, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return log_a_factor + np.logaddexp(u, v)


class _Objective:
    """Mean negative BG/NBD log-likelihood and its gradient in log-parameters, on weighted rows;
    `hessian` gives its analytic second derivatives.

    Precomputes everything that does not depend on the parameters: distinct x values and the
    total weight of each, the x = 0 rows apart (one term, depending on T alone), and for the
    repeat rows their distinct (x, T) and (x, t_x) pairs. The two exponents of the likelihood,
    u = -(r+x) log(alpha+T) and v = log a - log(b+x-1) - (r+x) log(alpha+t_x), depend on a row
    only through these pairs (a few thousand against hundreds of thousands of rows): they are
    computed per pair and gathered, and the gradient's sums over rows are sums over pairs of the
    rows' weights and shares of the second term added up per pair (np.bincount). Per row and
    evaluation that leaves one exp, one log and a few vector operations.
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray):
        self.total_weight = float(weights.sum())
        by_x = compress_rows(x, weights=weights, inverse=False)
        self.x_values, self.x_weights = by_x.columns[0], by_x.weights
        zero = x == 0
        once = compress_rows(T[zero], weights=weights[zero])
        self.zero_T, self.zero_weights = once.columns[0], once.weights
        repeat = ~zero
        self.weights = weights[repeat]
        by_T = compress_rows(x[repeat], T[repeat], weights=self.weights)
        by_t_x = compress_rows(x[repeat], t_x[repeat])
        (self.T_pair_x, self.T_pair_T), self.T_pair_index = by_T.columns, by_T.inverse
        self.T_pair_weights = by_T.weights
        (self.t_x_pair_x, self.t_x_pair_t_x), self.t_x_pair_index = by_t_x.columns, by_t_x.inverse

    def _repeat_terms(self, r: float, alpha: float, a: float, b: float) -> _RepeatTerms:
        """The repeat rows' terms: per (x, T) and (x, t_x) pair, and per row the difference v - u
        and exp(-|v - u|)."""
        T_pair, t_x_pair, x_t_x = self.T_pair_T, self.t_x_pair_t_x, self.t_x_pair_x
        terms = _RepeatTerms(
            log_T=np.log(alpha + T_pair), inverse_T=1.0 / (alpha + T_pair), r_x_T=r + self.T_pair_x,
            log_t_x=np.log(alpha + t_x_pair), inverse_t_x=1.0 / (alpha + t_x_pair), r_x_t_x=r + x_t_x,
            inverse_b_x=1.0 / (b + x_t_x - 1.0),
        )
        terms.u = (-terms.r_x_T * terms.log_T)[self.T_pair_index]
        terms.v = (np.log(a) + np.log(terms.inverse_b_x) - terms.r_x_t_x * terms.log_t_x)[self.t_x_pair_index]
        terms.difference = terms.v - terms.u
        terms.small = np.exp(-np.abs(terms.difference))
        return terms

    def __call__(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(log_params)
        xs, xw = self.x_values, self.x_weights
        # terms of log A that depend on x only: once per distinct x, weighted by its customers
        value = weighted_sum(
            xw,
            gammaln(r + xs) - gammaln(r) + r * np.log(alpha)
            + gammaln(a + b) + gammaln(b + xs) - gammaln(b) - gammaln(a + b + xs),
        )
        d_r = weighted_sum(xw, digamma(r + xs) - digamma(r) + np.log(alpha))
        d_alpha = self.total_weight * r / alpha
        d_a = weighted_sum(xw, digamma(a + b) - digamma(a + b + xs))
        d_b = weighted_sum(xw, digamma(a + b) + digamma(b + xs) - digamma(b) - digamma(a + b + xs))

        # x = 0: log(exp(u)) = -r log(alpha + T)
        log_alpha_T0 = np.log(alpha + self.zero_T)
        value -= r * weighted_sum(self.zero_weights, log_alpha_T0)
        d_r -= weighted_sum(self.zero_weights, log_alpha_T0)
        d_alpha -= r * weighted_sum(self.zero_weights, 1.0 / (alpha + self.zero_T))

        # x > 0: log(exp(u) + exp(v)) = max(u, v) + log(1 + exp(-|v - u|)) per row, and the share of
        # the second term exp(v) / (exp(u) + exp(v)) for the gradient, added up per pair. (log of
        # 1 + small rather than log1p: the same to 1e-16 of a row's log-likelihood, and numpy's
        # log1p takes twice as long.)
        terms = self._repeat_terms(r, alpha, a, b)
        one_plus_small = 1.0 + terms.small
        value += weighted_sum(self.weights, np.maximum(terms.u, terms.v) + np.log(one_plus_small))
        share = np.where(terms.difference >= 0.0, 1.0, terms.small)
        share /= one_plus_small
        share *= self.weights
        rest_T = self.T_pair_weights - np.bincount(self.T_pair_index, weights=share, minlength=len(terms.log_T))
        share_t_x = np.bincount(self.t_x_pair_index, weights=share, minlength=len(terms.log_t_x))
        # d/dr of u is -log(alpha+T), on the rest; of v -log(alpha+t_x), on the share
        d_r -= weighted_sum(rest_T, terms.log_T) + weighted_sum(share_t_x, terms.log_t_x)
        d_alpha -= (weighted_sum(rest_T * terms.r_x_T, terms.inverse_T)
                    + weighted_sum(share_t_x * terms.r_x_t_x, terms.inverse_t_x))
        d_a += share_t_x.sum() / a
        d_b -= weighted_sum(share_t_x, terms.inverse_b_x)

        # d/d log(theta) = theta d/d theta; minimise the mean negative log-likelihood
        gradient = np.array([r * d_r, alpha * d_alpha, a * d_a, b * d_b])
        return -value / self.total_weight, -gradient / self.total_weight

    def hessian(self, log_params: np.ndarray, gradient: np.ndarray | None = None) -> np.ndarray:
        """Second derivatives of the objective in log-parameters, analytic (`log_hessian`;
        `gradient`, the objective's at log_params, is evaluated when not given).

        Per repeat row, with s the share of the second term and delta = grad v - grad u,
        d2 log(exp(u) + exp(v)) = (1-s) d2 u + s d2 v + s (1-s) delta delta'; s (1-s) is
        exp(-|v-u|) / (1 + exp(-|v-u|))^2 whatever the sign of v - u. The terms of x alone use
        the trigamma function.
        """
        r, alpha, a, b = np.exp(log_params)
        xs, xw, n = self.x_values, self.x_weights, self.total_weight
        second = np.zeros((4, 4))  # of the summed log-likelihood in (r, alpha, a, b); upper triangle
        trigamma_ab = polygamma(1, a + b) - polygamma(1, a + b + xs)
        second[0, 0] = weighted_sum(xw, polygamma(1, r + xs) - polygamma(1, r))
        second[0, 1] = n / alpha
        second[1, 1] = -n * r / alpha**2
        second[2, 2] = second[2, 3] = weighted_sum(xw, trigamma_ab)
        second[3, 3] = weighted_sum(xw, trigamma_ab + polygamma(1, b + xs) - polygamma(1, b))
        inverse_T0 = 1.0 / (alpha + self.zero_T)
        second[0, 1] -= weighted_sum(self.zero_weights, inverse_T0)
        second[1, 1] += r * weighted_sum(self.zero_weights, inverse_T0 * inverse_T0)

        terms = self._repeat_terms(r, alpha, a, b)
        share = np.where(terms.difference >= 0.0, 1.0, terms.small)
        share /= 1.0 + terms.small
        share *= self.weights
        rest_T = self.T_pair_weights - np.bincount(self.T_pair_index, weights=share, minlength=len(terms.log_T))
        share_t_x = np.bincount(self.t_x_pair_index, weights=share, minlength=len(terms.log_t_x))
        second[0, 1] -= weighted_sum(rest_T, terms.inverse_T) + weighted_sum(share_t_x, terms.inverse_t_x)
        second[1, 1] += (weighted_sum(rest_T * terms.r_x_T, terms.inverse_T**2)
                         + weighted_sum(share_t_x * terms.r_x_t_x, terms.inverse_t_x**2))
        second[2, 2] -= share_t_x.sum() / a**2
        second[3, 3] += weighted_sum(share_t_x, terms.inverse_b_x**2)
        # s (1-s) delta delta', delta = (log(alpha+T) - log(alpha+t_x), (r+x)(1/(alpha+T) - 1/(alpha+t_x)), 1/a,
        # -1/(b+x-1)) per row
        curvature = terms.small / (1.0 + terms.small) ** 2 * self.weights
        T_index, t_x_index = self.T_pair_index, self.t_x_pair_index
        delta = np.stack([
            terms.log_T[T_index] - terms.log_t_x[t_x_index],
            terms.r_x_T[T_index] * (terms.inverse_T[T_index] - terms.inverse_t_x[t_x_index]),
            np.full(len(T_index), 1.0 / a),
            -terms.inverse_b_x[t_x_index],
        ])
        second += np.triu(np.einsum("in,jn->ij", delta * curvature, delta))  # not BLAS: see weighted_sum
        gradient = self(log_params)[1] if gradient is None else gradient
        return log_hessian(np.triu(second) + np.triu(second, 1).T, np.exp(log_params), gradient, n)


@dataclass
class _RepeatTerms:
    """`_Objective._repeat_terms`: per (x, T) pair log(alpha+T), 1/(alpha+T), r+x; per (x, t_x) pair
    log(alpha+t_x), 1/(alpha+t_x), r+x, 1/(b+x-1); per repeat row u, v, v - u and exp(-|v - u|)."""

    log_T: np.ndarray
    inverse_T: np.ndarray
    r_x_T: np.ndarray
    log_t_x: np.ndarray
    inverse_t_x: np.ndarray
    r_x_t_x: np.ndarray
    inverse_b_x: np.ndarray
    u: np.ndarray | None = None
    v: np.ndarray | None = None
    difference: np.ndarray | None = None
    small: np.ndarray | None = None


def fit_bgnbd(x, t_x, T, weights=None, min_repeat_buyers: int = 1) -> FitResult:
    """Maximum likelihood estimate of (r, alpha, a, b) from customers' (x, t_x, T).

    Identical rows are compressed into weights first. The fit is not tried (status
    insufficient_data) when there are fewer than `min_repeat_buyers` customers with x > 0, or
    none at all: with no repeat purchases the dropout process is not identified. Otherwise
    L-BFGS-B on log-parameters from (1, 1, 1, 1); see `clv.fitting` for when the result is
    accepted.
    """
    x, t_x, T = (np.asarray(value, dtype=float) for value in (x, t_x, T))
    if not (len(x) == len(t_x) == len(T)):
        raise ValueError("x, t_x and T must have the same length")
    rows = compress_rows(x, t_x, T, weights=None if weights is None else np.asarray(weights, dtype=float),
                         inverse=False)
    _check_summary(*rows.columns)  # on the distinct rows: the same verdict as on every row
    customers = int(round(rows.weights.sum()))
    repeat_buyers = int(round(rows.weights[rows.columns[0] > 0].sum()))
    if customers == 0 or repeat_buyers < max(min_repeat_buyers, 1):
        return not_fitted(
            MODEL_NAME,
            INSUFFICIENT_DATA,
            f"{repeat_buyers} repeat buyers among {customers} customers; at least "
            f"{max(min_repeat_buyers, 1)} are needed to estimate the model",
            customers,
        )
    objective = _Objective(*rows.columns, rows.weights)
    return maximise_log_likelihood(MODEL_NAME, objective, PARAMETER_NAMES, START, customers)


def _check_summary(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    """Raise ValueError unless 0 <= t_x <= T, x >= 0 is whole, and t_x = 0 when x = 0."""
    if not (len(x) == len(t_x) == len(T)):
        raise ValueError("x, t_x and T must have the same length")
    if np.any(~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(T)):
        raise ValueError("x, t_x and T must be finite")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("x must be a whole number >= 0")
    if np.any(t_x < 0) or np.any(t_x > T):
        raise ValueError("need 0 <= t_x <= T")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("t_x must be 0 when x = 0")


# ---------------------------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------------------------


def probability_alive(params: BgNbdParams, x, t_x, T) -> np.ndarray:
    """P(active at T | x, t_x, T), Fader, Hardie & Lee (2008) eq. 2 (and FHL eq. 10's denominator):

    1 / (1 + [x > 0] a / (b+x-1) ((alpha+T) / (alpha+t_x))^(r+x)),

    evaluated as 1 / (1 + exp(L)) with L the log of the second term (two logs per customer), so it
    is exact for any x: where exp(L) overflows, P(alive) is 0 to within 1e-308.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(value, dtype=float) for value in (x, t_x, T))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_odds_dead = (r + x) * np.log((alpha + T) / (alpha + t_x)) + np.log(a / (b + x - 1))
        odds_dead = np.exp(np.where(x > 0, log_odds_dead, -np.inf))
    return 1.0 / (1.0 + odds_dead)


def expected_purchases_if_alive(params: BgNbdParams, t, x, T, compress: bool = True) -> np.ndarray:
    """E[Y(T, T+t) | active at T, x, T]: expected purchases in the next t weeks of a customer who
    is still active, elementwise over broadcast t, x, T.

    FHL eq. 10 is this quantity times P(alive):

        E[Y(t) | x, t_x, T] = P(alive) * (a+b+x-1)/(a-1)
                              * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
        z = t / (alpha+T+t).

    Euler's transformation (A&S 15.3.3) gives
    (1-z)^(r+x) 2F1(r+x, b+x; C; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; C; z) with C = a+b+x-1,
    whose upper parameters do not grow with x. Writing that 2F1 as 1 + (a-1) D / C with
    D = sum_{n>=1} (a+b-1-r)_n (a)_{n-1} / ((C+1)_{n-1} n!) z^n (the (a-1) of every term
    factored out, and C cancelled) removes both the 0/0 at a = 1 and the pole at C = 0:

        E = C (1 - (1-z)^(a-1)) / (a-1) - (1-z)^(a-1) D,

    with (1 - (1-z)^(a-1)) / (a-1) = -expm1((a-1) log1p(-z)) / (a-1) (-log1p(-z) at a = 1).
    D is summed by `clv.hypergeometric.hypergeometric_series`: first term (a+b-1-r) z, term
    ratio (a+b-1-r+n)(a-1+n) z / ((C+n)(n+1)). Rows where it does not converge are NaN.

    With `compress`, large inputs are evaluated once per distinct (t, x, T) (customers share
    them: dates are whole days) and expanded back; pass False when the rows are distinct already.
    """
    horizon = np.asarray(t, dtype=float)
    t, x, T = np.broadcast_arrays(horizon, *(np.asarray(value, dtype=float) for value in (x, T)))
    if compress and t.size > _COMPRESS_FROM:
        if horizon.ndim == 0:  # one horizon for all: distinct (x, T) only
            rows = compress_rows(x.ravel(), T.ravel())
            values = _expected_purchases_if_alive(params, horizon, *rows.columns)
        else:
            rows = compress_rows(t.ravel(), x.ravel(), T.ravel())
            values = _expected_purchases_if_alive(params, *rows.columns)
        return values[rows.inverse].reshape(t.shape)
    return _expected_purchases_if_alive(params, t, x, T)


_COMPRESS_FROM = 10_000


def _expected_purchases_if_alive(params: BgNbdParams, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """`expected_purchases_if_alive` on every element (no compression)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    c = a + b + x - 1.0
    z = t / (alpha + T + t)
    log_1mz = np.log1p(-z)
    shrink = np.exp((a - 1.0) * log_1mz)  # (1-z)^(a-1)
    if a == 1.0:
        first = -log_1mz
    else:
        first = -np.expm1((a - 1.0) * log_1mz) / (a - 1.0)
    upper = a + b - 1.0 - r
    series, _ = hypergeometric_series(
        upper, a - 1.0, c, z, first_term=upper * z, first_index=1,
        scale=np.abs(c * first) / np.maximum(shrink, 1e-300),
    )
    return c * first - shrink * series


def conditional_expected_purchases(params: BgNbdParams, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t weeks, FHL eq. 10 (see
    `expected_purchases_if_alive` for how it is evaluated)."""
    return probability_alive(params, x, t_x, T) * expected_purchases_if_alive(params, t, x, T)


def expected_purchases_new_customer(params: BgNbdParams, t) -> np.ndarray:
    """E[X(t)] for a randomly chosen customer over t weeks from their first purchase, FHL eq. 7:

    (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))].

    This is `expected_purchases_if_alive` at x = 0, T = 0 (a customer just acquired is active).
    """
    t = np.asarray(t, dtype=float)
    return expected_purchases_if_alive(params, t, np.zeros_like(t), np.zeros_like(t))


# ---------------------------------------------------------------------------------------------
# Next purchase
# ---------------------------------------------------------------------------------------------


def probability_purchase_within(params: BgNbdParams, t, x, t_x, T) -> np.ndarray:
    """P(at least one purchase in (T, T+t] | x, t_x, T), elementwise over broadcast inputs:

    1 - [(1 - PA) + PA ((alpha+T) / (alpha+T+t))^(r+x)] = PA (1 - ((alpha+T) / (alpha+T+t))^(r+x)).

    A customer still active at T buys in the next t weeks unless the Poisson process has no
    event (the dropout only follows a purchase), and given activity lambda ~ Gamma(r+x, alpha+T),
    whose Laplace transform at t is the power above. PA = P(alive) is exactly 1 at x = 0 (no
    repeat purchase: no dropout opportunity yet). Evaluated as -expm1((r+x) log1p(-t/(alpha+T+t))),
    accurate for small t.
    """
    r, alpha = params.r, params.alpha
    t, x, t_x, T = np.broadcast_arrays(*(np.asarray(value, dtype=float) for value in (t, x, t_x, T)))
    alive = probability_alive(params, x, t_x, T)
    return alive * -np.expm1((r + x) * np.log1p(-t / (alpha + T + t)))


def weeks_to_next_purchase(params: BgNbdParams, x, t_x, T) -> np.ndarray:
    """t*: the horizon in weeks at which a next purchase becomes as likely as not, i.e.
    `probability_purchase_within` = 0.5:

    t* = (alpha+T) [(PA / (PA - 0.5))^(1 / (r+x)) - 1], defined when PA > 0.5 (NaN otherwise: the
    probability of ever buying again, PA, never reaches one half).

    Evaluated as (alpha+T) expm1(log(PA / (PA - 0.5)) / (r+x)); at x = 0 (PA = 1) this is
    (alpha+T) (2^(1/r) - 1).
    """
    r, alpha = params.r, params.alpha
    x, t_x, T = np.broadcast_arrays(*(np.asarray(value, dtype=float) for value in (x, t_x, T)))
    alive = probability_alive(params, x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        weeks = (alpha + T) * np.expm1(np.log(alive / (alive - 0.5)) / (r + x))
    return np.where(alive > 0.5, weeks, np.nan)
