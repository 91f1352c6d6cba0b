"""Run the hand-written DuckDB script (benchmarks/handwritten/customer_value.sql) on raw exports.

The script computes the public marts straight from the raw files through the duckdb Python API,
with the same threads, memory limit and insertion order setting as the dbt profile: the practical lower bound of the dbt
project on this engine. Results stay in the connection (tables customer_value,
customer_value_deciles, value_tier_summary, whale_curve, value_upside, customer_value_history,
tier_migration, rejected_counts) or in --database.

Usage:
    python benchmarks/handwritten_duckdb.py --raw DIR [--database FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

import duckdb
from rule_vars import rule_variables

# DuckDB's memory limit as dbt's profile sets it (profiles.yml), for every measured step
MEMORY_LIMIT = os.environ.get("CUSTOMER_VALUE_MEMORY_LIMIT", "5500MB")

PROJECT_DIR = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).with_name("handwritten") / "customer_value.sql"
RESULT_TABLES = ["customer_value", "customer_value_deciles", "value_tier_summary", "whale_curve", "value_upside",
                 "customer_value_history", "tier_migration", "rejected_counts"]


def render(raw_dir: Path, variables: dict | None = None) -> str:
    """The script with its placeholders filled in."""
    values = rule_variables(variables)
    as_of = values["as_of_date"]
    return (
        SCRIPT.read_text()
        .replace("{raw_dir}", str(Path(raw_dir).resolve()).replace("'", "''"))
        .replace("{seeds_dir}", str(PROJECT_DIR / "seeds" / "config").replace("'", "''"))
        .replace("{as_of_date}", "null" if as_of is None else f"date '{as_of}'")
        # as dbt's run start: the day in UTC
        .replace("{build_day}", f"date '{dt.datetime.now(dt.UTC).date()}'")
        .replace("{top_tier_deciles}", str(int(values["top_tier_deciles"])))
        .replace("{upgrade_window_days}", str(int(values["upgrade_window_days"])))
        .replace("{upgrade_growth_ratio}", str(float(values["upgrade_growth_ratio"])))
        .replace("{history_months}", str(int(values["history_months"])))
        .replace("{value_window_days}", str(int(values["value_window_days"])))
    )


def compute(raw_dir: Path, database: str = ":memory:", variables: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Run the script; return the open connection holding the result tables."""
    con = duckdb.connect(database)
    # DuckDB's own default of one thread per core, as in dbt's DuckDB (CUSTOMER_VALUE_THREADS is
    # dbt's number of models at a time, not DuckDB's threads)
    con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
    con.execute("set preserve_insertion_order = false")  # as in profiles.yml
    con.execute(render(raw_dir, variables))
    return con


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="folder of raw exports (<table>.parquet)")
    parser.add_argument("--database", default=":memory:", help="DuckDB file to keep the results in")
    args = parser.parse_args()
    started = time.perf_counter()
    con = compute(args.raw, args.database)
    elapsed = time.perf_counter() - started
    for table in RESULT_TABLES:
        print(f"{table}: {con.execute(f'select count(*) from {table}').fetchone()[0]:,} rows")
    print(f"{elapsed:.2f} s")


if __name__ == "__main__":
    main()
