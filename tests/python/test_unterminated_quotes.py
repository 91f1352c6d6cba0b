"""An unterminated quote costs its own line, in a small file and in a large one; empty lines are counted.

DuckDB's CSV reader swallows the lines after an unterminated quote. On a small file it rejects
them as one record (the text of the rejected line holds the swallowed lines); on a file of
tens of megabytes read in parallel it drops a block of them with a reject that names another
line; read by one thread (the line layout) it drops the rest of the file without any reject.
raw_csv_prepare finds such lines before the read, and the reader reads a copy in which each is
a single blank, rejected where it stands. The builds of test_raw_file_corpus.py and
test_line_export.py go through it with dbt; here the scan is checked on its own and the
prepared copy is read as the macros read it, on a file large enough for the silent loss.
"""

from __future__ import annotations

import csv

import duckdb
import raw_file_salvage
from raw_file_salvage import prepare_csv, scan_lines

HEADER = "invoice,customer,ordered_at,amount,seq"


def read_as_the_macros_do(path: str, parallel: bool) -> tuple[list[int], dict[int, str]]:
    """The `seq` values of the parsed lines and the rejected lines' error types by line number."""
    connection = duckdb.connect()
    columns = ", ".join(f"'{name}': 'varchar'" for name in HEADER.split(","))
    connection.execute(
        f"create table parsed as select seq from read_csv('{path}', columns = {{{columns}}}, header = true,"
        f" auto_detect = false, parallel = {str(parallel).lower()}, delim = ',', quote = '\"', escape = '\"',"
        " store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan')"
    )
    parsed = [int(seq) for (seq,) in connection.execute("select seq from parsed").fetchall()]
    rejected = dict(connection.execute("select line, any_value(error_type) from rejects group by line").fetchall())
    return parsed, rejected


def test_a_large_file_loses_only_the_line_with_the_unterminated_quote(tmp_path):
    lines = 1_000_000
    broken = {250_000, 500_000}  # data lines (0-based): file lines 250,002 and 500,002
    path = tmp_path / "order_lines.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        for n in range(lines):
            customer = f'"C{n % 1000}' if n in broken else f"C{n % 1000}"
            handle.write(f"I{n},{customer},2024-01-01,{n % 97}.5,{n}\n")

    read_path = prepare_csv(str(path), str(tmp_path / "work"), "order_lines", "utf-8", ",", "5", False)
    assert read_path != str(path)
    with open(tmp_path / "work" / "order_lines.quotes.csv", encoding="utf-8", newline="") as handle:
        found = [(int(row["line_number"]), row["line_text"]) for row in csv.DictReader(handle)]
    assert found == [(n + 2, f'I{n},"C{n % 1000},2024-01-01,{n % 97}.5,{n}') for n in sorted(broken)]

    for parallel in (True, False):
        parsed, rejected = read_as_the_macros_do(read_path, parallel)
        assert sorted(parsed) == [n for n in range(lines) if n not in broken]
        assert sorted(rejected) == [n + 2 for n in sorted(broken)]


def test_a_quoted_value_may_hold_line_breaks(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(
        b'id,region,note\n'
        b'C1,"south\nwest",1\n'  # a record over two lines
        b'C2,"x,2\n'  # unterminated: C3 below is a line of its own
        b'C3,"a ""quoted"" word",3\r\n'  # doubled quotes inside a quoted value
        b'C4,12" vinyl,4\n'  # a quote inside an unquoted value is the reader's to judge
        b'C5,"two\nline\nbreaks",5\n'
        b'C6,"open at the end'
    )
    assert [(number, text) for number, _, text in scan_lines(path, ",", 3, "utf-8", numbered=False).unterminated] == [
        (4, 'C2,"x,2'),
        (10, 'C6,"open at the end'),
    ]


def test_a_record_that_does_not_close_within_the_longest_record_is_unterminated(tmp_path):
    path = tmp_path / "orders.csv"
    rows = [f"O{n},C1,x" for n in range(300_000)]  # over 3 MB after the quote
    closing = 'O-2,C1,x",z\n'  # closes the quote into 3 fields, but 3 MB after it opened
    path.write_text("order_id,customer_id,note\n" + 'O-1,"C1,x\n' + "\n".join(rows) + "\n" + closing, encoding="utf-8")
    assert [number for number, _, _ in scan_lines(path, ",", 3, "utf-8", numbered=False).unterminated] == [2]


def test_empty_lines_are_listed_by_their_number_across_chunks(tmp_path, monkeypatch):
    """The reader skips empty lines without a trace; a line export counts them to number the
    lines after them (raw_file_salvage.scan_lines), whatever the line ends and chunks."""
    path = tmp_path / "lines.csv"
    path.write_bytes(b"h\n\na\r\n\r\nb\n\n\nc\n")
    assert scan_lines(path, ",", 1, "utf-8", numbered=True).empty == [2, 4, 6, 7]
    monkeypatch.setattr(raw_file_salvage, "CHUNK", 3)
    assert scan_lines(path, ",", 1, "utf-8", numbered=True).empty == [2, 4, 6, 7]
