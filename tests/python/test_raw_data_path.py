"""The project runs on the user's own exports: `--vars '{raw_data_path: DIR}'`.

Writes a small folder of raw files (CSV, then Parquet), builds the project over it, and checks
that staging and the quarantine behave exactly as on the demo seeds: every raw row is staged or
rejected with its reason, nothing is lost.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt_project import DbtBuild

RAW_TABLES = {
    "customers": (
        ["customer_id", "signup_date", "region", "acquisition_channel", "email"],
        [
            ["C1", "2024-01-01", "north", "web", "c1@example.com"],
            ["C2", "", "south", "", ""],
            ["C3", "2024-13-01", "north", "web", ""],  # staged, signup_date nulled: not a date
            ["", "2024-01-01", "north", "web", ""],  # missing_key
            ["C4", "2024-01-01", "east", "web", ""],
            ["C4", "2024-01-01", "east", "web", ""],  # duplicate_key
            ["C5", "2024-01-01", "east", "web", ""],
            ["C5", "2024-01-02", "east", "web", ""],  # conflicting_duplicate (both copies)
        ],
    ),
    "orders": (
        ["order_id", "customer_id", "ordered_at", "status", "shipping_fee"],
        [
            ["O1", "C1", "2024-03-01 10:00:00", "Completed", "4.95"],
            ["O2", "C1", "2024-06-01", "returned", ""],
            ["O3", "C2", "2024-07-01 12:00:00", "cancelled", "0"],
            ["O4", "C9", "2024-07-01 12:00:00", "completed", "0"],  # orphan customer
            ["O5", "C1", "2024-07-02 12:00:00", "shipped", "0"],  # invalid status
        ],
    ),
    "order_items": (
        [
            "order_item_id", "order_id", "product_id", "product_category", "quantity", "unit_price", "unit_cost",
            "discount_amount",
        ],
        [
            ["I1", "O1", "P1", "books", "2", "10.00", "4.00", "1.00"],
            ["I2", "O1", "P2", "", "1", "5.00", "2.00", ""],
            ["I3", "O2", "P1", "books", "1", "10.00", "4.00", "0"],
            ["I4", "O5", "P1", "books", "1", "10.00", "4.00", "0"],  # orphan: its order was rejected
            ["I5", "O1", "P1", "books", "2.5", "10.00", "4.00", "0"],  # invalid quantity
        ],
    ),
    "service_events": (
        ["event_id", "customer_id", "order_id", "activity", "occurred_at", "units"],
        [
            ["E1", "C1", "O2", "return_handling", "2024-06-05 09:00:00", "1"],
            ["E2", "C1", "", "Support_Call", "2024-06-05", "2"],
            ["E3", "C1", "", "live_chat", "2023-06-05", "1"],  # no_rate
            ["E4", "C1", "O99", "support_call", "2024-06-05", "1"],  # orphan order
        ],
    ),
    "customer_signals": (
        ["signal_id", "customer_id", "signal_type", "occurred_at"],
        [
            ["S1", "C1", "review", "2024-06-01"],
            ["S2", "C1", "rumour", "2024-06-02"],  # invalid signal type
        ],
    ),
}

EXPECTED_REJECTED = [
    ("customer_signals", "invalid_value", 1),
    ("customers", "conflicting_duplicate", 2),
    ("customers", "duplicate_key", 1),
    ("customers", "missing_key", 1),
    ("order_items", "invalid_value", 1),
    ("order_items", "orphan", 1),
    ("orders", "invalid_value", 1),
    ("orders", "orphan", 1),
    ("service_events", "no_rate", 1),
    ("service_events", "orphan", 1),
]


def write_csv_folder(folder: Path) -> None:
    for table, (header, rows) in RAW_TABLES.items():
        with open(folder / f"{table}.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)


def write_parquet_folder(folder: Path) -> None:
    for table, (header, rows) in RAW_TABLES.items():
        columns = {name: pa.array([row[i] or None for row in rows], pa.string()) for i, name in enumerate(header)}
        pq.write_table(pa.table(columns), folder / f"{table}.parquet")


@pytest.mark.parametrize("file_format, write_folder", [("csv", write_csv_folder), ("parquet", write_parquet_folder)])
def test_builds_from_a_folder_of_raw_files(tmp_path: Path, file_format: str, write_folder) -> None:
    raw_folder = tmp_path / "raw"
    raw_folder.mkdir()
    write_folder(raw_folder)
    build = DbtBuild(tmp_path)

    build.run(
        "build",
        "--select", "path:models/staging", "+fct_orders", "+fct_cost_to_serve", "+rejected_rows", "+nulled_values",
        "--indirect-selection", "cautious",  # only tests whose every parent is selected
        variables={"raw_data_path": str(raw_folder), "raw_file_format": file_format, "max_rejected_share": 1},
    )

    rejected = build.query(
        "select source_table, reason, count(*) from rejected_rows group by all order by all"
    )
    assert rejected == EXPECTED_REJECTED

    staged = build.query(
        "select (select count(*) from staging.stg_shop__customers),"
        " (select count(*) from staging.stg_shop__orders),"
        " (select count(*) from staging.stg_shop__order_items),"
        " (select count(*) from staging.stg_shop__service_events),"
        " (select count(*) from staging.stg_shop__customer_signals)"
    )[0]
    assert staged == (4, 3, 3, 2, 1)
    assert build.query("select source_table, source_key, column_name, raw_value from nulled_values") == [
        ("customers", "C3", "signup_date", "2024-13-01")
    ]
    for table, (_, rows) in RAW_TABLES.items():
        table_rejected = sum(n for source, _, n in EXPECTED_REJECTED if source == table)
        assert len(rows) == dict(zip(RAW_TABLES, staged, strict=True))[table] + table_rejected

    revenue = build.query("select order_id, revenue, cogs from fct_orders order by order_id")
    assert [(o, float(r), float(c)) for o, r, c in revenue] == [
        ("O1", 28.95, 10.0),
        ("O2", 0.0, 0.0),
        ("O3", 0.0, 0.0),
    ]


def test_a_missing_raw_file_fails_with_its_path(tmp_path: Path) -> None:
    raw_folder = tmp_path / "raw"
    raw_folder.mkdir()
    write_csv_folder(raw_folder)
    (raw_folder / "orders.csv").unlink()
    build = DbtBuild(tmp_path)

    result = build.run(
        "build", "--select", "base_shop__orders",
        variables={"raw_data_path": str(raw_folder), "raw_file_format": "csv"},
        check=False,
    )

    assert result.returncode != 0
    assert "orders.csv" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_header_of_a_large_csv_file_is_its_first_line(tmp_path: Path) -> None:
    """DuckDB reads a file of several megabytes in parallel; the header must still come from line 1
    (it once came from any line: `limit 1` of a parallel read without insertion order)."""
    raw_folder = tmp_path / "raw"
    raw_folder.mkdir()
    write_csv_folder(raw_folder)
    header, rows = RAW_TABLES["order_items"]
    extra_rows = 250_000  # about 11 MB: several of the reader's parallel chunks
    with open(raw_folder / "order_items.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(name.upper() for name in reversed(header))  # a real export's own order and case
        writer.writerows(list(reversed(row)) for row in rows)
        writer.writerows(["0", "4.00", "10.00", "1", "books", "P1", "O1", f"X{n:07d}"] for n in range(extra_rows))
    build = DbtBuild(tmp_path)

    for _ in range(3):  # a wrong line was read about every other time
        build.run("run-operation", "register_raw_files",
                  variables={"raw_data_path": str(raw_folder), "raw_file_format": "csv"})
        assert build.query("select count(*), count(order_item_id) from raw.order_items") == [
            (len(rows) + extra_rows, len(rows) + extra_rows)
        ]
        first = build.query("select order_id, quantity from raw.order_items where order_item_id = 'I1'")
        assert first == [("O1", "2")]
