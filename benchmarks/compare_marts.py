"""Compare the public marts computed three ways: the dbt project, the hand-written DuckDB script and
pandas (benchmarks/README.md). Same rows, same keys; counts, ranks, labels and dates exactly,
money to the cent (within half a cent of the exact value: the project rounds money to 2
decimals at the presentation edge) and shares and rates to 1e-6.

The script and dbt are compared on every mart the script computes (history and upside included),
in SQL, since the history has a row per customer and period; pandas, which computes the marts of
docs/rules.md sections 2 to 5 only, on those (SECTIONS_2_TO_5), as data frames.

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
    "value_upside": ["value_tier"],
    "customer_value_history": ["customer_id", "period_end"],
    "tier_migration": ["period_end", "previous_tier", "value_tier"],
    "rejected_counts": ["source_table", "reason"],
}
# The columns of docs/rules.md sections 4 and 5 (credit notes of section 13 included) that do not
# depend on the predicted lifetime value.
SECTIONS_2_TO_5 = {
    "customer_value": [
        "customer_id", "orders_count", "returned_orders_count", "cancelled_orders_count", "first_ordered_at",
        "last_ordered_at", "recency_days", "tenure_days", "revenue", "refunded_revenue", "refunds_count",
        "refund_rate", "cogs", "gross_margin", "cost_to_serve",
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
# Every public mart column the script computes: sections 2 to 5, the history (9) and the upside (10).
COLUMNS = {
    **SECTIONS_2_TO_5,
    "customer_value": SECTIONS_2_TO_5["customer_value"] + [
        "annual_value_tier", "previous_annual_value_tier", "is_top_lost", "upside_to_next_decile", "loss_avoidable",
    ],
    "value_upside": [
        "value_tier", "customers", "margin_after_cost_to_serve", "customers_with_upgrade_potential",
        "upside_to_next_decile", "loss_avoidable", "upside_share_of_tier_margin", "upside_share_of_total_margin",
    ],
    "customer_value_history": [
        "customer_id", "period_end", "value_tier", "value_decile", "revenue", "gross_margin", "cost_to_serve",
        "margin_after_cost_to_serve", "orders_count",
    ],
    "tier_migration": [
        "period_end", "previous_tier", "value_tier", "customers", "margin_after_cost_to_serve",
        "previous_margin_after_cost_to_serve",
    ],
}
MONEY = {
    "revenue", "refunded_revenue", "cogs", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve",
    "average_order_value", "indirect_value", "upside_to_next_decile", "loss_avoidable",
    "previous_margin_after_cost_to_serve",
}
RATIOS = {
    "margin_after_cost_to_serve_rate", "top_cost_activity_share", "cumulative_margin_share", "share_of_total_margin",
    "cumulative_share_of_total_margin", "share_of_customers", "cumulative_revenue_share", "refund_rate",
    "upside_share_of_tier_margin", "upside_share_of_total_margin",
}
MONEY_TOLERANCE = 0.005 + 1e-9
RATIO_TOLERANCE = 1e-6
# rejected_rows counted like the other two count their rejected rows
DBT_REJECTED_COUNTS = "select source_table, reason, count(*) as rejected_rows from {rejected_rows} group by all"


def from_connection(con: duckdb.DuckDBPyConnection, columns: dict[str, list[str]] = SECTIONS_2_TO_5,
                    ) -> dict[str, pd.DataFrame]:
    """The result tables of the hand-written script (or any connection holding tables of these names)."""
    return {table: con.execute(f"select * from {table}").df() for table in columns}


def from_dbt(database: Path, columns: dict[str, list[str]] = SECTIONS_2_TO_5) -> dict[str, pd.DataFrame]:
    """The marts of a dbt build, and its rejected rows counted like the other two."""
    with duckdb.connect(str(database), read_only=True) as con:
        results = {
            table: con.execute(f"select {', '.join(columns[table])} from main.{table}").df()
            for table in columns if table != "rejected_counts"
        }
        results["rejected_counts"] = con.execute(DBT_REJECTED_COUNTS.format(rejected_rows="main.rejected_rows")).df()
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


def compare(expected: dict[str, pd.DataFrame], actual: dict[str, pd.DataFrame], limit: int = 5,
            columns: dict[str, list[str]] = SECTIONS_2_TO_5) -> list[str]:
    """Differences between two sets of marts held as data frames, as readable lines (empty when they agree)."""
    problems = []
    for table, names in columns.items():
        keys = KEYS[table]
        left = expected[table][names].set_index(keys)
        right = actual[table][names].set_index(keys)
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


def agrees(column: str) -> str:
    """SQL: the script's and dbt's value of a column of table `compared` agree, by the tolerances of same()."""
    a, b = f'"script_{column}"', f'"dbt_{column}"'
    if column in MONEY:
        tolerance = MONEY_TOLERANCE
    elif column in RATIOS:
        tolerance = RATIO_TOLERANCE
    else:
        return f"{a} is not distinct from {b}"
    return f"(({a} is null and {b} is null) or abs(cast({a} as double) - cast({b} as double)) <= {tolerance})"


def compare_with_dbt(handwritten: duckdb.DuckDBPyConnection, dbt_database: Path, limit: int = 5,
                     columns: dict[str, list[str]] = COLUMNS) -> list[str]:
    """Differences between the script's marts (tables of `handwritten`) and a dbt build's, compared
    in SQL (the history has a row per customer and period: millions at scale)."""
    handwritten.execute(f"attach '{str(dbt_database).replace(chr(39), chr(39) * 2)}' as dbt_build (read_only)")
    try:
        return [problem for table, names in columns.items()
                for problem in table_problems(handwritten, table, names, limit)]
    finally:
        handwritten.execute("detach dbt_build")


def table_problems(con: duckdb.DuckDBPyConnection, table: str, names: list[str], limit: int) -> list[str]:
    keys = KEYS[table]
    dbt_side = (f"({DBT_REJECTED_COUNTS.format(rejected_rows='dbt_build.main.rejected_rows')})"
                if table == "rejected_counts" else f"dbt_build.main.{table}")
    sides = ", ".join(f'a."{name}" as "script_{name}", b."{name}" as "dbt_{name}"' for name in names)
    con.execute(f"""
        create or replace temp table compared as
        select {sides}, a.in_script, b.in_dbt
        from (select {', '.join(names)}, true as in_script from {table}) as a
        full outer join (select {', '.join(names)}, true as in_dbt from {dbt_side}) as b
            on {' and '.join(f'a.{key} = b.{key}' for key in keys)}
    """)
    a_keys, b_keys = ", ".join(f"script_{key}" for key in keys), ", ".join(f"dbt_{key}" for key in keys)
    problems = []
    only_script = con.execute(f"select {a_keys} from compared where in_dbt is null order by all").fetchall()
    only_dbt = con.execute(f"select {b_keys} from compared where in_script is null order by all").fetchall()
    if only_script or only_dbt:
        problems.append(f"{table}: {len(only_script)} rows only in the first ({only_script[:limit]}),"
                        f" {len(only_dbt)} only in the second ({only_dbt[:limit]})")
    for column in (name for name in names if name not in keys):
        differing = con.execute(
            f'select {a_keys}, "script_{column}", "dbt_{column}" from compared'
            f" where in_script and in_dbt and not {agrees(column)} order by all"
        ).fetchall()
        if differing:
            problems.append(f"{table}.{column}: {len(differing)} rows differ, e.g. {differing[:limit]}")
    con.execute("drop table compared")
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
    handwritten = duckdb_compute(args.raw)
    sides = {"pandas": compare(from_connection(handwritten), pandas_compute(args.raw))}
    if args.dbt_database:
        sides["dbt"] = compare_with_dbt(handwritten, args.dbt_database)
    for name, problems in sides.items():
        print(f"hand-written DuckDB vs {name}: {'same marts' if not problems else 'DIFFERENT'}")
        for line in problems:
            print("  " + line)


if __name__ == "__main__":
    main()
