"""Great Expectations validation of the built marts (`make validate`).

A suite per public mart: columns present, no nulls where a value is required, value ranges,
allowed values, row counts against the population, and the tier, decile and service rules
where they read naturally as expectations. Tables are read read-only from the DuckDB file
into pandas and validated with GX's pandas datasource (its SQL datasource returns empty
results over duckdb-engine). Any failed expectation fails the command with a summary: which
mart, which expectation, how many rows, a sample.

Usage: python scripts/validate_marts.py [--database build/customer_value.duckdb]
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = os.environ.get("CUSTOMER_VALUE_DUCKDB_PATH", str(PROJECT_DIR / "build" / "customer_value.duckdb"))
REQUIRED_MARTS = [
    "customer_value", "customer_value_deciles", "value_tier_summary", "whale_curve",
    "fct_orders", "fct_cost_to_serve", "rejected_rows",
]
OPTIONAL_MARTS = ["customer_lifetime_value", "clv_model_params"]  # absent on engines without Python models
REJECTION_REASONS = ["missing_key", "duplicate_key", "conflicting_duplicate", "invalid_value", "orphan", "no_rate"]
RAW_TABLES = ["customers", "orders", "order_items", "service_events", "customer_signals"]


@dataclass(frozen=True)
class Context:
    """Facts the suites compare against, read from the build."""

    population: int
    top_tier_deciles: int


def project_vars() -> dict:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def not_null(*columns: str) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def between(column: str, low=None, high=None, **condition) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, **condition)


def in_set(column: str, values: list, **condition) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values, **condition)


def where(pandas_condition: str) -> dict:
    return {"row_condition": pandas_condition, "condition_parser": "pandas"}


def customer_value_suite(ctx: Context) -> list:
    top = ctx.top_tier_deciles
    return [
        gxe.ExpectTableRowCountToEqual(value=ctx.population),
        gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
        *not_null("customer_id", "orders_count", "first_ordered_at", "last_ordered_at", "recency_days",
                  "tenure_days", "revenue", "cogs", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve",
                  "indirect_value", "value_rank", "value_decile", "spend_decile", "value_tier", "recency_score",
                  "frequency_score", "monetary_score", "rfm_segment", "frequency_spend_band", "service_level",
                  "has_upgrade_potential", "service_priority"),
        *[between(c, 0) for c in ("orders_count", "returned_orders_count", "cancelled_orders_count",
                                   "recency_days", "revenue", "cost_to_serve", "indirect_value")],
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="tenure_days", column_B="recency_days", or_equal=True),
        between("value_rank", 1, ctx.population),
        gxe.ExpectColumnValuesToBeUnique(column="value_rank"),
        *[between(c, 1, 10) for c in ("value_decile", "spend_decile")],
        *[between(c, 1, 5) for c in ("recency_score", "frequency_score", "monetary_score")],
        between("top_cost_activity_share", 0, 1),
        in_set("value_tier", ["top", "growth", "unprofitable"]),
        # tier rules: top = best deciles with positive margin; unprofitable = negative margin
        between("value_decile", 1, top, **where('value_tier == "top"')),
        between("margin_after_cost_to_serve", 0, None, strict_min=True, **where('value_tier == "top"')),
        in_set("value_tier", ["unprofitable"], **where("margin_after_cost_to_serve < 0")),
        in_set("is_unprofitable", [True], **where('value_tier == "unprofitable"')),
        in_set("frequency_spend_band", ["high", "medium", "low"]),
        in_set("service_level", ["personalized"], **where('frequency_spend_band == "high"')),
        in_set("service_level", ["customized"], **where('frequency_spend_band == "medium"')),
        in_set("service_level", ["generic"], **where('frequency_spend_band == "low"')),
        in_set("service_priority", ["p1"], **where('value_tier == "top"')),
        in_set("service_priority", ["p2"], **where('value_tier == "growth"')),
        in_set("has_upgrade_potential", [False], **where('value_tier == "top"')),
    ]


def deciles_suite(ctx: Context) -> list:
    return [
        gxe.ExpectTableRowCountToEqual(value=min(10, ctx.population)),
        gxe.ExpectColumnValuesToBeUnique(column="value_decile"),
        between("value_decile", 1, 10),
        between("customers", 1, None),
        gxe.ExpectColumnSumToBeBetween(column="customers", min_value=ctx.population, max_value=ctx.population),
        between("unprofitable_customers", 0, None),
        *not_null("revenue", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve"),
    ]


def tier_suite(ctx: Context) -> list:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, max_value=3),
        in_set("value_tier", ["top", "growth", "unprofitable"]),
        gxe.ExpectColumnValuesToBeUnique(column="value_tier"),
        gxe.ExpectColumnSumToBeBetween(column="customers", min_value=ctx.population, max_value=ctx.population),
        between("share_of_customers", 0, 1),
        between("customers_with_upgrade_potential", 0, None),
        in_set("customers_with_upgrade_potential", [0], **where('value_tier == "top"')),
    ]


def whale_curve_suite(ctx: Context) -> list:
    return [
        gxe.ExpectTableRowCountToEqual(value=100),
        gxe.ExpectColumnValuesToBeUnique(column="customer_percentile"),
        between("customer_percentile", 1, 100),
        between("customers_included", 1, ctx.population),
        in_set("customers_included", [ctx.population], **where("customer_percentile == 100")),
        between("cumulative_margin_share", 0.999999, 1.000001, **where("customer_percentile == 100")),
    ]


def orders_suite(ctx: Context) -> list:
    return [
        gxe.ExpectColumnValuesToBeUnique(column="order_id"),
        *not_null("order_id", "customer_id", "ordered_at", "status", "revenue", "cogs", "gross_margin"),
        in_set("status", ["completed", "returned", "cancelled"]),
        between("revenue", 0), between("cogs", 0),
        in_set("revenue", [0], **where('status != "completed"')),
    ]


def cost_to_serve_suite(ctx: Context) -> list:
    return [
        gxe.ExpectColumnValuesToBeUnique(column="cost_driver_id"),
        *not_null("cost_driver_id", "customer_id", "activity", "driver_date", "units", "cost"),
        in_set("driver_source", ["order", "service_event"]),
        in_set("activity", ["order_processing", "delivery"], **where('driver_source == "order"')),
        between("units", 0), between("cost", 0),
    ]


def rejected_rows_suite(ctx: Context) -> list:
    return [
        *not_null("source_table", "reason", "detail", "raw_record"),
        in_set("source_table", RAW_TABLES),
        in_set("reason", REJECTION_REASONS),
    ]


def lifetime_value_suite(ctx: Context) -> list:
    return [
        gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
        between("p_alive", 0, 1),
        between("predicted_clv_decile", 1, 10),
    ]


def model_params_suite(ctx: Context) -> list:
    return [in_set("model_name", ["bg_nbd", "gamma_gamma"]), gxe.ExpectColumnValuesToBeUnique(column="model_name")]


SUITES = {
    "customer_value": customer_value_suite,
    "customer_value_deciles": deciles_suite,
    "value_tier_summary": tier_suite,
    "whale_curve": whale_curve_suite,
    "fct_orders": orders_suite,
    "fct_cost_to_serve": cost_to_serve_suite,
    "rejected_rows": rejected_rows_suite,
    "customer_lifetime_value": lifetime_value_suite,
    "clv_model_params": model_params_suite,
}


def read_table(connection: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame | None:
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?", [name]
    ).fetchone()[0]
    if not exists:
        return None
    frame = connection.sql(f"select * from main.{name}").df()
    # decimals arrive as Python Decimal objects; compare them as numbers
    for column in frame.columns:
        if frame[column].dtype == object and len(frame) and type(frame[column].dropna().iloc[0]).__name__ == "Decimal":
            frame[column] = frame[column].astype(float)
    return frame


def population(connection: duckdb.DuckDBPyConnection) -> int:
    return connection.sql(
        "select count(distinct customer_id) from main.fct_orders"
        " where ordered_date <= (select as_of_date from intermediate.int_as_of_date)"
    ).fetchone()[0]


def describe(result) -> str:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",) and v is not None}
    return f"{config.type}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def validate(database: str) -> int:
    if not Path(database).exists():
        print(f"No database at {database}: run `make build` first.")
        return 2
    with duckdb.connect(database, read_only=True) as connection:
        frames = {name: read_table(connection, name) for name in SUITES}
        missing = [name for name in REQUIRED_MARTS if frames[name] is None]
        if missing:
            print(f"Marts not built in {database}: {', '.join(missing)}. Run `make build` first.")
            return 2
        ctx = Context(population=population(connection), top_tier_deciles=int(project_vars()["top_tier_deciles"]))

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("marts")
    failures, evaluated = [], 0
    for name, suite_of in SUITES.items():
        frame = frames[name]
        if frame is None:
            print(f"{name:<26} not built (optional: needs Python models)")
            continue
        suite = gx.ExpectationSuite(name=name, expectations=suite_of(ctx))
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all").get_batch(
            batch_parameters={"dataframe": frame}
        )
        results = batch.validate(suite, result_format="SUMMARY").results
        evaluated += len(results)
        failed = [r for r in results if not r.success]
        print(f"{name:<26} {len(results) - len(failed):>3}/{len(results)} expectations met ({len(frame):,} rows)")
        failures += [(name, r) for r in failed]

    for name, result in failures:
        details = result.result or {}
        count = details.get("unexpected_count", details.get("observed_value"))
        sample = details.get("partial_unexpected_list", [])[:5]
        error = (result.exception_info or {}).get("exception_message") if isinstance(result.exception_info, dict) else None
        print(f"FAILED {name}: {describe(result)}\n       unexpected: {count}; sample: {sample}" + (f"; error: {error}" if error else ""))
    print(f"{evaluated} expectations evaluated, {len(failures)} failed.")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    return validate(parser.parse_args().database)


if __name__ == "__main__":
    sys.exit(main())
