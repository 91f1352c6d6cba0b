"""File work of the raw CSV landing and the quarantine diagnostics, as DuckDB functions.

dbt-duckdb loads this module as a plugin (profiles.yml, `plugins`); the macros in
macros/raw_files/repair_raw_csv.sql and macros/serving/quarantine_diagnostics.sql call the functions it
registers on the build connection. DuckDB reads the files; what its CSV reader cannot do is
done here, and only for files that need it (docs/rules.md, section 13):

* `raw_csv_prepare(path, work_dir, table, encoding, delimiter, width, numbered)`: the path to
  read, a copy when the file needs one (line numbers unchanged), after one pass over the file
  (`scan_lines`). Also clears the table's repair files.
  - A file whose lines end in both LF and CRLF (two exports concatenated) stops DuckDB's
    reader: the copy has CRLF written as LF.
  - A line with an unterminated quote would make the reader swallow the lines after it, and
    on a large file it drops them without a reject: in the copy the line is a single blank
    (a line of the wrong width, rejected where it stands), and it is written to
    `<table>.quotes.csv` for the macro to land as the malformed line.
    A quoted value that holds line breaks is a record, not a fault: the lines from an
    opening quote to the closing one are one record when they split into `width` fields.
  - `numbered` (a line export, whose reader numbers lines by counting rows): the numbers of
    the empty lines, which the reader skips without a trace, go to `<table>.empty.csv`.
* `raw_csv_repair(path, copy, work_dir, table, encoding, header, contract, salvageable, targets)`:
  writes `copy`, the file with the lines listed in `targets` blanked (a blank line is skipped
  by the reader and keeps the line numbers), so that a line with bytes not valid in the
  encoding loses only the bad fields when they are optional columns: the rest of the line is
  written to `<table>.rows.csv` and the bad fields to `<table>.values.csv`, both UTF-8 in
  work_dir, for the macro to land. Lines that cannot be salvaged go to `<table>.lines.csv` as
  malformed lines.
* `raw_diagnostics_prepare(dir)`, `raw_diagnostics_remove(file)`: the diagnostics folder.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

CHUNK = 16 * 1024 * 1024
REPAIR_FILES = ("rows", "values", "lines", "lf", "quotes", "empty")
REPAIR_HEADERS = {
    "values": ["line_number", "source_key", "column_name", "raw_value", "detail"],
    "lines": ["line_number", "byte_position", "problem", "line_text"],
}
# The longest record DuckDB's reader takes (its max_line_size default): an opening quote not
# closed within it is unterminated.
MAX_RECORD_BYTES = 2_097_152
csv.field_size_limit(MAX_RECORD_BYTES)  # a quoted value as long as the reader allows
EMPTY_LINE = re.compile(rb"\n(?=\r?\n)")
UNTERMINATED_QUOTE = (
    "UNTERMINATED QUOTE: the quote opened on this line is not closed (the lines after it were read on their own)"
)


def repair_file(work_dir: str, table: str, kind: str) -> Path:
    return Path(work_dir) / f"{table}.{kind}.csv"


def prepare_csv(
    path: str, work_dir: str, table: str, encoding: str, delimiter: str, width: str, numbered: bool
) -> str:
    folder = Path(work_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for kind in REPAIR_FILES:
        repair_file(work_dir, table, kind).unlink(missing_ok=True)
    source = Path(path)
    if not ascii_compatible(encoding) or not source.exists():
        return path
    scan = scan_lines(source, delimiter, int(width), encoding, numbered)
    if numbered:
        append_rows(repair_file(work_dir, table, "empty"), ["line_number"], [[number] for number in scan.empty])
    if not scan.mixed_line_ends and not scan.unterminated:
        return path
    copy = folder / f"{table}.lf.csv"
    write_prepared_copy(source, copy, scan.mixed_line_ends, scan.unterminated)
    append_rows(
        repair_file(work_dir, table, "quotes"), REPAIR_HEADERS["lines"],
        [[number, start, UNTERMINATED_QUOTE, text] for number, start, text in scan.unterminated],
    )
    return str(copy)


class LineScan:
    """What one pass over a file found: whether its lines end in both LF and CRLF (two exports
    concatenated, which stops DuckDB's reader), the numbers of its empty lines (when asked),
    and its lines with an unterminated quote (QuoteScan)."""

    def __init__(self, mixed_line_ends: bool, empty: list[int], unterminated: list[tuple[int, int, str]]) -> None:
        self.mixed_line_ends, self.empty, self.unterminated = mixed_line_ends, empty, unterminated


def scan_lines(path: Path, delimiter: str, width: int, encoding: str, numbered: bool) -> LineScan:
    """One pass over the file in chunks of whole lines. A chunk without a quote character is
    only counted, unless a quoted value is open; quotes are not looked for in a file whose
    fields are separated by runs of blanks (no quoting)."""
    quotes = QuoteScan(delimiter, width, encoding) if delimiter != " " else None
    crlf = lf = lines = offset = 0
    empty: list[int] = []
    rest = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            data = rest + chunk
            cut = data.rfind(b"\n") + 1
            rest, data = data[cut:], data[:cut]
            crlf += data.count(b"\r\n")
            lf += data.count(b"\n")
            if numbered:
                empty += empty_lines_in(data, lines)
            if quotes is not None and (quotes.open_record or b'"' in data):
                for number, line in enumerate(data.splitlines(keepends=True), start=lines + 1):
                    quotes.add((number, offset, line))
                    offset += len(line)
            else:
                offset += len(data)
            lines += data.count(b"\n")
    if rest and quotes is not None:
        quotes.add((lines + 1, offset, rest))
    found = []
    if quotes is not None:
        quotes.finish()
        found = quotes.found
    return LineScan(0 < crlf < lf, empty, found)


def empty_lines_in(data: bytes, lines_before: int) -> list[int]:
    """The numbers of the empty lines (nothing, or only a CR, before the line end) of a chunk of
    whole lines that follows `lines_before` lines: the reader skips them without a trace, so a
    reader that numbers lines by counting the rows it read needs them."""
    numbers = [lines_before + 1] if data.startswith((b"\n", b"\r\n")) else []
    counted, position = lines_before, 0
    for match in EMPTY_LINE.finditer(data):
        counted += data.count(b"\n", position, match.start() + 1)
        position = match.start() + 1
        numbers.append(counted + 1)
    return numbers


def write_prepared_copy(source: Path, copy: Path, mixed: bool, unterminated: list[tuple[int, int, str]]) -> None:
    """The copy: CRLF as LF when the line ends are mixed, each unterminated line a single blank."""
    if unterminated:
        data = source.read_bytes()
        parts, position = [], 0
        for _, start, _ in unterminated:
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            end -= 1 if end > start and data[end - 1 : end] == b"\r" else 0
            parts += [data[position:start], b" "]
            position = end
        parts.append(data[position:])
        data = b"".join(parts)
        copy.write_bytes(data.replace(b"\r\n", b"\n") if mixed else data)
        return
    with open(source, "rb") as reader, open(copy, "wb") as writer:
        previous = b""
        while chunk := reader.read(CHUNK):
            data = previous + chunk
            # a CR at the end of a chunk may start a CRLF: keep it for the next chunk
            previous = b"\r" if data.endswith(b"\r") else b""
            writer.write(data[: len(data) - len(previous)].replace(b"\r\n", b"\n"))
        writer.write(previous)


class QuoteScan:
    """Line by line: a line opens a quote when it has an odd number of quote characters and
    does not split into fields by itself; the record then runs to the next line with an odd
    number of them, and is one record when it splits into `width` fields within
    MAX_RECORD_BYTES. Otherwise the opening line is unterminated, and the lines after it are
    scanned again on their own."""

    def __init__(self, delimiter: str, width: int, encoding: str) -> None:
        self.delimiter, self.width, self.encoding = delimiter, width, encoding
        self.open_record: list[tuple[int, int, bytes]] = []
        self.open_bytes = 0
        self.found: list[tuple[int, int, str]] = []

    def add(self, line: tuple[int, int, bytes]) -> None:
        text = line[2]
        odd = text.count(b'"') % 2 == 1
        if not self.open_record:
            if odd and splits_into_fields(text, self.delimiter) is None:
                self.open_record, self.open_bytes = [line], len(text)
            return
        self.open_record.append(line)
        self.open_bytes += len(text)
        if odd and splits_into_fields(b"".join(part[2] for part in self.open_record), self.delimiter) == self.width:
            self.open_record, self.open_bytes = [], 0
        elif odd or self.open_bytes > MAX_RECORD_BYTES:
            self.reject_opening_line()

    def finish(self) -> None:
        while self.open_record:
            self.reject_opening_line()

    def reject_opening_line(self) -> None:
        (number, offset, text), *after = self.open_record
        self.found.append((number, offset, text.rstrip(b"\r\n").decode(self.encoding, errors="replace")))
        self.open_record, self.open_bytes = [], 0
        for line in after:
            self.add(line)


def splits_into_fields(record: bytes, delimiter: str) -> int | None:
    """The number of fields of `record` read as one CSV record; None when it is not one."""
    try:
        rows = list(csv.reader(
            io.StringIO(record.decode("latin-1"), newline=""), delimiter=delimiter, quotechar='"',
            doublequote=True, strict=True,
        ))
    except csv.Error:
        return None
    return len(rows[0]) if len(rows) == 1 else None


def ascii_compatible(encoding: str) -> bool:
    """Line and field separators are single ASCII bytes (utf-8, latin-1), not utf-16."""
    return b",\n".decode(encoding, errors="replace") == ",\n" and len(",".encode(encoding)) == 1


def physical_line(data: bytes, position: int) -> tuple[int, int]:
    """Start and end (exclusive, before CR LF) of the line of the reader's `position`: the
    reader gives a byte of the line or of the line ends before it (it varies by one), so the
    line is the one holding that byte, blank lines skipped."""
    start = data.rfind(b"\n", 0, position) + 1
    while start < len(data) and data[start] in b"\r\n":
        start += 1
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    return start, end - 1 if end > start and data[end - 1 : end] == b"\r" else end


def split_fields(line: bytes) -> list[bytes] | None:
    """The comma-separated, "-quoted fields of one line as bytes; None when it is not one record."""
    try:
        rows = list(csv.reader([line.decode("latin-1")], delimiter=",", quotechar='"', strict=True))
    except csv.Error:
        return None
    return [field.encode("latin-1") for field in rows[0]] if len(rows) == 1 else None


def append_rows(path: Path, header: list[str], rows: list[list]) -> None:
    if not rows:
        return
    new = not path.exists()
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(header)
        writer.writerows(rows)


def repair_csv(
    path: str, copy: str, work_dir: str, table: str, encoding: str, header_csv: str, contract_csv: str,
    salvageable_csv: str, targets_json: str,
) -> int:
    """Write the repaired copy and the repair files; the number of lines repaired."""
    header = header_csv.split(",")
    contract = contract_csv.split(",")
    key = contract[0]
    salvageable = set(filter(None, salvageable_csv.split(",")))
    targets = json.loads(targets_json)
    data = Path(path).read_bytes()
    blanked: list[tuple[int, int]] = []
    rows, values, lines = [], [], []
    for target in sorted(targets, key=lambda item: item["byte_position"]):
        start, end = physical_line(data, int(target["byte_position"]))
        line = data[start:end]
        text = line.decode(encoding, errors="replace")
        blanked.append((start, end))
        salvaged = salvage(line, header, contract, salvageable, encoding)
        if salvaged is None:
            lines.append([target["line_number"], start, target["problem"], text])
            continue
        fields, bad = salvaged
        rows.append([*fields, target["line_number"]])
        source_key = fields[header.index(key)].strip()
        for column, raw_value in bad:
            values.append([target["line_number"], source_key, column, raw_value,
                           f"{column}: not valid {encoding} (the bytes shown as U+FFFD)"])
    with open(copy, "wb") as writer:
        position = 0
        for start, end in blanked:
            writer.write(data[position:start])
            position = end
        writer.write(data[position:])
    append_rows(repair_file(work_dir, table, "rows"), [*header, "line_number"], rows)
    append_rows(repair_file(work_dir, table, "values"), REPAIR_HEADERS["values"], values)
    append_rows(repair_file(work_dir, table, "lines"), REPAIR_HEADERS["lines"], lines)
    return len(blanked)


def salvage(
    line: bytes, header: list[str], contract: list[str], salvageable: set[str], encoding: str
) -> tuple[list[str | None], list[tuple[str, str]]] | None:
    """The line's fields with the undecodable ones set to None, and the (column, text) of those
    in salvageable columns; None when the line cannot be salvaged: not one record of the
    header's width, or a bad byte in the key or another column the contract requires. A bad
    field of a column outside the contract is ignored, like the column."""
    fields = split_fields(line)
    if fields is None or len(fields) != len(header):
        return None
    decoded: list[str | None] = []
    bad = []
    for column, field in zip(header, fields, strict=True):
        try:
            decoded.append(field.decode(encoding))
        except UnicodeDecodeError:
            if column in contract and column not in salvageable:
                return None
            decoded.append(None)
            if column in salvageable:
                bad.append((column, field.decode(encoding, errors="replace")))
    return decoded, bad


def prepare_folder(folder: str) -> str:
    """Create a folder (and its parents); its absolute path."""
    path = Path(folder).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def remove_file(path: str) -> bool:
    """Remove a file if it exists; whether it existed."""
    file = Path(path)
    existed = file.exists()
    file.unlink(missing_ok=True)
    return existed


class Plugin(BasePlugin):
    """Registers the raw-file functions on the build connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "raw_csv_prepare", prepare_csv, ["VARCHAR"] * 6 + ["BOOLEAN"], "VARCHAR", side_effects=True
        )
        conn.create_function(
            "raw_csv_repair", repair_csv, ["VARCHAR"] * 9, "INTEGER", side_effects=True
        )
        conn.create_function("raw_diagnostics_prepare", prepare_folder, ["VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("raw_diagnostics_remove", remove_file, ["VARCHAR"], "BOOLEAN", side_effects=True)
