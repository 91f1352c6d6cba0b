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

Work per customer and draw is a few gathers, multiplications and one division on tables per
distinct value (`_DrawTables`: DE and two factors of the P(alive) odds per distinct (x, T) and
(x, t_x), the spend factor per distinct x), without an exp or a log: at 1,000 draws x 400,000
customer profiles, one exp per cell alone took 4 s. Customers with identical inputs are evaluated
once (`clv.data.compress_rows`), in chunks that fit the core's cache; the tables are built for a
block of adjacent x values at a time, so memory stays bounded. The two percentiles come from two
partitions at one position each (`_percentiles`).
"""

from __future__ import annotations

from collections.abc import Callable

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
CHUNK_CELLS = 65_536  # customers x draws evaluated at a time: half a megabyte, in the core's cache
BLOCK_ROWS = 2_000  # (x, T) and (x, t_x) rows whose tables (one value per draw) are held at a time
FACTOR_EXPONENT = 350.0  # largest |exponent| of the factored P(alive) odds (_DrawTables)


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
) -> Callable[[slice], np.ndarray]:
    """log DE of the (x, T) rows under every draw (module docstring), as a function of a range of
    the rows returning shape (rows in the range, draws): the quadratic's 15 coefficients per row are
    kept, not the table of rows x draws, so memory stays bounded whatever the number of rows."""
    if exact:
        table = np.stack([
            np.log(purchases_if_alive(BgNbdParams(*draw), x, T, horizon_months, annual_discount_rate)[1])
            for draw in purchase_draws
        ], axis=1)
        return lambda rows: table[rows]
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
    # the quadratic through base, plus, minus and the points unit[j] + unit[k], j < k (15 evaluations):
    # coefficients of 1, delta_j and delta_j delta_k (j <= k) per row
    terms = [(j, k) for j in range(size) for k in range(j, size)]
    coefficients = np.empty((len(x), 1 + size + len(terms)))
    coefficients[:, 0] = base
    for j in range(size):
        coefficients[:, 1 + j] = (plus[j] - minus[j]) / 2.0
    for column, (j, k) in enumerate(terms, start=1 + size):
        if j == k:
            coefficients[:, column] = (plus[j] - 2.0 * base + minus[j]) / 2.0
        else:
            coefficients[:, column] = log_de(unit[j] + unit[k]) - plus[j] - plus[k] + base
    delta = (np.log(purchase_draws) - centre) / steps
    features = np.stack([np.ones(len(delta)), *delta.T, *(delta[:, j] * delta[:, k] for j, k in terms)])
    # not BLAS (see fitting.weighted_sum): einsum's own loop
    return lambda rows: np.einsum("ij,jk->ik", coefficients[rows], features)


class _DrawTables:
    """Per distinct value, what the CLV of a customer under every draw is made of (module
    docstring), so that the work per customer and draw is a few gathers and multiplications:

    * spend: S_k(x, m) = p_k (gamma_k + m x) / (p_k x + q_k - 1), from the row gamma_k and the
      table p_k / (p_k x + q_k - 1) per distinct x;
    * P(alive): 1 / (1 + odds), odds = exp(E_k(x, T) + F_k(x, t_x)) with
      E = log a - log(b+x-1) + (r+x)(log(alpha+T) - s), F = -(r+x)(log(alpha+t_x) - s)
      (s_k the middle of the logs, which keeps E and F small), so that odds = exp(E) exp(F) is a
      product of two tables per distinct (x, T) and (x, t_x) rather than one exp per customer and
      draw; exact to rounding (relative 1e-13) while |E| and |F| stay below FACTOR_EXPONENT (then
      exp(E) exp(F) neither overflows nor underflows), which holds for every x up to `x_factored`
      (some 200 to 300 repeat purchases at CDNOW's estimates); above it, odds = exp(E + F) per customer;
    * DE: exp of the quadratic (`_log_discounted_if_alive`) per distinct (x, T).

    The tables per (x, T) and (x, t_x) have a row per draw; they are built for a block of
    adjacent x values at a time (`blocks`), at most BLOCK_ROWS rows, so that memory stays bounded.
    """

    def __init__(self, purchase_draws, spend_draws, x, t_x, T, by_T, by_t_x, log_discounted):
        r, alpha, a, b = (purchase_draws[:, j][None, :] for j in range(4))
        p, q, gamma = (spend_draws[:, j] for j in range(3))
        self.by_T, self.by_t_x, self.log_discounted = by_T, by_t_x, log_discounted
        by_x = compress_rows(x)
        self.x_values, self.x_index = by_x.columns[0], by_x.inverse
        xs = self.x_values[:, None]
        # gamma_k repeated on the rows of a chunk: adding a column to a full array is three times as
        # fast as adding a row and a column
        self.gamma_rows = np.tile(gamma, (max(1, CHUNK_CELLS // len(gamma)), 1))
        self.spend_factor = p / (p * xs + q - 1.0)
        T_values, t_x_values = np.unique(T), np.unique(t_x)
        middle = (np.log(alpha + min(t_x_values[0], T_values[0])) + np.log(alpha + T_values[-1])) / 2.0
        self.log_T = np.log(alpha + T_values[:, None]) - middle
        self.log_t_x = np.log(alpha + t_x_values[:, None]) - middle
        self.r_x = r + xs
        with np.errstate(divide="ignore", invalid="ignore"):
            self.log_odds_base = np.where(xs > 0, np.log(a) - np.log(b + xs - 1.0), 0.0)
        # indices of each row, and of each (x, T) and (x, t_x) row, into the tables per value
        self.T_index, self.t_x_index = np.searchsorted(T_values, T), np.searchsorted(t_x_values, t_x)
        self.pair_T_index = np.searchsorted(T_values, by_T.columns[1])
        self.pair_t_x_index = np.searchsorted(t_x_values, by_t_x.columns[1])
        self.pair_T_x_index = np.searchsorted(self.x_values, by_T.columns[0])
        self.pair_t_x_x_index = np.searchsorted(self.x_values, by_t_x.columns[0])
        largest = np.maximum(np.abs(self.log_T).max(axis=0), np.abs(self.log_t_x).max(axis=0))
        exponent_bound = (np.abs(self.log_odds_base) + self.r_x * largest).max(axis=1)
        factored = (self.x_values == 0) | (exponent_bound <= FACTOR_EXPONENT)
        self.x_factored = int(np.argmin(factored)) if not factored.all() else len(self.x_values)

    def blocks(self):
        """(rows, (x, T) rows, (x, t_x) rows, factored) for blocks of adjacent x values: x is the
        rows' first sort key, so each block is a range of the rows and of both pair tables."""
        starts = [np.searchsorted(self.x_index, np.arange(len(self.x_values) + 1)),
                  np.searchsorted(self.pair_T_x_index, np.arange(len(self.x_values) + 1)),
                  np.searchsorted(self.pair_t_x_x_index, np.arange(len(self.x_values) + 1))]
        first = 0
        for last in range(1, len(self.x_values) + 1):
            size = starts[1][last] - starts[1][first] + starts[2][last] - starts[2][first]
            ends_block = (last == len(self.x_values) or last == self.x_factored
                          or size + starts[1][last + 1] - starts[1][last] + starts[2][last + 1] - starts[2][last]
                          > BLOCK_ROWS)
            if ends_block:
                yield tuple(slice(start[first], start[last]) for start in starts) + (first < self.x_factored,)
                first = last

    def block_tables(self, pairs_T: slice, pairs_t_x: slice, factored: bool):
        """(DE, exp(E), exp(F)) for the (x, T) and (x, t_x) rows of a block (exp(E), exp(F) None
        unless factored); x = 0 rows get exp(E) = 0 (no repeat purchase: alive)."""
        discounted = np.exp(self.log_discounted(pairs_T))
        if not factored:
            return discounted, None, None
        x_index = self.pair_T_x_index[pairs_T]
        first = self.log_T[self.pair_T_index[pairs_T]]
        first *= self.r_x[x_index]
        first += self.log_odds_base[x_index]
        np.exp(first, out=first)
        first[self.x_values[x_index] == 0] = 0.0
        x_index = self.pair_t_x_x_index[pairs_t_x]
        second = self.log_t_x[self.pair_t_x_index[pairs_t_x]]
        second *= -self.r_x[x_index]
        np.exp(second, out=second)
        return discounted, first, second

    def values(self, rows: slice, pairs_T: slice, pairs_t_x: slice, tables, m, g, c) -> np.ndarray:
        """The predicted CLV of the rows under every draw, shape (rows, draws): DE P(alive) (S g - c)."""
        discounted, first, second = tables
        x_index = self.x_index[rows]
        if first is not None:
            odds = first[self.by_T.inverse[rows] - pairs_T.start]
            odds *= second[self.by_t_x.inverse[rows] - pairs_t_x.start]
        else:
            odds = self.log_T[self.T_index[rows]]
            odds -= self.log_t_x[self.t_x_index[rows]]
            odds *= self.r_x[x_index]
            odds += self.log_odds_base[x_index]
            np.minimum(odds, 700.0, out=odds)
            np.exp(odds, out=odds)
        odds += 1.0
        values = self.gamma_rows[:rows.stop - rows.start] + (m[rows] * self.x_values[x_index])[:, None]
        values *= self.spend_factor[x_index]
        values *= g[rows, None]
        values -= c[rows, None]
        values *= discounted[self.by_T.inverse[rows] - pairs_T.start]
        values /= odds
        return values


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
    rows = compress_rows(x, t_x, T, m, g, c)
    low, high = np.empty(len(rows)), np.empty(len(rows))
    if len(rows) == 0:
        return low, high
    x, t_x, T, m, g, c = rows.columns
    # rows are sorted by x first: the (x, T) and (x, t_x) rows of one x are adjacent, as the rows are
    by_T, by_t_x = compress_rows(x, T), compress_rows(x, t_x)
    log_discounted = _log_discounted_if_alive(purchase_params, purchase_draws, *by_T.columns, horizon_months,
                                              annual_discount_rate, exact)
    tables = _DrawTables(purchase_draws, spend_draws, x, t_x, T, by_T, by_t_x, log_discounted)
    step = max(1, CHUNK_CELLS // draws)
    for block_rows, pairs_T, pairs_t_x, factored in tables.blocks():
        block = tables.block_tables(pairs_T, pairs_t_x, factored)
        for start in range(block_rows.start, block_rows.stop, step):
            part = slice(start, min(start + step, block_rows.stop))
            values = tables.values(part, pairs_T, pairs_t_x, block, m, g, c)
            low[part], high[part] = _percentiles(values, PERCENTILES)
    return low[rows.inverse], high[rows.inverse]


def _percentiles(values: np.ndarray, percentiles: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """np.percentile(values, percentiles, axis=1) (linear interpolation) by partial sorting, for a
    low and a high percentile: a partition at the low one's upper order statistic, then one of the
    values above it at the high one's lower order statistic (two partitions at one position each:
    numpy's partition at two positions at once took 3.5 times as long); the neighbours are
    then the largest below and the smallest above."""
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
        values.partition(low_above, axis=1)
        if high_below > low_above:
            values[:, low_above + 1:].partition(high_below - low_above - 1, axis=1)
        above_low, below_high = values[:, low_above], values[:, high_below]
        below_low = values[:, :low_above].max(axis=1) if low_below < low_above else above_low
        above_high = values[:, high_below + 1:].min(axis=1) if high_above > high_below else below_high
    low = below_low + (low_position - low_below) * (above_low - below_low)
    high = below_high + (high_position - high_below) * (above_high - below_high)
    return low, high
