"""How sure the predicted lifetime value is: an interval from draws of the model parameters.

The maximum-likelihood estimates are uncertain; their sampling distribution is approximated as
normal on the log scale (the scale the fit works on), centred on the log-estimates, with the
covariance the inverse Hessian of the log-likelihood at the optimum (`clv.fitting.
log_parameter_covariance`). DRAWS parameter vectors are drawn from it with a fixed seed (BG/NBD
first, then Gamma-Gamma, from one generator: the two fits are independent), the predicted CLV
of every customer is evaluated under each draw, and the interval is the PERCENTILES of the
customer's draws (numpy's default, linear interpolation between order statistics). Same
estimates and same customers: same interval, bit for bit, whatever the row order.

Under draw k, for a customer with (x, t_x, T), repeat spend m, margin rate g and cost to serve
per purchase c (as `clv.value`):

    clv_k = PA_k(x, t_x, T) * DE_k(x, T) * (S_k(x, m) * g - c)

with PA_k the P(alive), S_k the Gamma-Gamma expected spend (both exact under the draw) and DE_k
the discounted expected purchases if alive over the horizon (12 hypergeometric series per
distinct (x, T)). DE_k is evaluated by a quadratic on the log scale,

    log DE_k = log DE + g . d_k + 1/2 d_k' H d_k,   d_k = log theta_k - log theta (BG/NBD),

the quadratic through the estimate, the points half a standard deviation of the draws away
along each log-parameter in both directions and along each pair of them (15 evaluations instead
of one per draw): the exact series under 1,000 draws take a minute on CDNOW's 2,357 customers
and would take hours at a million. `exact=True` evaluates DE under every draw (the tests use it
to bound the difference: within 3% of the interval's width on CDNOW, 0.2% on average).

Work per customer and draw is a handful of operations on gathered per-value tables (logs of
alpha + T per distinct T, of alpha + t_x per distinct t_x, spend terms per distinct x); customers
with identical inputs are evaluated once (`clv.data.compress_rows`), in chunks so that memory
stays bounded.
"""

from __future__ import annotations

import numpy as np

from clv.bgnbd import BgNbdParams
from clv.data import compress_rows
from clv.gamma_gamma import GammaGammaParams
from clv.value import purchases_if_alive

DRAWS = 1000
SEED = 20261202
PERCENTILES = (5.0, 95.0)
STEP_MULTIPLIER = 0.5  # steps of half a standard deviation of the draws
DERIVATIVE_STEP = 1e-3  # step on the log scale of a parameter whose draws do not vary
CHUNK_CELLS = 1_000_000  # customers x draws evaluated at a time


def draw_log_params(log_estimate: np.ndarray, covariance: np.ndarray, draws: int, rng: np.random.Generator):
    """`draws` rows of log-parameters ~ Normal(log_estimate, covariance)."""
    factor = np.linalg.cholesky(np.asarray(covariance, dtype=float))
    normal = rng.standard_normal((draws, len(log_estimate)))
    # einsum's own loop, not BLAS (see fitting.weighted_sum): the same sums on any machine load
    return np.asarray(log_estimate, dtype=float) + np.einsum("kj,ij->ki", normal, factor)


def parameter_draws(
    purchase_params: BgNbdParams, purchase_covariance, spend_params: GammaGammaParams, spend_covariance,
    draws: int = DRAWS, seed: int = SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """(draws x 4 BG/NBD, draws x 3 Gamma-Gamma) parameter draws on the natural scale."""
    rng = np.random.default_rng(seed)
    purchase = draw_log_params(np.log(_vector(purchase_params)), purchase_covariance, draws, rng)
    spend = draw_log_params(np.log(_vector(spend_params)), spend_covariance, draws, rng)
    return np.exp(purchase), np.exp(spend)


def _vector(params) -> np.ndarray:
    return np.array(list(vars(params).values()), dtype=float)


def _log_discounted_if_alive(
    purchase_params: BgNbdParams, purchase_draws: np.ndarray, x: np.ndarray, T: np.ndarray,
    horizon_months: int, annual_discount_rate: float, exact: bool,
) -> np.ndarray:
    """log DE per (x, T) row and draw, shape (rows, draws) (module docstring)."""
    if exact:
        return np.stack([
            np.log(purchases_if_alive(BgNbdParams(*draw), x, T, horizon_months, annual_discount_rate)[1])
            for draw in purchase_draws
        ], axis=1)
    centre = np.log(_vector(purchase_params))
    size = len(centre)
    # steps of one standard deviation of each log-parameter (the scale of the draws)
    steps = np.log(purchase_draws).std(axis=0) * STEP_MULTIPLIER
    steps = np.where(steps > 0, steps, DERIVATIVE_STEP)

    def log_de(offset: np.ndarray) -> np.ndarray:
        params = BgNbdParams(*np.exp(centre + offset * steps))
        return np.log(purchases_if_alive(params, x, T, horizon_months, annual_discount_rate)[1])

    unit = np.eye(size)
    base = log_de(np.zeros(size))
    plus = [log_de(unit[j]) for j in range(size)]
    minus = [log_de(-unit[j]) for j in range(size)]
    # the quadratic through base, plus, minus and the points unit[j] + unit[k], j < k (15 evaluations)
    gradient = np.stack([(plus[j] - minus[j]) / 2.0 for j in range(size)], axis=1)
    terms = [(j, k) for j in range(size) for k in range(j, size)]
    curvature = np.empty((len(x), len(terms)))
    for column, (j, k) in enumerate(terms):
        if j == k:
            curvature[:, column] = (plus[j] - 2.0 * base + minus[j]) / 2.0
        else:
            curvature[:, column] = log_de(unit[j] + unit[k]) - plus[j] - plus[k] + base
    delta = (np.log(purchase_draws) - centre) / steps
    products = np.stack([delta[:, j] * delta[:, k] for j, k in terms], axis=1)
    # not BLAS (see fitting.weighted_sum): einsum's own loop
    return base[:, None] + np.einsum("ij,kj->ik", gradient, delta) + np.einsum("ij,kj->ik", curvature, products)


def clv_interval(
    purchase_params: BgNbdParams, purchase_covariance, spend_params: GammaGammaParams, spend_covariance,
    x, t_x, T, m, gross_margin_rate, cost_to_serve_per_purchase,
    horizon_months: int, annual_discount_rate: float,
    draws: int = DRAWS, seed: int = SEED, exact: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer, the PERCENTILES (5th, 95th) of the predicted CLV over parameter draws
    (module docstring). m is ignored where x = 0 (may be NaN there)."""
    x, t_x, T, m, g, c = (
        np.asarray(value, dtype=float) for value in (x, t_x, T, m, gross_margin_rate, cost_to_serve_per_purchase)
    )
    m = np.where(x > 0, m, 0.0)
    purchase_draws, spend_draws = parameter_draws(
        purchase_params, purchase_covariance, spend_params, spend_covariance, draws, seed)
    r, alpha, a, b = (purchase_draws[:, j] for j in range(4))
    p, q, gamma = (spend_draws[:, j] for j in range(3))

    rows = compress_rows(x, t_x, T, m, g, c)
    x, t_x, T, m, g, c = rows.columns
    # rows are sorted by (x, t_x, T, ...): the rows of one customer profile (x, t_x, T) are adjacent
    triples = compress_rows(x, t_x, T)
    triple_x, triple_t_x, triple_T = triples.columns
    pairs = compress_rows(triple_x, triple_T)
    log_de = _log_discounted_if_alive(purchase_params, purchase_draws, *pairs.columns, horizon_months,
                                      annual_discount_rate, exact)
    T_values, T_index = np.unique(triple_T, return_inverse=True)
    t_x_values, t_x_index = np.unique(triple_t_x, return_inverse=True)
    x_values, x_index = np.unique(x, return_inverse=True)
    triple_x_index = np.searchsorted(x_values, triple_x)
    log_alpha_T = np.log(alpha[None, :] + T_values[:, None])
    log_alpha_t_x = np.log(alpha[None, :] + t_x_values[:, None])
    # per distinct x: log a - log(b + x - 1) and r + x for P(alive); spend = s0 + s1 m (Gamma-Gamma)
    log_odds_base = np.log(a)[None, :] - np.log(b[None, :] + x_values[:, None] - 1.0)
    r_x = r[None, :] + x_values[:, None]
    spend_denominator = p[None, :] * x_values[:, None] + q[None, :] - 1.0
    spend_0 = p * gamma / spend_denominator
    spend_1 = p[None, :] * x_values[:, None] / spend_denominator

    low, high = np.empty(len(rows)), np.empty(len(rows))
    step = max(1, CHUNK_CELLS // draws)
    for start in range(0, len(rows), step):
        part = slice(start, start + step)
        # P(alive) x discounted purchases if alive, per profile of the chunk (in place: fewer passes)
        first, last = triples.inverse[start], triples.inverse[min(start + step, len(rows)) - 1]
        profiles = slice(first, last + 1)
        xi = triple_x_index[profiles]
        weight = log_alpha_T[T_index[profiles]]
        weight -= log_alpha_t_x[t_x_index[profiles]]
        weight *= r_x[xi]
        weight += log_odds_base[xi]
        np.minimum(weight, 700.0, out=weight)
        np.exp(weight, out=weight)
        weight += 1.0
        np.reciprocal(weight, out=weight)
        weight[triple_x[profiles] == 0] = 1.0  # no repeat purchase: alive
        weight *= np.exp(log_de[pairs.inverse[profiles]])
        # x (the predicted CLV under every draw), per row
        xi = x_index[part]
        values = spend_1[xi]
        values *= m[part, None]
        values += spend_0[xi]
        values *= g[part, None]
        values -= c[part, None]
        values *= weight[triples.inverse[part] - first]
        low[part], high[part] = _percentiles(values, PERCENTILES)
    return low[rows.inverse], high[rows.inverse]


def _percentiles(values: np.ndarray, percentiles: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """np.percentile(values, percentiles, axis=1) (linear interpolation) by partial sorting, for a
    low and a high percentile: one partition at the low one's upper and the high one's lower order
    statistic; their neighbours are then the largest below and the smallest above."""
    size = values.shape[1]
    low_position, high_position = (percentile / 100.0 * (size - 1) for percentile in percentiles)
    low_below, high_below = int(np.floor(low_position)), int(np.floor(high_position))
    low_above, high_above = min(low_below + 1, size - 1), min(high_below + 1, size - 1)
    if not (0 < low_above <= high_below < size - 1):  # tiny draws: the general way
        kth = sorted({low_below, low_above, high_below, high_above})
        values.partition(kth, axis=1)
        below_low, above_low = values[:, low_below], values[:, low_above]
        below_high, above_high = values[:, high_below], values[:, high_above]
    else:
        values.partition(sorted({low_above, high_below}), axis=1)
        above_low, below_high = values[:, low_above], values[:, high_below]
        below_low = values[:, :low_above].max(axis=1) if low_below < low_above else above_low
        above_high = values[:, high_below + 1:].min(axis=1) if high_above > high_below else below_high
    low = below_low + (low_position - low_below) * (above_low - below_low)
    high = below_high + (high_position - high_below) * (above_high - below_high)
    return low, high
