"""The demo-data generator: deterministic, the injected bad rows are the only problems, calibrated.

Checks run on the committed demo seeds (seeds/raw) where they can, after proving that those
seeds are exactly the generator's output.
"""

from __future__ import annotations

import filecmp
import re
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import generate_raw_data as generator  # noqa: E402
from dbt_project import DbtBuild  # noqa: E402

SEEDS = generator.DEMO_DIR
PREFIX = generator.DEMO_PREFIX
SIGNAL_VALUES = SEEDS.parent / "config" / "indirect_value_rates.csv"
RATE_CARD = SEEDS.parent / "config" / "service_cost_rates.csv"
REASONS = {
    "missing_key", "duplicate_key", "conflicting_duplicate", "no_customer", "invalid_value", "orphan", "no_rate",
    "nulled_value",
}
DATE = r"'\d{4}-\d{2}-\d{2}'"
TIMESTAMP = r"'\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?'"


def injected_per_reason(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for counts in summary.values():
        for reason, n in counts.items():
            if reason != "rows":
                totals[reason] = totals.get(reason, 0) + n
    return totals


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    for run in ("first", "second"):
        for file_format in ("csv", "parquet"):
            generator.generate(300, tmp_path / run, file_format, "", chunk_size=120, show_progress=False)
    for table in generator.TABLE_COLUMNS:
        for file_format in ("csv", "parquet"):
            name = f"{table}.{file_format}"
            assert filecmp.cmp(tmp_path / "first" / name, tmp_path / "second" / name, shallow=False), name


def test_committed_demo_seeds_are_the_generator_output(tmp_path: Path) -> None:
    generator.generate(generator.DEMO_CUSTOMERS, tmp_path, "csv", PREFIX, show_progress=False)
    for table in generator.TABLE_COLUMNS:
        name = f"{PREFIX}{table}.csv"
        assert filecmp.cmp(tmp_path / name, SEEDS / name, shallow=False), (
            f"seeds/raw/{name} is stale: run `make demo-data`"
        )


def test_the_demo_seeds_document_and_type_the_contract_columns() -> None:
    """The demo seeds' YAML and docs/rules.md section 1 list the contract's columns (macro
    raw_table_contracts), in order, each seed column loaded as text: a column added to the
    contract is documented on its seed and in the rules too."""
    seeds = {seed["name"]: seed for seed in yaml.safe_load((SEEDS / "_raw__seeds.yml").read_text())["seeds"]}
    for table, columns in generator.TABLE_COLUMNS.items():
        seed = seeds[f"{PREFIX}{table}"]
        assert [column["name"] for column in seed["columns"]] == columns, table
        assert list(seed["config"]["column_types"]) == columns, table
        assert all(column.get("description") for column in seed["columns"]), table
    rules = (generator.PROJECT_DIR / "docs" / "rules.md").read_text(encoding="utf-8")
    for table, columns in generator.TABLE_COLUMNS.items():
        row = re.search(rf"^\| {table} \| (\w+) \| (.*) \|$", rules, re.MULTILINE)
        assert row and row[1] == columns[0], table
        assert [re.sub(r" \(.*\)", "", name) for name in row[2].split(", ")] == columns, table


def test_demo_bad_rows_cover_every_reason_at_least_twice() -> None:
    injected = injected_per_reason(generator.injected_counts(generator.blocks_in(generator.DEMO_CUSTOMERS)))
    assert set(injected) == REASONS
    assert min(injected.values()) >= 2
    assert 30 <= sum(injected.values()) <= 60
    for reason in REASONS - {"no_rate"}:  # no_rate only exists for service events
        assert len({row.table for row in generator.BAD_ROWS if row.reason == reason}) >= 2, reason


@pytest.mark.parametrize("chunk_size", [2000, generator.CHUNK_CUSTOMERS])
def test_bad_rows_keep_their_share_at_scale(tmp_path: Path, chunk_size: int) -> None:
    """One set of BAD_ROWS per BAD_ROW_BLOCK customers, however the customers are chunked."""
    summary = generator.generate(6000, tmp_path, "parquet", "", chunk_size=chunk_size, show_progress=False)
    per_block = injected_per_reason(generator.injected_counts(1))
    assert injected_per_reason(summary) == {reason: 3 * n for reason, n in per_block.items()}


@pytest.fixture(scope="module")
def demo() -> duckdb.DuckDBPyConnection:
    """The committed seeds as tables raw_<table> and, for the rows meant to be valid, <table>."""
    connection = duckdb.connect()
    for table in generator.TABLE_COLUMNS:
        raw = generator.raw_relation(SEEDS, "csv", PREFIX, table)
        connection.sql(f"create table raw_{table} as select * from {raw}")
        connection.sql(f"create table {table} as {generator.clean_rows_sql(SEEDS, 'csv', PREFIX, table)}")
    connection.sql(f"create table rates as select * from read_csv('{RATE_CARD}', all_varchar = true)")
    connection.sql(f"create table signal_values as select * from read_csv('{SIGNAL_VALUES}', all_varchar = true)")
    return connection


def test_only_the_injected_rows_are_set_apart(demo: duckdb.DuckDBPyConnection) -> None:
    injected = generator.injected_counts(generator.blocks_in(generator.DEMO_CUSTOMERS))
    for table in generator.TABLE_COLUMNS:
        raw, clean = (demo.sql(f"select count(*) from {name}").fetchone()[0] for name in (f"raw_{table}", table))
        assert raw - clean == sum(injected[table].values()), table


def event_date(column: str) -> str:
    return f"cast(cast({column} as timestamp) as date)"


# docs/rules.md section 2, applied to the rows meant to be valid: every query must return no row.
VALIDITY_RULES = {
    "clean keys are unique": [
        f"select {columns[0]} from {table} group by 1 having count(*) > 1"
        for table, columns in generator.TABLE_COLUMNS.items()
    ],
    "dates and timestamps are ISO": [
        "select * from customers where nullif(signup_date, '') is not null"
        f" and not (regexp_full_match(signup_date, {DATE}) and try_cast(signup_date as date) is not null)",
        *(
            f"select * from {table} where not (regexp_full_match({column}, {TIMESTAMP})"
            f" and try_cast({column} as timestamp) is not null)"
            for table, column in [("orders", "ordered_at"), ("service_events", "occurred_at"),
                                  ("customer_signals", "occurred_at")]
        ),
    ],
    "amounts are numbers in their domain": [
        "select * from orders"
        " where nullif(shipping_fee, '') is not null and not try_cast(shipping_fee as decimal(18, 4)) >= 0",
        # quantities are whole and > 0, negative on a credit note (status refunded) only
        "select * from order_items"
        " where not (regexp_full_match(quantity, '-?[0-9]+') and cast(quantity as integer) <> 0)",
        "select * from order_items where cast(quantity as integer) < 0"
        " and order_id not in (select order_id from orders where lower(trim(status)) = 'refunded')",
        "select * from order_items"
        " where not (try_cast(unit_price as decimal(18, 4)) >= 0 and try_cast(unit_cost as decimal(18, 4)) >= 0)",
        "select * from order_items where nullif(discount_amount, '') is not null"
        " and not (try_cast(discount_amount as decimal(18, 4))"
        " between 0 and abs(cast(quantity as integer)) * cast(unit_price as decimal(18, 4)))",
        "select * from service_events where not try_cast(units as decimal(18, 4)) >= 0",
    ],
    "required values are present and in their domain": [
        "select * from orders"
        " where coalesce(lower(trim(status)), '') not in ('completed', 'returned', 'cancelled', 'refunded')",
        "select * from order_items where nullif(trim(product_id), '') is null",
        "select * from service_events where coalesce(lower(trim(activity)), '') not in (select activity from rates)",
        "select * from customer_signals"
        " where coalesce(lower(trim(signal_type)), '') not in (select signal_type from signal_values)",
    ],
    "references exist": [
        "select * from orders where coalesce(customer_id, '') not in (select customer_id from customers)",
        "select * from order_items where coalesce(order_id, '') not in (select order_id from orders)",
        "select * from service_events where coalesce(customer_id, '') not in (select customer_id from customers)",
        "select * from service_events where nullif(order_id, '') not in (select order_id from orders)",
        "select * from customer_signals where coalesce(customer_id, '') not in (select customer_id from customers)",
    ],
    "every service event has a rate on its date": [
        "select * from service_events as events where not exists (select 1 from rates"
        " where rates.activity = lower(trim(events.activity))"
        f" and {event_date('events.occurred_at')} >= coalesce(try_cast(rates.valid_from as date), date '0001-01-01')"
        f" and {event_date('events.occurred_at')} < coalesce(try_cast(rates.valid_to as date), date '9999-12-31'))",
    ],
}


@pytest.mark.parametrize("rule", VALIDITY_RULES)
def test_every_row_but_the_injected_ones_is_valid(demo: duckdb.DuckDBPyConnection, rule: str) -> None:
    for query in VALIDITY_RULES[rule]:
        assert demo.sql(f"select count(*) from ({query})").fetchone()[0] == 0, query


def test_untidy_but_valid_variants_are_present(demo: duckdb.DuckDBPyConnection) -> None:
    for query in [
        "select count(*) from orders where status <> lower(trim(status))",
        "select count(*) from orders where length(ordered_at) = 10",
        "select count(*) from order_items where nullif(discount_amount, '') is null",
        "select count(*) from service_events where activity <> lower(trim(activity))",
        "select count(*) from orders where lower(trim(status)) = 'refunded'",
        "select count(*) from order_items where cast(quantity as integer) < 0",
    ]:
        assert demo.sql(query).fetchone()[0] >= 1, query


def test_demo_value_figures_are_calibrated(demo_build: DbtBuild) -> None:
    """docs/rules.md section 3 on the demo build's own marts: about a fifth of the customers unprofitable,
    the best 20% earning 150-300% of total margin, the whale curve peaking higher still."""
    build = demo_build
    customers, unprofitable = build.query("select count(*), avg(is_unprofitable::int) from customer_value")[0]
    top_20, peak = build.query(
        "select max(cumulative_margin_share) filter (where customer_percentile = 20),"
        " max(cumulative_margin_share) from whale_curve")[0]
    assert 1_800 <= customers <= generator.DEMO_CUSTOMERS
    assert 0.10 <= unprofitable <= 0.25
    assert 1.5 <= top_20 <= 3.0
    assert peak > top_20


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_scale_mode_writes_table_named_files_with_text_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture, file_format: str
) -> None:
    generator.main(["--customers", "250", "--format", file_format, "--out", str(tmp_path)])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{table}.{file_format}" for table in generator.TABLE_COLUMNS
    )
    assert "bad rows injected per reason" in capsys.readouterr().out
    with duckdb.connect() as connection:
        for table, columns in generator.TABLE_COLUMNS.items():
            relation = generator.raw_relation(tmp_path, file_format, "", table)
            described = connection.sql(f"describe select * from {relation}").fetchall()
            assert [(row[0], row[1]) for row in described] == [(column, "VARCHAR") for column in columns]
        orders = generator.clean_rows_sql(tmp_path, file_format, "", "orders")
        assert connection.sql(f"select count(distinct customer_id) from ({orders})").fetchone()[0] > 200


def test_ids_are_unique_across_chunks(tmp_path: Path) -> None:
    generator.generate(400, tmp_path, "csv", "", chunk_size=100, show_progress=False)
    with duckdb.connect() as connection:
        for table, columns in generator.TABLE_COLUMNS.items():
            clean = generator.clean_rows_sql(tmp_path, "csv", "", table)
            repeated = connection.sql(f"select {columns[0]} from ({clean}) group by 1 having count(*) > 1").fetchall()
            assert repeated == [], table
