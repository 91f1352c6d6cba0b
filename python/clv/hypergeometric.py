"""The Gauss hypergeometric series, summed safely and fast for the BG/NBD conditional expectation.

2F1(a, b; c; z) = sum_{n>=0} (a)_n (b)_n / ((c)_n n!) z^n, with (q)_n the rising factorial
(Abramowitz & Stegun 15.1.1). For 0 <= z < 1 the series converges; the ratio of consecutive
terms is

    term_{n+1} / term_n = (a + n)(b + n) z / ((c + n)(n + 1)),

which tends to z, so the series converges geometrically once n exceeds |a|, |b| and |c|.

Why not scipy.special.hyp2f1 on the textbook formula: the BG/NBD expectation (Fader, Hardie &
Lee 2005, eq. 10) needs (1 - z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z). For a frequent buyer
(x in the thousands) the 2F1 factor is astronomically large (of order (1-z)^-(x)) and the
(1 - z)^(r+x) factor astronomically small: each overflows or underflows double precision while
their product is of order one. `clv.bgnbd` therefore applies Euler's transformation
(A&S 15.3.3),

    2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z),

which turns the product into (1 - z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): the two upper
parameters no longer grow with x, the lower one does, and the terms shrink like x^-n. The
series below sums it with every term of moderate size.

The summation is vectorised over rows and advances all unconverged rows together in chunks of
terms (a cumulative product along a 2-D block), so a row that needs thousands of terms (z close
to 1) costs a few NumPy calls rather than thousands of Python iterations.
"""

from __future__ import annotations

import numpy as np

# Relative precision at which a row stops: the bound on the remaining tail of the series.
DEFAULT_TOLERANCE = 1e-15
# Hard limit on the number of terms per row; rows beyond it are reported as not converged.
DEFAULT_MAX_TERMS = 1_000_000
# Size of the 2-D block of terms evaluated per step: about this many elements.
_BLOCK_ELEMENTS = 1 << 20


def hypergeometric_series(
    a: np.ndarray | float,
    b: np.ndarray | float,
    c: np.ndarray | float,
    z: np.ndarray | float,
    first_term: np.ndarray | float = 1.0,
    first_index: int = 0,
    tolerance: float = DEFAULT_TOLERANCE,
    scale: np.ndarray | float = 0.0,
    max_terms: int = DEFAULT_MAX_TERMS,
) -> tuple[np.ndarray, np.ndarray]:
    """Sum the hypergeometric series from term number `first_index` on, elementwise.

    The terms follow the 2F1 recurrence term_{n+1} = term_n (a+n)(b+n) z / ((c+n)(n+1)),
    starting with `first_term` as term number `first_index`. With first_term = 1 and
    first_index = 0 this is 2F1(a, b; c; z) itself (A&S 15.1.1); other starts sum a tail or a
    rescaled series (as `clv.bgnbd` does).

    A row stops when the rest of the series is provably small: once n is past every root and
    pole of the ratio (so every later term has the sign of the current one), the ratio is
    1 + (k m + l) / ((c + m)(m + 1)) times z with k = a + b - c - 1 and l = ab - c, and for
    every m >= n it is at most rho = z (1 + e_n), e_n an upper bound of that excess over m >= n
    (see `_ratio_bound`). The tail is then at most |term_n| rho / (1 - rho) (a geometric
    series); the row stops when that is at most `tolerance` x (|partial sum| + `scale`).

    Requires 0 <= z < 1 and c + n != 0 for every n summed. Returns (sums, converged): rows that
    did not converge within `max_terms` terms or overflowed have converged = False and a sum of
    NaN.
    """
    # upper parameters common to every row (as in `clv.bgnbd`) stay scalars: the ratio's numerator
    # is then one value per term number, not per row and term
    common = np.ndim(a) == 0 and np.ndim(b) == 0
    c, z, first_term, scale = np.broadcast_arrays(
        *(np.asarray(value, dtype=float) for value in (c, z, first_term, scale)), *(() if common else (a, b))
    )[:4]
    shape = z.shape
    c, z, first_term, scale = (np.ravel(value) for value in (c, z, first_term, scale))
    if common:
        a, b = float(a), float(b)
    else:
        a, b = (np.ravel(np.broadcast_to(np.asarray(value, dtype=float), shape)) for value in (a, b))
    if np.any((z < 0) | (z >= 1)):
        raise ValueError("hypergeometric_series needs 0 <= z < 1")

    total = first_term.copy()
    converged = np.zeros(total.shape, dtype=bool)
    # from this term number on, every factor of the ratio is positive
    positive_from = np.ceil(np.maximum(np.maximum(-c, 0.0), max(-a, -b) if common else np.maximum(-a, -b))) + 1

    # working copies of the unconverged rows, compacted as rows finish
    rows = np.flatnonzero(np.isfinite(first_term))
    work = {"c": c[rows], "z": z[rows], "scale": scale[rows], "from": positive_from[rows],
            "term": first_term[rows], "sum": first_term[rows]}
    if not common:
        work.update(a=a[rows], b=b[rows])
    n = first_index
    while rows.size and n - first_index < max_terms:
        block = int(np.clip(_BLOCK_ELEMENTS // rows.size, 8, 4096))
        # one line per term number n+k -> n+k+1, one column per row: the running product goes down
        # the columns, each step a vector operation over all rows
        steps = (n + np.arange(block, dtype=float))[:, None]
        upper_a, upper_b = (a, b) if common else (work["a"], work["b"])
        ratios = (upper_a + steps) * (upper_b + steps) / (steps + 1.0) * work["z"]
        ratios /= work["c"] + steps
        terms = _running_product(ratios)
        terms *= work["term"]
        with np.errstate(invalid="ignore", over="ignore"):
            work["sum"] = work["sum"] + terms.sum(axis=0)
        n += block
        work["term"] = terms[-1]
        rho = work["z"] * (1.0 + _ratio_bound(upper_a, upper_b, work["c"], n))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            tail = np.abs(work["term"]) * rho / (1.0 - rho)
        done = (n >= work["from"]) & (rho < 1.0) & (tail <= tolerance * (np.abs(work["sum"]) + work["scale"]))
        broken = ~np.isfinite(work["sum"])
        finished = done & ~broken
        total[rows[finished]] = work["sum"][finished]
        converged[rows[finished]] = True
        keep = ~done & ~broken
        if not keep.all():
            rows = rows[keep]
            work = {name: values[keep] for name, values in work.items()}

    total[~converged] = np.nan
    return total.reshape(shape), converged.reshape(shape)


def _running_product(ratios: np.ndarray) -> np.ndarray:
    """The cumulative product of the lines (down axis 0), in place. Line by line, one vector
    operation over all rows each, when there are many rows: np.cumprod goes row by row, which
    took five times as long over 200,000 rows of 8 terms; np.cumprod when the rows are few."""
    if ratios.shape[1] < 1000:
        return np.cumprod(ratios, axis=0, out=ratios)
    for line in range(1, len(ratios)):
        ratios[line] *= ratios[line - 1]
    return ratios


def _ratio_bound(a: np.ndarray, b: np.ndarray, c: np.ndarray, n: int) -> np.ndarray:
    """An upper bound e_n of (a+m)(b+m)/((c+m)(m+1)) - 1 over every m >= n.

    The excess is (k m + l) / ((c+m)(m+1)) with k = a+b-c-1, l = ab-c; n is past every pole, so
    the denominator is positive and increasing in m. If k <= 0 the numerator decreases: the
    bound is max(0, k n + l) / ((c+n)(n+1)). If k > 0: k m / ((c+m)(m+1)) <= k / (n+1) x
    max(1, n / (c+n)) (m / (c+m) is at most 1 for c >= 0 and decreasing for c < 0), and the
    constant part is at most max(0, l) / ((c+n)(n+1)).
    """
    slope = a + b - c - 1.0
    intercept = a * b - c
    denominator = (c + n) * (n + 1.0)
    decreasing = np.maximum(0.0, slope * n + intercept) / denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        increasing = slope / (n + 1.0) * np.maximum(1.0, n / (c + n)) + np.maximum(0.0, intercept) / denominator
    return np.where(slope <= 0.0, decreasing, increasing)


def hyp2f1(a, b, c, z, tolerance: float = DEFAULT_TOLERANCE, max_terms: int = DEFAULT_MAX_TERMS) -> np.ndarray:
    """2F1(a, b; c; z) for 0 <= z < 1 by its power series (A&S 15.1.1); NaN where it fails.

    Adequate when the terms stay moderate (they do after Euler's transformation in
    `clv.bgnbd`); for general arguments prefer scipy.special.hyp2f1.
    """
    values, _ = hypergeometric_series(a, b, c, z, tolerance=tolerance, max_terms=max_terms)
    return values
