"""Gamma-Gamma: how much a customer spends per transaction.

Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (note; FH below), after
Colombo & Jiang (1999) and Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves
for Customer Base Analysis", JMR 42(4).

Story: the value of each transaction of a customer is Gamma(p, nu); nu varies across customers
as Gamma(q, gamma). The mean of x transactions, m, is then Gamma(px, nu x), and integrating nu
out gives the density of m given x (FH eq. 3):

    f(m | p, q, gamma, x) = Gamma(px+q) / (Gamma(px) Gamma(q))
                            * gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q).

It is fitted on repeat buyers only (x > 0 repeat transactions, m their mean value): the first
transaction is excluded because its value often differs systematically, as in FHL 2005 and FH.
Spend is assumed independent of the purchase process (FH section 4 checks this on CDNOW).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln, polygamma

from clv.data import compress_rows
from clv.fitting import (
    INSUFFICIENT_DATA,
    INVALID_ESTIMATE,
    FitResult,
    log_hessian,
    maximise_log_likelihood,
    not_fitted,
    weighted_sum,
)

MODEL_NAME = "gamma_gamma"
PARAMETER_NAMES = ("p", "q", "gamma")
START = np.array([1.0, 1.0, 1.0])


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma parameters: transaction value ~ Gamma(shape p, rate nu), nu ~ Gamma(shape q,
    rate gamma) across customers."""

    p: float
    q: float
    gamma: float

    @classmethod
    def from_fit(cls, fit: FitResult) -> GammaGammaParams:
        """The parameters of a converged fit (raises if the fit has none)."""
        if fit.params is None:
            raise ValueError(f"the Gamma-Gamma fit has no estimate: {fit.message}")
        return cls(**fit.params)


def log_likelihood_gamma_gamma(params: GammaGammaParams, x, m) -> np.ndarray:
    """Log of FH eq. 3 (module docstring) for customers with x > 0 transactions of mean value m > 0."""
    p, q, gamma = params.p, params.q, params.gamma
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    px = p * x
    return (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
        + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * np.log(gamma + m * x)
    )


class _Objective:
    """Mean negative Gamma-Gamma log-likelihood and its gradient in log-parameters.

    Parameter-free sums (of log m, x log m, x log x) are computed once; terms depending on x
    only are evaluated per distinct x. The rest is linear in p and q given gamma:

        sum w (p x + q) log(gamma + m x) = p sum w x L + q sum w L,   L = log(gamma + m x),

    and likewise the gamma derivative with 1 / (gamma + m x), so each evaluation takes one log
    and one reciprocal per row and four weighted sums (two passes of einsum over two weight rows).
    """

    def __init__(self, x: np.ndarray, m: np.ndarray, weights: np.ndarray):
        self.total_weight = float(weights.sum())
        self.mx = m * x
        log_m, log_x = np.log(m), np.log(x)
        self.sum_log_m = float(weighted_sum(weights, log_m))
        self.sum_x_log_mx = float(weighted_sum(weights * x, log_m + log_x))
        # rows w x and w: the weighted sums of L and of 1 / (gamma + m x) in one pass each
        self.weight_rows = np.stack([weights * x, weights])
        by_x = compress_rows(x, weights=weights, inverse=False)
        self.x_values, self.x_weights = by_x.columns[0], by_x.weights

    def __call__(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, gamma = np.exp(log_params)
        xs, xw, n = self.x_values, self.x_weights, self.total_weight
        pxs = p * xs
        shifted = gamma + self.mx
        sum_x_log, sum_log = np.einsum("ij,j->i", self.weight_rows, np.log(shifted))  # not BLAS: weighted_sum
        sum_x_inverse, sum_inverse = np.einsum("ij,j->i", self.weight_rows, np.reciprocal(shifted, out=shifted))
        value = (
            weighted_sum(xw, gammaln(pxs + q) - gammaln(pxs)) - n * gammaln(q) + n * q * np.log(gamma)
            + p * self.sum_x_log_mx - self.sum_log_m - p * sum_x_log - q * sum_log
        )
        d_p = weighted_sum(xw * xs, digamma(pxs + q) - digamma(pxs)) + self.sum_x_log_mx - sum_x_log
        d_q = weighted_sum(xw, digamma(pxs + q)) - n * digamma(q) + n * np.log(gamma) - sum_log
        d_gamma = n * q / gamma - p * sum_x_inverse - q * sum_inverse
        gradient = np.array([p * d_p, q * d_q, gamma * d_gamma])
        return -value / n, -gradient / n

    def hessian(self, log_params: np.ndarray, gradient: np.ndarray | None = None) -> np.ndarray:
        """Second derivatives of the objective in log-parameters, analytic (`log_hessian`): the
        derivatives of the gradient's terms above, with the trigamma function for the terms of x
        alone and, for gamma, the weighted sums of 1 / (gamma + m x) and its square. `gradient`,
        the objective's at log_params, is evaluated when not given."""
        p, q, gamma = np.exp(log_params)
        xs, xw, n = self.x_values, self.x_weights, self.total_weight
        trigamma_pxq, trigamma_px = polygamma(1, p * xs + q), polygamma(1, p * xs)
        inverse = 1.0 / (gamma + self.mx)
        sum_x_inverse, sum_inverse = np.einsum("ij,j->i", self.weight_rows, inverse)  # not BLAS: weighted_sum
        sum_x_inverse2, sum_inverse2 = np.einsum("ij,j->i", self.weight_rows, inverse * inverse)
        p_q = weighted_sum(xw * xs, trigamma_pxq)
        second = np.array([
            [weighted_sum(xw * xs * xs, trigamma_pxq - trigamma_px), p_q, -sum_x_inverse],
            [p_q, weighted_sum(xw, trigamma_pxq) - n * polygamma(1, q), n / gamma - sum_inverse],
            [-sum_x_inverse, n / gamma - sum_inverse, -n * q / gamma**2 + p * sum_x_inverse2 + q * sum_inverse2],
        ])
        gradient = self(log_params)[1] if gradient is None else gradient
        return log_hessian(second, np.exp(log_params), gradient, n)


def fit_gamma_gamma(x, m, weights=None, min_repeat_buyers: int = 1) -> FitResult:
    """Maximum likelihood estimate of (p, q, gamma) from repeat buyers' (x, m).

    Only rows with x > 0 and m > 0 enter the likelihood (customers without repeat transactions
    have no repeat spend; a mean of 0 has zero density under the model). Not tried (status
    insufficient_data) below `min_repeat_buyers` such customers. A converged estimate with
    q <= 1 is rejected (status invalid_estimate): the population mean spend p gamma / (q - 1),
    which customers without repeat purchases are predicted to spend, would be infinite.
    """
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    given_weights = None if weights is None else np.asarray(weights, dtype=float)
    weights = np.ones_like(x) if given_weights is None else given_weights
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    customers = int(round(weights[usable].sum()))
    if customers < max(min_repeat_buyers, 1):
        return not_fitted(
            MODEL_NAME,
            INSUFFICIENT_DATA,
            f"{customers} repeat buyers with a positive mean repeat spend; at least "
            f"{max(min_repeat_buyers, 1)} are needed to estimate the model",
            customers,
        )
    rows = compress_rows(x[usable], m[usable], weights=None if given_weights is None else weights[usable],
                         inverse=False)
    objective = _Objective(*rows.columns, rows.weights)
    fit = maximise_log_likelihood(MODEL_NAME, objective, PARAMETER_NAMES, START, customers)
    if fit.params is not None and fit.params["q"] <= 1.0:
        return FitResult(
            model_name=MODEL_NAME,
            status=INVALID_ESTIMATE,
            message=f"q = {fit.params['q']:.4g} <= 1: the population mean spend p gamma / (q - 1) is not finite",
            customers=fit.customers,
            iterations=fit.iterations,
            function_evaluations=fit.function_evaluations,
            last_iterate=fit.params,
        )
    return fit


def conditional_expected_spend(params: GammaGammaParams, x, m) -> np.ndarray:
    """E(M | p, q, gamma, m, x): expected value of a future transaction, FH eq. 5:

    (q - 1) / (px + q - 1) * p gamma / (q - 1) + px / (px + q - 1) * m = p (gamma + m x) / (px + q - 1),

    a weighted mean of the population mean and the customer's observed mean. For x = 0 (m is
    ignored, may be NaN) it is the population mean p gamma / (q - 1).
    """
    p, q, gamma = params.p, params.q, params.gamma
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    mx = m * x
    if np.isnan(mx).any():  # m is not used when x = 0 (NaN there means "no repeat spend")
        mx = np.where(x > 0, mx, 0.0)
    return p * (gamma + mx) / (p * x + q - 1.0)
