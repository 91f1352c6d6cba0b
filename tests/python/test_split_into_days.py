"""benchmarks/split_into_days.py: a generated export split into daily increments (docs/rules.md
section 15). The day folders add up to the export row for row, every key lies in one day folder
(a later day's row of a key would replace the earlier ones), rows go to the days the script
promises, and the next day's folder holds exactly the rows benchmarks/append_orders.py adds.

Rows are read back with pyarrow and compared as Python tuples, apart from the DuckDB SQL that
wrote them.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from dbt_project import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
import generate_raw_data as generator  # noqa: E402
from append_orders import append_new_orders, write_new_day  # noqa: E402
from split_into_days import DAYS, KEYS, split_into_days  # noqa: E402

CUSTOMERS = 300


def rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def as_tuples(table_rows: list[dict]) -> Counter:
    return Counter(tuple(row.items()) for row in table_rows)


def day_folders(root: Path) -> dict[str, dict[str, list[dict]]]:
    """Per day folder, per table: its rows."""
    return {folder.name: {path.stem: rows(path) for path in folder.glob("*.parquet")}
            for folder in sorted(root.iterdir())}


def parsed_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10]) if len((text or "").strip()) in (10, 19) else None
    except ValueError:
        return None


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("split")
    snapshot = work / "snapshot"
    generator.generate(CUSTOMERS, snapshot, "parquet", show_progress=False)
    split_into_days(snapshot, work / "days")
    split_days = day_folders(work / "days")
    next_day, new_rows = write_new_day(snapshot, work / "days")
    append_new_orders(snapshot, work / "snapshot_plus_day")
    tables = {table: rows(snapshot / f"{table}.parquet") for table in KEYS}
    return tables, split_days, work, next_day, new_rows


def test_the_day_folders_add_up_to_the_snapshot_row_for_row(export):
    tables, days, *_ = export
    for table, snapshot_rows in tables.items():
        split_rows = [row for content in days.values() for row in content.get(table, [])]
        assert as_tuples(split_rows) == as_tuples(snapshot_rows), table
    assert sum(len(rows) for rows in tables.values()) > 10_000  # a real export, bad rows included


def test_the_days_are_the_last_365_up_to_the_latest_order(export):
    tables, days, *_ = export
    latest = max(day for day in (parsed_day(row["ordered_at"]) for row in tables["orders"]) if day)
    first = latest - dt.timedelta(days=DAYS - 1)
    names = list(days)
    assert names[0] == first.isoformat() and names[-1] == latest.isoformat()
    assert all(first <= dt.date.fromisoformat(name) <= latest for name in names)
    assert len(names) > DAYS * 0.9  # almost every day has orders


def test_every_key_lies_in_one_day_folder(export):
    _, days, *_ = export
    for table, key in KEYS.items():
        folders_of_key: dict[str, set[str]] = {}
        for day, content in days.items():
            for row in content.get(table, []):
                if (row[key] or "").strip():
                    folders_of_key.setdefault(row[key].strip(), set()).add(day)
        spread = {k: folders for k, folders in folders_of_key.items() if len(folders) > 1}
        assert not spread, (table, list(spread.items())[:3])
    repeated = Counter(row["order_id"] for content in days.values() for row in content.get("orders", []))
    assert any(n > 1 for key, n in repeated.items() if key)  # the export's duplicate keys are there


def placed_rows(days: dict, table: str) -> list[tuple[dict, str]]:
    """(row, day folder) of every row of a table whose key is given once in the export (a repeated
    key goes with its earliest row: test_every_key_lies_in_one_day_folder)."""
    placed = [(row, day) for day, content in days.items() for row in content.get(table, [])]
    copies = Counter((row[KEYS[table]] or "").strip() for row, _ in placed)
    return [(row, day) for row, day in placed if copies[(row[KEYS[table]] or "").strip()] == 1]


def expected_day(date: dt.date | None, days: dict) -> str | None:
    """The day folder of a date: itself, the first day when older, the last when later; None undated."""
    if date is None:
        return None
    names = list(days)
    return min(max(date.isoformat(), names[0]), names[-1])


def day_of_key(days: dict, table: str, column: str) -> dict[str, str]:
    """The day folder of each key of a table, by the trimmed value of `column` (its earliest day)."""
    found: dict[str, str] = {}
    for day, content in days.items():
        for row in content.get(table, []):
            found.setdefault((row[column] or "").strip(), day)
    return found


def test_orders_go_to_the_day_of_their_date_else_the_first(export):
    tables, days, *_ = export
    first = next(iter(days))
    placed = placed_rows(days, "orders")
    for order, day in placed:
        assert day == (expected_day(parsed_day(order["ordered_at"]), days) or first), order
    undated = [order for order, _ in placed
               if (order["ordered_at"] or "").strip() and not parsed_day(order["ordered_at"])]
    assert undated and sum(day == first for _, day in placed) > len(undated)  # bad dates, and older orders


def test_lines_go_with_their_order_and_customers_with_their_first_order(export):
    _, days, *_ = export
    first = next(iter(days))
    order_days = day_of_key(days, "orders", "order_id")
    first_order_days = day_of_key(days, "orders", "customer_id")
    for item, day in placed_rows(days, "order_items"):
        assert day == order_days.get((item["order_id"] or "").strip(), first), item
    for customer, day in placed_rows(days, "customers"):
        assert day == first_order_days.get((customer["customer_id"] or "").strip(), first), customer


def test_events_and_signals_go_to_their_own_date_else_their_order_or_customer(export):
    _, days, *_ = export
    first = next(iter(days))
    order_days = day_of_key(days, "orders", "order_id")
    customer_days = day_of_key(days, "customers", "customer_id")
    for table, parent_days, parent in (("service_events", order_days, "order_id"),
                                       ("customer_signals", customer_days, "customer_id")):
        for row, day in placed_rows(days, table):
            own = expected_day(parsed_day(row["occurred_at"]), days)
            assert day == (own or parent_days.get((row[parent] or "").strip(), first)), row


def test_the_next_day_holds_only_the_new_rows(export):
    tables, days, work, next_day, new_rows = export
    assert next_day == (dt.date.fromisoformat(list(days)[-1]) + dt.timedelta(days=1)).isoformat()
    assert new_rows["orders"] > 0 and new_rows["order_items"] > 0
    new_folder = work / "days" / next_day
    for table in KEYS:
        added = rows(new_folder / f"{table}.parquet") if (new_folder / f"{table}.parquet").exists() else []
        assert len(added) == new_rows[table], table
        expected = rows(work / "snapshot_plus_day" / f"{table}.parquet")
        assert as_tuples(tables[table] + added) == as_tuples(expected), table
