"""Compare the public marts computed three ways: the dbt project, the hand-written DuckDB script and
pandas (benchmarks/README.md). Same rows, same keys; counts, ranks, labels and dates exactly,
money to the cent (within half a cent of the exact value: the project rounds money to 2
decimals at the presentation edge) and shares and rates to 1e-6.

Usage (after a build): python benchmarks/compare_marts.py --dbt-database FILE --raw DIR
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import duckdb
import pandas as pd

KEYS = {
    "customer_value": ["customer_id"],
    "customer_value_deciles": ["value_decile"],
    "value_tier_summary": ["value_tier"],
    "whale_curve": ["customer_percentile"],
    "rejected_counts": ["source_table", "reason"],
}
# The columns of docs/rules.md, section 4 and 5 that do not depend on the predicted lifetime value.
COLUMNS = {
    "customer_value": [
        "customer_id", "orders_count", "returned_orders_count", "cancelled_orders_count", "first_ordered_at",
        "last_ordered_at", "recency_days", "tenure_days", "revenue", "cogs", "gross_margin", "cost_to_serve",
        "margin_after_cost_to_serve", "margin_after_cost_to_serve_rate", "average_order_value",
        "top_cost_activity", "top_cost_activity_share", "indirect_value", "value_rank", "value_decile",
        "spend_decile", "cumulative_margin_share", "is_unprofitable", "value_tier", "recency_score",
        "frequency_score", "monetary_score", "rfm_segment", "frequency_spend_band", "service_level",
        "upgrade_reasons", "has_upgrade_potential", "service_priority",
    ],
    "customer_value_deciles": [
        "value_decile", "customers", "revenue", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve",
        "share_of_total_margin", "cumulative_share_of_total_margin", "unprofitable_customers",
    ],
    "value_tier_summary": [
        "value_tier", "customers", "share_of_customers", "revenue", "margin_after_cost_to_serve",
        "share_of_total_margin", "customers_with_upgrade_potential",
    ],
    "whale_curve": ["customer_percentile", "customers_included", "cumulative_revenue_share", "cumulative_margin_share"],
    "rejected_counts": ["source_table", "reason", "rejected_rows"],
}
MONEY = {
    "revenue", "cogs", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve", "average_order_value",
    "indirect_value",
}
RATIOS = {
    "margin_after_cost_to_serve_rate", "top_cost_activity_share", "cumulative_margin_share", "share_of_total_margin",
    "cumulative_share_of_total_margin", "share_of_customers", "cumulative_revenue_share",
}
MONEY_TOLERANCE = 0.005 + 1e-9
RATIO_TOLERANCE = 1e-6


def from_connection(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The result tables of the hand-written script (or any connection holding tables of these names)."""
    return {table: con.execute(f"select * from {table}").df() for table in KEYS}


def from_dbt(database: Path) -> dict[str, pd.DataFrame]:
    """The marts of a dbt build, and its rejected rows counted like the other two."""
    with duckdb.connect(str(database), read_only=True) as con:
        results = {
            table: con.execute(f"select {', '.join(COLUMNS[table])} from main.{table}").df()
            for table in KEYS if table != "rejected_counts"
        }
        results["rejected_counts"] = con.execute(
            "select source_table, reason, count(*) as rejected_rows from main.rejected_rows group by all"
        ).df()
    return results


def normalise(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def same(column: str, a, b) -> bool:
    a, b = normalise(a), normalise(b)
    if a is None or b is None:
        return a is None and b is None
    if column in MONEY:
        return abs(float(a) - float(b)) <= MONEY_TOLERANCE
    if column in RATIOS:
        return abs(float(a) - float(b)) <= RATIO_TOLERANCE
    if (isinstance(a, (int, float)) and isinstance(b, (int, float))
            and not isinstance(a, bool) and not isinstance(b, bool)):
        return float(a) == float(b)
    if hasattr(a, "isoformat") and hasattr(b, "isoformat"):
        return pd.Timestamp(a) == pd.Timestamp(b)
    return a == b


def compare(expected: dict[str, pd.DataFrame], actual: dict[str, pd.DataFrame], limit: int = 5) -> list[str]:
    """Differences between two sets of marts, as readable lines (empty when they agree)."""
    problems = []
    for table, keys in KEYS.items():
        left = expected[table][COLUMNS[table]].set_index(keys)
        right = actual[table][COLUMNS[table]].set_index(keys)
        missing, extra = left.index.difference(right.index), right.index.difference(left.index)
        if len(missing) or len(extra):
            problems.append(f"{table}: {len(missing)} rows only in the first ({list(missing[:limit])}),"
                            f" {len(extra)} only in the second ({list(extra[:limit])})")
        right = right.reindex(left.index)
        for column in left.columns:
            differing = [key for key, a, b in zip(left.index, left[column], right[column], strict=True)
                         if not same(column, a, b)]
            if differing:
                examples = [(key, normalise(left.at[key, column]), normalise(right.at[key, column]))
                            for key in differing[:limit]]
                problems.append(f"{table}.{column}: {len(differing)} rows differ, e.g. {examples}")
    return problems


def main() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from handwritten_duckdb import compute as duckdb_compute
    from pandas_marts import compute as pandas_compute

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--dbt-database", type=Path)
    args = parser.parse_args()
    handwritten = from_connection(duckdb_compute(args.raw))
    sides = {"pandas": pandas_compute(args.raw)}
    if args.dbt_database:
        sides["dbt"] = from_dbt(args.dbt_database)
    for name, results in sides.items():
        problems = compare(handwritten, results)
        print(f"hand-written DuckDB vs {name}: {'same marts' if not problems else 'DIFFERENT'}")
        for line in problems:
            print("  " + line)


if __name__ == "__main__":
    main()
