"""Raw files as they really arrive (spec section 7): a corpus of whole-file and line faults.

Every fault ends in a quarantined row with its reason, or in one clear error line naming the
file before any model runs; never a stack trace, never a lost row.

Line faults share one export (one build, after a demo build on the same database, as a new user
does after `make build`): BOM, CRLF line ends, an upper-case and blank-padded header, reordered
and extra columns, quoted commas, semicolons and newlines, short and long lines, bytes that are
not UTF-8, an unterminated quote, huge numbers, an empty key, conflicting copies, orphans, and
the optional files missing or header-only. Whole-file faults each get their own (quickly failing) run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from dbt_project import PROJECT_DIR, DbtBuild

CUSTOMERS = [f"C{i:02d}" for i in range(1, 11)]
ORDERS = [f"O{i:02d}" for i in range(1, 11)]
CONTRACT = {
    "customers": ["customer_id", "signup_date", "region", "acquisition_channel", "email"],
    "orders": ["order_id", "customer_id", "ordered_at", "status", "shipping_fee"],
    "order_items": [
        "order_item_id", "order_id", "product_id", "product_category", "quantity", "unit_price", "unit_cost",
        "discount_amount",
    ],
}


def csv_text(rows: list[list[str]], line_end: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


def email(customer: str) -> str:
    return f"{customer.lower()}.person@example.com"


def valid_files() -> dict[str, str]:
    """A small, entirely valid export of the three required files (comma-separated, UTF-8)."""
    customers = [CONTRACT["customers"]] + [[c, "2024-01-01", "north", "web", email(c)] for c in CUSTOMERS]
    orders = [CONTRACT["orders"]] + [
        [o, c, "2024-03-01 10:00:00", "completed", "4.95"] for o, c in zip(ORDERS, CUSTOMERS, strict=True)
    ]
    items = [CONTRACT["order_items"]] + [
        [f"I{i:02d}", o, "P1", "books", "2", "10.00", "4.00", "0"] for i, o in enumerate(ORDERS, start=1)
    ]
    return {"customers": csv_text(customers), "orders": csv_text(orders), "order_items": csv_text(items)}


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / f"{table}.csv").write_bytes(data)
    return folder


def line_fault_files() -> tuple[dict[str, bytes], dict[str, int], list[tuple[str, str, int]]]:
    """The line-fault export, the number of raw records of each file, the expected rejections."""
    customer_rows = [["Customer_ID ", " SIGNUP_DATE", "Region", "Acquisition_Channel", "EMAIL", "Notes"]]
    for c in CUSTOMERS:
        region = {"C03": "north, east", "C04": "south;west", "C05": "south\nwest"}.get(c, "north")
        customer_rows.append([c, "2024-01-01", region, "web", email(c), "a note"])
    customer_rows += [
        ["", "2024-01-01", "north", "web", "nokey.person@example.com", ""],  # missing_key
        ["C12", "2024-01-01", "north", "web", "c12.person@example.com", ""],  # conflicting_duplicate
        ["C12", "2024-02-01", "north", "web", "c12.person@example.com", ""],  # conflicting_duplicate
    ]
    customers = b"\xef\xbb\xbf" + csv_text(customer_rows, "\r\n").encode("utf-8")
    customers += b"C13,2024-01-01,north,web,caf\xe9.person@example.com,\r\n"  # not UTF-8: malformed_line

    order_rows = [["customer_id", "order_id", "status", "ordered_at", "shipping_fee"]]  # reordered
    order_rows += [[c, o, "Completed", "2024-03-01 10:00:00", "4.95"] for o, c in zip(ORDERS, CUSTOMERS, strict=True)]
    order_rows += [
        ["C01", "O13", "completed", "2024-02-01", "1e400"],  # invalid_value: out of range
        ["C01", "O14", "completed", "2024-02-01", "123456789012345678901234567890"],  # invalid_value
        ["C12", "O15", "completed", "2024-02-01", "0"],  # orphan: its customer was rejected
    ]
    orders = csv_text(order_rows).encode("utf-8")
    orders += b"C01,O11,completed\n"  # short line: malformed_line
    orders += b"C01,O12,completed,2024-01-01,1,extra\n"  # long line: malformed_line

    item_rows = [CONTRACT["order_items"] + ["warehouse"]]  # an extra column
    item_rows += [[f"I{i:02d}", o, "P1", "books", "2", "10.00", "4.00", "0", "w1"] for i, o in enumerate(ORDERS, 1)]
    item_rows += [
        ["I11", "O01", "P1", "books", "99999999999999999999", "10.00", "4.00", "0", "w1"],  # invalid_value
        ["I12", "O15", "P1", "books", "1", "10.00", "4.00", "0", "w1"],  # orphan: its order was rejected
    ]
    items = csv_text(item_rows).encode("utf-8") + b'I13,O01,"P1,books,1,10.00,4.00,0,w1\n'  # unterminated quote

    signals = b"signal_id,customer_id,signal_type,occurred_at\n"  # header only: optional, so empty
    files = {"customers": customers, "orders": orders, "order_items": items, "customer_signals": signals}
    raw_records = {"customers": 14, "orders": 15, "order_items": 13, "service_events": 0, "customer_signals": 0}
    expected = [
        ("customers", "conflicting_duplicate", 2),
        ("customers", "malformed_line", 1),
        ("customers", "missing_key", 1),
        ("order_items", "invalid_value", 1),
        ("order_items", "malformed_line", 1),
        ("order_items", "orphan", 1),
        ("orders", "invalid_value", 2),
        ("orders", "malformed_line", 2),
        ("orders", "orphan", 1),
    ]
    return files, raw_records, expected


def raw_emails() -> set[str]:
    demo = PROJECT_DIR / "seeds" / "raw" / "raw_customers.csv"
    with open(demo, newline="") as handle:
        found = {row["email"].strip().lower() for row in csv.DictReader(handle) if row["email"].strip()}
    return found | {email(c) for c in CUSTOMERS + ["C12", "NOKEY"]} | {"c13.person@example.com"}


def public_text_values_with_emails(build: DbtBuild, emails: set[str]) -> list[tuple[str, str, int]]:
    """(table, column, rows) of every text column of a public mart (schema main) holding a raw e-mail."""
    columns = build.query(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'main' and data_type = 'VARCHAR' order by all"
    )
    assert {table for table, _ in columns} >= {"rejected_rows", "customer_value", "fct_orders"}
    needles = ", ".join("'" + e.replace("'", "''") + "'" for e in sorted(emails))
    found = []
    for table, column in columns:
        rows = build.query(
            f'select count(*) from main."{table}" where exists ('
            f'select 1 from unnest([{needles}]) as e(value) where contains(lower("{column}"), e.value))'
        )[0][0]
        if rows:
            found.append((table, column, rows))
    return found


@pytest.fixture(scope="module")
def demo_then_line_faults(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtBuild, object, object]:
    """The demo build, then the line-fault export built on the same database."""
    work_dir = tmp_path_factory.mktemp("corpus")
    build = DbtBuild(work_dir)
    demo = build.run("build")
    demo_leaks = public_text_values_with_emails(build, raw_emails())
    files, _, _ = line_fault_files()
    folder = write(work_dir / "export", files)
    own = build.run(
        "build", variables={"raw_data_path": str(folder), "raw_file_format": "csv", "max_rejected_share": 1},
        check=False,
    )
    return build, (demo, demo_leaks), own


def test_own_data_build_after_the_demo_build_quarantines_every_line_fault(demo_then_line_faults) -> None:
    build, _, own = demo_then_line_faults
    assert own.returncode == 0, own.stdout[-4000:]
    assert "Traceback" not in own.stdout + own.stderr
    _, raw_records, expected = line_fault_files()

    rejected = build.query("select source_table, reason, count(*) from rejected_rows group by all order by all")
    assert rejected == expected

    staged = dict(zip(raw_records, build.query(
        "select (select count(*) from staging.stg_shop__customers),"
        " (select count(*) from staging.stg_shop__orders),"
        " (select count(*) from staging.stg_shop__order_items),"
        " (select count(*) from staging.stg_shop__service_events),"
        " (select count(*) from staging.stg_shop__customer_signals)"
    )[0], strict=True))
    assert staged == {"customers": 10, "orders": 10, "order_items": 10, "service_events": 0, "customer_signals": 0}
    for table, records in raw_records.items():
        table_rejected = sum(n for source, _, n in expected if source == table)
        assert records == staged[table] + table_rejected, table

    # Quoted commas, semicolons and newlines are values, not faults; the header matched whatever its case.
    assert build.query(
        "select customer_id, region from staging.stg_shop__customers where customer_id in ('C03', 'C04', 'C05')"
        " order by 1"
    ) == [("C03", "north, east"), ("C04", "south;west"), ("C05", "south\nwest")]
    # A malformed line keeps its line number and text; the first data line is line 2.
    assert build.query(
        "select raw_record::json->>'line_text' from rejected_rows"
        " where reason = 'malformed_line' and source_table = 'orders' order by 1"
    ) == [("C01,O11,completed",), ("C01,O12,completed,2024-01-01,1,extra",)]
    assert build.query(
        "select count(*) from rejected_rows where reason = 'malformed_line'"
        " and source_key is null and cast(raw_record::json->>'line_number' as integer) > 1"
    ) == [(4,)]


def test_no_public_model_holds_a_raw_email(demo_then_line_faults) -> None:
    build, (demo, demo_leaks), own = demo_then_line_faults
    assert demo.returncode == 0 and own.returncode == 0
    assert demo_leaks == []
    assert public_text_values_with_emails(build, raw_emails()) == []
    # The redacted form still lets a reviewer match two rejected rows of one person.
    assert build.query(
        "select count(distinct raw_record::json->>'email'), min(raw_record::json->>'email') like '<redacted:sha256:%>'"
        " from rejected_rows where source_table = 'customers' and source_key = 'C12'"
    ) == [(1, True)]


def without(files: dict[str, str], table: str) -> dict[str, str]:
    return {name: content for name, content in files.items() if name != table}


def whole_file_faults() -> dict[str, tuple[dict[str, str | bytes], str]]:
    """Exports that must stop before any model runs: (files, the file the error line names)."""
    valid = valid_files()
    orders_without_status = csv_text(
        [["order_id", "customer_id", "ordered_at", "shipping_fee"], ["O01", "C01", "2024-01-01", "0"]]
    )
    semicolons = valid["customers"].replace(",", ";")
    return {
        "missing customers": (without(valid, "customers"), "customers.csv"),
        "missing orders": (without(valid, "orders"), "orders.csv"),
        "missing order_items": (without(valid, "order_items"), "order_items.csv"),
        "missing contract column": ({**valid, "orders": orders_without_status}, "orders.csv"),
        "empty file": ({**valid, "customers": ""}, "customers.csv"),
        "header-only file": ({**valid, "order_items": csv_text([CONTRACT["order_items"]])}, "order_items.csv"),
        "optional file missing a column": (
            {**valid, "customer_signals": "signal_id,customer_id,occurred_at\nS1,C01,2024-01-01\n"},
            "customer_signals.csv",
        ),
        "semicolon-separated file": ({**valid, "customers": semicolons}, "customers.csv"),
    }


@pytest.mark.parametrize("fault", list(whole_file_faults()))
def test_a_whole_file_fault_stops_the_build_with_one_line_naming_the_file(tmp_path: Path, fault: str) -> None:
    files, named_file = whole_file_faults()[fault]
    folder = write(tmp_path / "export", files)
    result = DbtBuild(tmp_path).run(
        "build", "--select", "base_shop__customers",
        variables={"raw_data_path": str(folder), "raw_file_format": "csv"}, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    error_lines = [line for line in output.splitlines() if line.strip().startswith("Raw file ")]
    assert len(error_lines) == 1 and named_file in error_lines[0], output[-3000:]


def test_all_rows_bad_quarantines_every_row_and_stops_on_the_rejected_share(tmp_path: Path) -> None:
    valid = valid_files()
    ragged = "\n".join(line + ",extra" for line in valid["orders"].splitlines()[1:]) + "\n"
    folder = write(tmp_path / "export", {**valid, "orders": valid["orders"].splitlines()[0] + "\n" + ragged})
    build = DbtBuild(tmp_path)
    variables = {"raw_data_path": str(folder), "raw_file_format": "csv"}
    build.run(
        "build", "--select", "+rejected_rows", "--exclude-resource-type", "test", "unit_test", variables=variables
    )
    result = build.run(
        "test", "--select", "stg_shop__orders", "--exclude-resource-type", "unit_test", variables=variables, check=False
    )
    assert result.returncode != 0  # the error-severity max_rejected_share test
    assert "Traceback" not in result.stdout + result.stderr
    assert build.query(
        "select reason, count(*) from rejected_rows where source_table = 'orders' group by all"
    ) == [("malformed_line", len(ORDERS))]
    assert build.query("select count(*) from staging.stg_shop__orders") == [(0,)]


def test_a_latin1_export_loads_with_raw_file_encoding(tmp_path: Path) -> None:
    valid = valid_files()
    customers = valid["customers"].replace("north", "Münster")
    files = {**valid, "customers": customers.encode("latin-1")}
    folder = write(tmp_path / "export", files)
    build = DbtBuild(tmp_path)
    build.run(
        "build", "--select", "+rejected_rows", "--exclude-resource-type", "unit_test",
        "--indirect-selection", "cautious",
        variables={"raw_data_path": str(folder), "raw_file_format": "csv", "raw_file_encoding": "latin-1"},
    )
    assert build.query("select count(*), min(region) from staging.stg_shop__customers") == [(10, "Münster")]
    assert build.query("select count(*) from rejected_rows") == [(0,)]
