"""From purchases to the per-customer summary the models need, and its compression into weights.

The summary (Fader, Hardie & Lee 2005, section 3; Fader & Hardie 2013, section 2):

* purchases on the same day are one transaction, their revenue summed;
* x: repeat transactions, the distinct purchase days after the first;
* t_x: weeks from the first purchase day to the last one (0 when x = 0);
* T: weeks from the first purchase day to the end of the calibration period (the as-of date);
* m: the mean revenue of the repeat transactions (the first day excluded), for x > 0.

Weeks are whole days / 7. In the dbt project this summary is computed in SQL
(int_customers_summarised); `summarise_purchases` is the same rule in pandas, for the
holdout check (clv.holdout, which summarises the calibration period itself) and the CDNOW tests.

The likelihoods depend on a customer only through (x, t_x, T) (BG/NBD) or (x, m) (Gamma-Gamma),
and purchase dates are whole days, so many customers share the same row. `compress_rows` keeps
one row per distinct combination with a weight (the number of customers), which is what makes
fitting a million customers cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_WEEK = 7.0
# compress_rows counts rows per possible code (rather than hashing) while there are at most this
# many possible codes per row: the counts take at most 8 bytes x this per row.
DENSE_CODES_PER_ROW = 4
# Columns whose values are whole multiples of 1 / these (whole numbers; whole days in weeks) are
# ranked by their whole number (`_column_ranks`).
WHOLE_UNITS_PER_VALUE = (1.0, DAYS_PER_WEEK)


@dataclass(frozen=True)
class CompressedRows:
    """Distinct rows of some columns, the number (or total weight) of original rows of each, and
    for every original row the index of its distinct row (so values computed per distinct row
    expand back with `values[inverse]`; None when not asked for, see `compress_rows`)."""

    columns: tuple[np.ndarray, ...]
    weights: np.ndarray
    inverse: np.ndarray | None

    def __len__(self) -> int:
        return len(self.weights)


def compress_rows(*columns: np.ndarray, weights: np.ndarray | None = None, inverse: bool = True) -> CompressedRows:
    """Group identical rows of the given equally long 1-D columns.

    The distinct rows come out sorted (by the first column, then the second, ...), whatever the
    order of the input: the likelihoods sum over these rows, and a sum of floats depends on its
    order, so the same customers in another order (a database returns rows in no fixed order)
    must give the same rows in the same order, hence bit-identical fits.

    How: each column is coded by the rank of its value among the column's distinct values
    (pandas.factorize, hash-based, then sorted), and a row by the mixed-radix number of its
    columns' ranks, whose order is the rows' order. Then, the fastest that applies:

    * few possible codes (at most DENSE_CODES_PER_ROW per row, e.g. (x, T): a hundred x values
      times 730 days): a count per possible code (np.bincount), no hashing;
    * without weights and with inverse=False (what a fit needs: the distinct rows and how many
      customers have each): one sort of the codes; `inverse` is then None;
    * otherwise the codes are hashed again (pandas.factorize) for the inverse.
    """
    if not columns:
        raise ValueError("compress_rows needs at least one column")
    arrays = [np.asarray(column) for column in columns]
    size = len(arrays[0])
    if any(len(array) != size for array in arrays):
        raise ValueError("columns must have the same length")
    if size == 0:
        empty = tuple(array[:0] for array in arrays)
        return CompressedRows(empty, np.zeros(0), np.zeros(0, dtype=np.intp) if inverse else None)

    codes, distinct_values, cardinality = _row_codes(arrays)
    if cardinality <= DENSE_CODES_PER_ROW * size:
        distinct_codes = np.flatnonzero(np.bincount(codes, minlength=cardinality))
        rank = np.empty(cardinality, dtype=np.intp)
        rank[distinct_codes] = np.arange(len(distinct_codes), dtype=np.intp)
        row_index = rank[codes]
    elif not inverse and weights is None and distinct_values is not None:
        keys = np.sort(codes)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        counts = np.diff(np.r_[starts, size]).astype(float)
        return CompressedRows(_decode(keys[starts], distinct_values), counts, None)
    else:
        row_index, distinct_codes = pd.factorize(codes, sort=True)
        row_index = row_index.astype(np.intp)
    count = len(distinct_codes)
    if distinct_values is not None:
        distinct = _decode(distinct_codes, distinct_values)
    else:  # any row of a group holds the group's values (they are identical)
        representative = np.empty(count, dtype=np.intp)
        representative[row_index] = np.arange(size, dtype=np.intp)
        distinct = tuple(array[representative] for array in arrays)
    # whole-number weights (customers) add up exactly in any order
    row_weights = np.bincount(row_index, weights=weights, minlength=count).astype(float)
    return CompressedRows(distinct, row_weights, row_index if inverse else None)


def _row_codes(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray] | None, int]:
    """Per row an int64 code ordered as the rows are lexicographically, per column its sorted
    distinct values (None when the codes had to be renumbered to fit 63 bits: not decodable), and
    the number of possible codes."""
    codes = np.zeros(len(arrays[0]), dtype=np.int64)
    cardinality = 1
    distinct_values: list[np.ndarray] | None = []
    for array in arrays:
        ranks, values = _column_ranks(array)
        if cardinality * len(values) >= 2**62:  # the code would overflow: renumber it (in order)
            codes, distinct_codes = pd.factorize(codes, sort=True)
            cardinality = len(distinct_codes)
            distinct_values = None
        codes = codes * len(values) + ranks
        cardinality *= len(values)
        if distinct_values is not None:
            distinct_values.append(values)
    return codes, distinct_values, cardinality


def _column_ranks(array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row the rank of its value among the column's distinct values, and those values sorted.

    The fastest exact way that applies: whole numbers, or whole days in weeks (k / 7), over a
    range of at most DENSE_CODES_PER_ROW per row are ranked with a table of their whole numbers
    (np.bincount); a column with mostly distinct values (as a mean spend) by sorting it
    (np.unique, vectorised); otherwise by hashing (pandas.factorize). All three give the same
    ranks and values.
    """
    sample = array[:: max(1, len(array) // 4096)]
    for per_unit in WHOLE_UNITS_PER_VALUE if array.dtype.kind == "f" else ():
        if not np.array_equal(np.rint(sample * per_unit) / per_unit, sample):  # cheap test first
            continue
        whole = np.rint(array * per_unit)
        low, high = whole.min(), whole.max()
        if (np.isfinite(low) and np.isfinite(high) and high - low <= DENSE_CODES_PER_ROW * len(array)
                and np.array_equal(whole / per_unit, array)):
            whole -= low
            offset = whole.astype(np.intp)
            present = np.flatnonzero(np.bincount(offset))
            rank = np.empty(int(high - low) + 1, dtype=np.intp)
            rank[present] = np.arange(len(present), dtype=np.intp)
            return rank[offset], (present + low) / per_unit
        break
    if len(pd.unique(sample)) > len(sample) // 2:
        values, ranks = np.unique(array, return_inverse=True)
        return ranks, values
    ranks, values = pd.factorize(array, sort=True, use_na_sentinel=False)
    return ranks, np.asarray(values)


def _decode(codes: np.ndarray, distinct_values: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """The columns of rows given by their mixed-radix codes (`_row_codes`)."""
    columns = []
    for values in reversed(distinct_values):
        codes, rank = np.divmod(codes, len(values))
        columns.append(values[rank])
    return tuple(reversed(columns))


def summarise_purchases(
    customer_ids: np.ndarray,
    purchase_dates: np.ndarray,
    revenues: np.ndarray,
    as_of_date: np.datetime64 | str,
) -> pd.DataFrame:
    """The per-customer summary (module docstring) of purchases dated on or before the as-of date.

    Returns one row per customer with a purchase: customer_id, x, t_x, T (weeks), and
    monetary_value (mean revenue of the repeat purchase days; NaN when x = 0).
    """
    as_of = np.datetime64(as_of_date, "D")
    frame = pd.DataFrame(
        {
            "customer_id": np.asarray(customer_ids),
            "day": np.asarray(purchase_dates, dtype="datetime64[D]"),
            "revenue": np.asarray(revenues, dtype=float),
        }
    )
    frame = frame[frame["day"] <= as_of]
    days = frame.groupby(["customer_id", "day"], as_index=False, sort=True)["revenue"].sum()
    first_day = days.groupby("customer_id")["day"].transform("min")
    days["is_repeat"] = days["day"] > first_day
    per_customer = days.groupby("customer_id").agg(
        first_day=("day", "min"),
        last_day=("day", "max"),
        purchase_days=("day", "size"),
    )
    repeat_revenue = days[days["is_repeat"]].groupby("customer_id")["revenue"].mean()
    summary = pd.DataFrame(
        {
            "customer_id": per_customer.index.to_numpy(),
            "x": (per_customer["purchase_days"] - 1).to_numpy(),
            "t_x": _weeks(per_customer["last_day"] - per_customer["first_day"]),
            "T": _weeks(as_of - per_customer["first_day"]),
            "monetary_value": repeat_revenue.reindex(per_customer.index).to_numpy(),
        }
    )
    return summary


def _weeks(durations: pd.Series) -> np.ndarray:
    """Whole days of a timedelta series as weeks."""
    return (durations.dt.days.to_numpy() / DAYS_PER_WEEK).astype(float)
