"""Raw files as they really arrive (docs/rules.md section 7): a corpus of whole-file and line faults.

Every fault ends in a quarantined row with its reason, or in one clear error line naming the
file before any model runs; never a stack trace, never a lost row.

Line faults share one export (one build, after a demo build on the same database, as a new user
does after `make build`), each listed with its expected outcome in LINE_FAULTS and
MALFORMED_TEXTS: BOM, CRLF and mixed line ends, headers in other case, order and quoting, extra
columns, quoted commas, semicolons and newlines, short, long, blank and comma-only lines, bytes
that are not UTF-8 in optional and required fields, an unterminated quote mid-file, padded values,
other spellings of dates, amounts and ids, huge numbers, future dates, empty keys, copies,
orphans, and the optional files missing or header-only. Whole-file faults each get their own
(quickly failing) run.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from dbt_project import PROJECT_DIR, DbtBuild

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import generate_raw_data as generator  # noqa: E402

CUSTOMERS = [f"C{i:02d}" for i in range(1, 11)]
ORDERS = [f"O{i:02d}" for i in range(1, 11)]
CONTRACT = generator.TABLE_COLUMNS  # the raw columns, key first (macro raw_table_contracts)


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
    """The files as `folder`'s only content."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for table, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / f"{table}.csv").write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def export_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder that the tests of a single small export rewrite in turn: the same raw_data_path,
    so their dbt invocations share one parse (tests/python/dbt_project.py)."""
    return tmp_path_factory.mktemp("export") / "export"


# The line faults of the shared export, each (kind of fault, table, key, expected outcome): a key
# is staged, rejected with a reason, or staged with a value nulled (listed in nulled_values).
# Faults without a readable key are checked by their malformed line's text (MALFORMED_TEXTS).
LINE_FAULTS: list[tuple[str, str, str, str]] = [
    ("byte order mark, CRLF line ends, upper-case blank-padded header, extra column", "customers", "C01", "staged"),
    ("quoted comma in a value", "customers", "C03", "staged"),
    ("quoted semicolon in a value", "customers", "C04", "staged"),
    ("quoted newline in a value", "customers", "C05", "staged"),
    ("empty key", "customers", "", "missing_key"),
    ("a line of commas only", "customers", "", "missing_key"),
    ("one key, two different rows", "customers", "C12", "conflicting_duplicate"),
    ("one key, two identical lines (one staged)", "customers", "C14", "duplicate_key"),
    ("latin-1 byte in an optional field (e-mail)", "customers", "C13", "nulled:email"),
    ("latin-1 byte in an optional field (region nörth)", "customers", "C15", "nulled:region"),
    ("optional date written 12/1/2010", "customers", "C16", "nulled:signup_date"),
    ("optional date with a time", "customers", "C17", "nulled:signup_date"),
    ("key and values padded with blanks", "customers", "C18", "staged"),
    ("every field quoted", "customers", "C19", "staged"),
    ("quoted header, reordered columns, capitalised status", "orders", "O01", "staged"),
    ("optional amount out of range (1e400)", "orders", "O13", "nulled:shipping_fee"),
    ("optional amount with 30 digits", "orders", "O14", "nulled:shipping_fee"),
    ("order of a rejected customer (cascade)", "orders", "O15", "orphan"),
    ("order dated in 2099 (after the build day)", "orders", "O16", "invalid_value"),
    ("ISO timestamp with T and a zone suffix Z (ISO: the time kept as written)", "orders", "O17", "staged"),
    ("optional amount with a decimal comma", "orders", "O18", "nulled:shipping_fee"),
    ("amount in scientific notation (1.5e1 is 15)", "orders", "O19", "staged"),
    ("customer id in another case (ids keep their case)", "orders", "O20", "orphan"),
    ("status outside the contract's words", "orders", "O21", "invalid_value"),
    ("required timestamp written 01/03/2024", "orders", "O22", "invalid_value"),
    ("padded customer id and amount", "orders", "O23", "staged"),
    ("optional amount written NULL", "orders", "O24", "nulled:shipping_fee"),
    ("negative optional amount (out of its domain)", "orders", "O25", "invalid_value"),
    ("LF line ends after CRLF ones (two exports concatenated)", "orders", "O26", "staged"),
    ("last line without a line end", "orders", "O27", "staged"),
    ("required whole number out of range", "order_items", "I11", "invalid_value"),
    ("line of a rejected order (cascade)", "order_items", "I12", "orphan"),
    ("lines after an unterminated quote", "order_items", "I14", "staged"),
    ("negative quantity", "order_items", "I16", "invalid_value"),
    ("optional discount written 10%", "order_items", "I17", "nulled:discount_amount"),
    ("required amount with a thousands separator", "order_items", "I18", "invalid_value"),
    ("line of a future-dated order (cascade)", "order_items", "I19", "orphan"),
    ("latin-1 byte in an optional text field (category)", "order_items", "I20", "nulled:product_category"),
    ("whole number written with decimals (1.0)", "order_items", "I22", "staged"),
]
# Lines that cannot be read, by table: (kind of fault, a part of the line's text).
MALFORMED_TEXTS: dict[str, list[tuple[str, str]]] = {
    "customers": [("latin-1 byte in the key", "C2"), ("a line of blanks only", "   ")],
    "orders": [("short line", "C01,O11,completed"), ("long line", "C01,O12,completed,2024-01-01,1,extra")],
    "order_items": [("unterminated quote, mid-file", 'I13,O01,"P1'), ("latin-1 byte in a required amount", "I21")],
}
# Not lines: an empty line is no row; service_events.csv is missing and customer_signals.csv has
# only its header (optional files: empty tables).
OTHER_FAULTS = ["empty line between rows", "optional file missing", "optional file with only its header"]


def line_fault_files() -> tuple[dict[str, bytes], dict[str, int], list[tuple[str, str, int]]]:
    """The line-fault export, the number of raw records of each file, the expected rejections."""
    customer_rows = [["Customer_ID ", " SIGNUP_DATE", "Region", "Acquisition_Channel", "EMAIL", "Notes"]]
    for c in CUSTOMERS:
        region = {"C03": "north, east", "C04": "south;west", "C05": "south\nwest"}.get(c, "north")
        customer_rows.append([c, "2024-01-01", region, "web", email(c), "a note"])
    customer_rows += [
        ["", "2024-01-01", "north", "web", "nokey.person@example.com", ""],
        ["C12", "2024-01-01", "north", "web", "c12.person@example.com", ""],
        ["C12", "2024-02-01", "north", "web", "c12.person@example.com", ""],
        ["C14", "2024-01-01", "north", "web", "c14.person@example.com", ""],
        ["C14", "2024-01-01", "north", "web", "c14.person@example.com", ""],
        ["C16", "12/1/2010", "north", "web", "c16.person@example.com", ""],
        ["C17", "2024-01-01 10:00:00", "north", "web", "c17.person@example.com", ""],
        ["  C18  ", "  2024-01-01  ", "  north  ", "web", "c18.person@example.com", ""],
    ]
    customers = b"\xef\xbb\xbf" + csv_text(customer_rows, "\r\n").encode("utf-8")
    customers += b",,,,,\r\n"
    customers += b"\r\n"  # an empty line: no row
    customers += b"C13,2024-01-01,north,web,caf\xe9.person@example.com,\r\n"
    customers += b"C15,2024-01-01,n\xf6rth,web,c15.person@example.com,\r\n"
    customers += b'"C19","2024-01-01","north","web","c19.person@example.com",""\r\n'
    customers += b"C2\xe9,2024-01-01,north,web,c2x.person@example.com,\r\n"
    customers += b"   \r\n"

    order_rows = [["customer_id", "order_id", "status", "ordered_at", "shipping_fee"]]  # reordered
    order_rows += [[c, o, "Completed", "2024-03-01 10:00:00", "4.95"] for o, c in zip(ORDERS, CUSTOMERS, strict=True)]
    order_rows += [
        ["C01", "O13", "completed", "2024-02-01", "1e400"],
        ["C01", "O14", "completed", "2024-02-01", "123456789012345678901234567890"],
        ["C12", "O15", "completed", "2024-02-01", "0"],
        ["C01", "O16", "completed", "2099-01-01 10:00:00", "0"],
        ["C01", "O17", "completed", "2024-03-01T10:00:00Z", "0"],
        ["C01", "O18", "completed", "2024-03-01", "4,95"],
        ["C01", "O19", "completed", "2024-03-01", "1.5e1"],
        [" c01", "O20", "completed", "2024-03-01", "0"],
        ["C01", "O21", " SHIPPED ", "2024-03-01", "0"],
        ["C01", "O22", "completed", "01/03/2024", "0"],
        ["  C01  ", "O23", "completed", "2024-03-01", " 4.95 "],
        ["C01", "O24", "completed", "2024-03-01", "NULL"],
        ["C01", "O25", "completed", "2024-03-01", "-1"],
    ]
    header = b'"customer_id","order_id","status","ordered_at","shipping_fee"\r\n'
    orders = header + csv_text(order_rows[1:], "\r\n").encode("utf-8")
    orders += b"C01,O11,completed\n"  # from here on LF line ends: mixed
    orders += b"C01,O12,completed,2024-01-01,1,extra\n"
    orders += b"C01,O26,completed,2024-03-01,0\n"
    orders += b"C01,O27,completed,2024-03-01,0"  # no line end

    item_rows = [CONTRACT["order_items"] + ["warehouse"]]  # an extra column
    item_rows += [[f"I{i:02d}", o, "P1", "books", "2", "10.00", "4.00", "0", "w1"] for i, o in enumerate(ORDERS, 1)]
    item_rows += [
        ["I11", "O01", "P1", "books", "99999999999999999999", "10.00", "4.00", "0", "w1"],
        ["I12", "O15", "P1", "books", "1", "10.00", "4.00", "0", "w1"],
    ]
    items = csv_text(item_rows).encode("utf-8")
    items += b'I13,O01,"P1,books,1,10.00,4.00,0,w1\n'  # unterminated quote: the lines below still load
    items += csv_text([
        ["I14", "O01", "P1", "books", "1", "10.00", "4.00", "0", "w1"],
        ["I16", "O01", "P1", "books", "-2", "10.00", "4.00", "0", "w1"],
        ["I17", "O01", "P1", "books", "1", "10.00", "4.00", "10%", "w1"],
        ["I18", "O01", "P1", "books", "1", "1,234.00", "4.00", "0", "w1"],
        ["I19", "O16", "P1", "books", "1", "10.00", "4.00", "0", "w1"],
        ["I22", "O01", "P1", "books", "1.0", "10.00", "4.00", "0", "w1"],
    ]).encode("utf-8")
    items += b"I20,O01,P1,b\xf6oks,1,10.00,4.00,0,w1\n"
    items += b"I21,O01,P1,books,1,1\xa30.00,4.00,0,w1\n"

    signals = b"signal_id,customer_id,signal_type,occurred_at\n"  # header only: optional, so empty
    files = {"customers": customers, "orders": orders, "order_items": items, "customer_signals": signals}
    expected_counts: dict[tuple[str, str], int] = {}
    for _, table, _, outcome in LINE_FAULTS:
        if not outcome.startswith(("staged", "nulled")):
            copies = 2 if outcome == "conflicting_duplicate" else 1
            expected_counts[(table, outcome)] = expected_counts.get((table, outcome), 0) + copies
    for table, lines in MALFORMED_TEXTS.items():
        expected_counts[(table, "malformed_line")] = len(lines)
    expected = sorted((table, reason, n) for (table, reason), n in expected_counts.items())
    valid = {"customers": set(CUSTOMERS), "orders": set(ORDERS), "order_items": {f"I{i:02d}" for i in range(1, 11)}}
    staged = {table: len(keys) for table, keys in valid.items()}
    for _, table, key, outcome in LINE_FAULTS:
        if outcome.startswith(("staged", "nulled")) or outcome == "duplicate_key":
            staged[table] += key not in valid[table]
    raw_records = {
        table: staged.get(table, 0) + sum(n for source, _, n in expected if source == table)
        for table in ("customers", "orders", "order_items", "service_events", "customer_signals")
    }
    return files, raw_records, expected


def raw_emails() -> set[str]:
    demo = PROJECT_DIR / "seeds" / "raw" / "raw_customers.csv"
    with open(demo, newline="") as handle:
        found = {row["email"].strip().lower() for row in csv.DictReader(handle) if row["email"].strip()}
    salvaged = {"café.person@example.com", "caf\ufffd.person@example.com"}  # C13's, a byte not UTF-8
    others = ["C12", "C14", "C15", "C16", "C17", "C18", "C19", "C2X", "NOKEY"]
    return found | salvaged | {email(c) for c in CUSTOMERS + others}


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
def demo_then_line_faults(
    demo_build: DbtBuild, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DbtBuild, object, object]:
    """The demo build, then the line-fault export built on (a copy of) the same database."""
    work_dir = tmp_path_factory.mktemp("corpus")
    build = demo_build.copy(work_dir)
    demo_leaks = public_text_values_with_emails(build, raw_emails())
    files, _, _ = line_fault_files()
    folder = write(work_dir / "export", files)
    own = build.run(
        "build", variables={"raw_data_path": str(folder), "raw_file_format": "csv", "max_rejected_share": 1},
        check=False,
    )
    return build, demo_leaks, own


def test_the_corpus_covers_at_least_35_kinds_of_fault() -> None:
    kinds = [kind for kind, *_ in LINE_FAULTS] + [kind for lines in MALFORMED_TEXTS.values() for kind, _ in lines]
    kinds += OTHER_FAULTS + list(whole_file_faults()) + ["too many bad rows", "latin-1 export with raw_file_encoding"]
    assert len(set(kinds)) == len(kinds) >= 35


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
    for table, records in raw_records.items():
        table_rejected = sum(n for source, _, n in expected if source == table)
        assert records == staged[table] + table_rejected, table

    # Each keyed fault ends as expected: staged, rejected with its reason, or staged with a value nulled.
    keys = {"customers": "customer_id", "orders": "order_id", "order_items": "order_item_id"}
    nulled = set(build.query("select source_table, source_key, column_name from nulled_values"))
    for kind, table, key, outcome in LINE_FAULTS:
        if not key:
            continue
        staged_rows = build.query(f"select count(*) from staging.stg_shop__{table} where {keys[table]} = '{key}'")[0][0]
        reasons = {r for (r,) in build.query(
            f"select reason from rejected_rows where source_table = '{table}' and source_key = '{key}'")}
        if outcome == "staged":
            assert (staged_rows, reasons) == (1, set()), kind
        elif outcome == "duplicate_key":
            assert (staged_rows, reasons) == (1, {"duplicate_key"}), kind
        elif outcome.startswith("nulled:"):
            assert (staged_rows, reasons) == (1, set()), kind
            assert (table, key, outcome.removeprefix("nulled:")) in nulled, kind
        else:
            assert (staged_rows, reasons) == (0, {outcome}), kind
    assert len(nulled) == sum(outcome.startswith("nulled:") for *_, outcome in LINE_FAULTS)

    # Lines that cannot be read keep their line number and text; nothing else is malformed.
    malformed = build.query(
        "select source_table, raw_record::json->>'line_text' from rejected_rows where reason = 'malformed_line'"
    )
    for table, lines in MALFORMED_TEXTS.items():
        for kind, text in lines:
            assert len([t for source, t in malformed if source == table and text in t]) == 1, kind
    assert build.query(
        "select count(*) from rejected_rows where reason = 'malformed_line'"
        " and source_key is null and cast(raw_record::json->>'line_number' as integer) > 1"
    ) == [(len(malformed),)]

    # Values as staged: quoted commas, semicolons and newlines are values; padding is trimmed;
    # a nulled amount is 0 (what an empty one means), scientific notation is a number.
    assert build.query(
        "select customer_id, region from staging.stg_shop__customers where customer_id in ('C03', 'C04', 'C05')"
        " order by 1"
    ) == [("C03", "north, east"), ("C04", "south;west"), ("C05", "south\nwest")]
    assert build.query(
        "select customer_id, signup_date::varchar, region, signup_date is null from staging.stg_shop__customers"
        " where customer_id in ('C15', 'C16', 'C18') order by 1"
    ) == [("C15", "2024-01-01", None, False), ("C16", None, "north", True), ("C18", "2024-01-01", "north", False)]
    assert [(o, float(f)) for o, f in build.query(
        "select order_id, shipping_fee from staging.stg_shop__orders where order_id in ('O13', 'O19', 'O23')"
        " order by 1"
    )] == [("O13", 0.0), ("O19", 15.0), ("O23", 4.95)]
    # The order dated 2099 does not move the default as-of date.
    assert build.query("select max(last_ordered_at)::date::varchar from customer_value") == [("2024-03-01",)]
    # The quarantine summary adds up and says what counts toward the limit.
    summary = build.query(
        "select source_table, reason, rows, counts_toward_limit from quarantine_summary order by 1, 2"
    )
    assert [(t, r, n) for t, r, n, counts in summary if counts] == expected
    assert sorted((t, n) for t, r, n, counts in summary if not counts) == sorted(
        (table, sum(1 for _, t, _, o in LINE_FAULTS if t == table and o.startswith("nulled:")))
        for table in {t for _, t, _, o in LINE_FAULTS if o.startswith("nulled:")}
    )


def test_no_public_model_holds_a_raw_email(demo_then_line_faults) -> None:
    build, demo_leaks, own = demo_then_line_faults
    assert own.returncode == 0
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
        "tab-delimited file": ({**valid, "orders": valid["orders"].replace(",", "\t")}, "orders.csv"),
    }


@pytest.mark.parametrize("fault", list(whole_file_faults()))
def test_a_whole_file_fault_stops_the_build_with_one_line_naming_the_file(
    tmp_path: Path, export_folder: Path, fault: str
) -> None:
    files, named_file = whole_file_faults()[fault]
    folder = write(export_folder, files)
    result = DbtBuild(tmp_path).run(
        "build", "--select", "base_shop__customers",
        variables={"raw_data_path": str(folder), "raw_file_format": "csv"}, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    error_lines = [line for line in output.splitlines() if line.strip().startswith("Raw file ")]
    assert len(error_lines) == 1 and named_file in error_lines[0], output[-3000:]


def log_text(line: str) -> str:
    """A dbt log line without its colours and time stamp."""
    return re.sub(r"^\d{2}:\d{2}:\d{2}\s*", "", re.sub(r"\x1b\[[0-9;]*m", "", line)).strip()


def test_a_mostly_bad_export_stops_with_one_line_saying_what_to_fix(tmp_path: Path, export_folder: Path) -> None:
    """A data failure: its first error line says what to fix, and the quarantine of the failed
    build is readable from the diagnostics folder."""
    valid = valid_files()
    lines = valid["orders"].splitlines()
    ragged = [line + ",extra" if number <= 4 else line for number, line in enumerate(lines[1:], start=1)]
    folder = write(export_folder, {**valid, "orders": "\n".join([lines[0], *ragged]) + "\n"})
    build = DbtBuild(tmp_path)
    result = build.run(
        "build",
        variables={"raw_data_path": str(folder), "raw_file_format": "csv"}, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0  # the error-severity max_rejected_share test
    assert "Traceback" not in output
    # dbt's error summary: after the failing test's name, the first line names the table, its
    # share, the limit and the largest reasons with their counts.
    summary = [log_text(line) for line in output[output.index("Completed with"):].splitlines()[1:]]
    first = next(line for line in summary if line and " in test " not in line)
    assert "Raw table orders: 40.0% of its rows rejected (4)" in first, first
    assert "max_rejected_share = 5.0%" in first and "malformed_line 4" in first, first
    # the failed build published nothing, but wrote its quarantine
    assert not (tmp_path / "serving" / "customer_value.duckdb").exists()
    diagnostics = tmp_path / "diagnostics"
    with duckdb.connect() as connection:
        assert connection.sql(
            f"select source_table, reason, count(*) from '{diagnostics / 'rejected_rows.parquet'}' group by all"
            " order by all"
        ).fetchall() == [("order_items", "orphan", 4), ("orders", "malformed_line", 4)]
        assert connection.sql(
            "select source_table, reason, rows, counts_toward_limit"
            f" from '{diagnostics / 'quarantine_summary.parquet'}' order by all"
        ).fetchall() == [("order_items", "orphan", 4, True), ("orders", "malformed_line", 4, True)]
        assert connection.sql(f"select count(*) from '{diagnostics / 'nulled_values.parquet'}'").fetchall() == [(0,)]
    assert build.query("select count(*) from staging.stg_shop__orders") == [(len(ORDERS) - 4,)]


def test_an_export_without_a_valid_order_stops_with_one_line_saying_so(tmp_path: Path, export_folder: Path) -> None:
    """Every order mistyped into the future: none can be valued. The first error line says so
    (or names the table over the limit), never the symptom of a missing as-of date."""
    valid = valid_files()
    folder = write(export_folder, {**valid, "orders": valid["orders"].replace("2024-03-01", "2099-03-01")})
    result = DbtBuild(tmp_path).run(
        "build",
        variables={"raw_data_path": str(folder), "raw_file_format": "csv"}, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    summary = [log_text(line) for line in output[output.index("Completed with"):].splitlines()[1:]]
    first = next(line for line in summary if line and " in test " not in line)
    assert "No valid order to value" in first or "Raw table orders: 100.0%" in first, first
    assert "diagnostics" in first, first

def test_a_latin1_export_loads_with_raw_file_encoding(tmp_path: Path) -> None:
    valid = valid_files()
    customers = valid["customers"].replace("north", "Münster")
    files = {**valid, "customers": customers.encode("latin-1")}
    folder = write(tmp_path / "export", files)
    build = DbtBuild(tmp_path)
    build.run(
        "build", "--select", "+rejected_rows",
        "--indirect-selection", "cautious",
        variables={"raw_data_path": str(folder), "raw_file_format": "csv", "raw_file_encoding": "latin-1"},
    )
    assert build.query("select count(*), min(region) from staging.stg_shop__customers") == [(10, "Münster")]
    assert build.query("select count(*) from rejected_rows") == [(0,)]
