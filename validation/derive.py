"""Per-row facts that rules need and plain expectations cannot compute.

Pure pandas, no GX: each function returns a Series aligned with the frame it is given, so a
suite can add it as a `check__*` column and let an expectation check it row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ntile_sizes(rows: int, buckets: int) -> dict[int, int]:
    """Rows per bucket of SQL `ntile(buckets)` over `rows` rows: the first `rows % buckets`
    buckets get one row more; buckets beyond the row count do not exist."""
    size, extra = divmod(rows, buckets)
    return {b: size + (1 if b <= extra else 0) for b in range(1, buckets + 1) if size + (b <= extra) > 0}


def ntile_of_rank(rank: pd.Series, rows: int, buckets: int) -> pd.Series:
    """The `ntile(buckets)` bucket of each 1-based position `rank` among `rows` rows."""
    size, extra = divmod(rows, buckets)
    rank = pd.to_numeric(rank, errors="coerce")
    big = extra * (size + 1)  # rows in the larger leading buckets
    leading = (rank - 1) // (size + 1) + 1
    trailing = extra + (rank - big - 1) // size + 1 if size else leading
    bucket = np.where(rank <= big, leading, trailing)
    return pd.Series(bucket, index=rank.index).where(rank.notna() & (rank >= 1) & (rank <= rows)).astype("Int64")


def follows_ntile(frame: pd.DataFrame, bucket: str, by: str, buckets: int, descending: bool) -> pd.Series:
    """True where a row's bucket is consistent with SQL `ntile(buckets) over (order by <by>)`:
    its bucket has the ntile size for the rows ranked (those with a value of `by`), and no row
    of an earlier bucket is ordered after it, nor any row of a later bucket before it.
    Ties may straddle two buckets (the tie-breaker decides), so the comparison is not strict.
    Rows without a value of `by` are not ranked and return NA (an expectation ignores them)."""
    ranked = frame[frame[by].notna()]
    result = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    if ranked.empty:
        return result
    expected_size = ranked[bucket].map(ntile_sizes(len(ranked), buckets))
    actual_size = ranked[bucket].map(ranked[bucket].value_counts())
    size_ok = expected_size.eq(actual_size).fillna(False)

    # in ranking order, bucket by bucket: the extreme values of the buckets before and after
    stats = ranked.groupby(bucket)[by].agg(["min", "max"]).sort_index()
    if descending:  # bucket 1 holds the largest values
        ceiling = stats["min"].cummin().shift(1)  # smallest value of any earlier bucket
        floor = stats["max"][::-1].cummax()[::-1].shift(-1)  # largest value of any later bucket
    else:
        floor = stats["max"].cummax().shift(1)
        ceiling = stats["min"][::-1].cummin()[::-1].shift(-1)
    value = ranked[by]
    row_ceiling = ranked[bucket].map(ceiling)
    row_floor = ranked[bucket].map(floor)
    order_ok = (row_ceiling.isna() | (value <= row_ceiling)) & (row_floor.isna() | (value >= row_floor))
    result.loc[ranked.index] = (size_ok & order_ok).astype(bool)
    return result


def value_at_next_position(frame: pd.DataFrame, position: str, value: str) -> pd.Series:
    """The `value` of the row whose `position` is this row's plus one (NA for the last)."""
    by_position = frame.set_index(position)[value]
    by_position = by_position[~by_position.index.duplicated()]
    return frame[position].add(1).map(by_position)


def value_at_previous_position(frame: pd.DataFrame, position: str, value: str) -> pd.Series:
    """The `value` of the row whose `position` is this row's minus one (NA for the first)."""
    by_position = frame.set_index(position)[value]
    by_position = by_position[~by_position.index.duplicated()]
    return frame[position].sub(1).map(by_position)


def customers_included(percentile: pd.Series, population: int) -> pd.Series:
    """ceil(p / 100 x N) with integer arithmetic (no float rounding at exact hundredths)."""
    return (percentile.astype("Int64") * population + 99) // 100


def days_between(earlier: pd.Series, later) -> pd.Series:
    """Whole days from the date of `earlier` (a timestamp) to the date `later`."""
    return (pd.Timestamp(later).normalize() - pd.to_datetime(earlier).dt.normalize()).dt.days.astype("Int64")


def share_or_null(part: pd.Series, total: float) -> pd.Series:
    """part / total, null when total <= 0 (the spec's convention for every share)."""
    if total is None or pd.isna(total) or total <= 0:
        return pd.Series(np.nan, index=part.index)
    return part / total
