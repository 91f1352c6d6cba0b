"""Processes that read the serving file while builds publish (used by test_serving_publication.py).

    python serving_probe.py read SERVING_FILE STOP_FILE RESULT_FILE
        Reads in a loop, one short-lived read-only connection per read, until STOP_FILE exists.
        A read takes the publication record and counts every published table; it is complete
        when every count equals the record. Writes {"reads": [[publication_id, complete], ...],
        "errors": [...]} to RESULT_FILE.

    python serving_probe.py hold SERVING_FILE STOP_FILE RESULT_FILE
        Opens one read-only connection, writes RESULT_FILE.ready, keeps the connection open
        until STOP_FILE exists, then reads the publication id through it into RESULT_FILE.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def read_publication(connection: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
    record = connection.sql("select publication_id, model_name, row_count from publication").fetchall()
    publication_ids = {publication_id for publication_id, _, _ in record}
    complete = len(publication_ids) == 1 and all(
        connection.sql(f'select count(*) from "{model}"').fetchone()[0] == row_count
        for _, model, row_count in record
    )
    return publication_ids.pop(), complete


def read_in_a_loop(serving_file: str, stop_file: Path) -> dict:
    reads, errors = [], []
    while not stop_file.exists():
        try:
            with duckdb.connect(serving_file, read_only=True) as connection:
                reads.append(read_publication(connection))
        except Exception as error:  # every failure counts, whatever it is
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.1)  # still hundreds of reads per build, without taking a core from it
    return {"reads": reads, "errors": errors}


def hold_a_connection(serving_file: str, stop_file: Path, ready_file: Path) -> dict:
    with duckdb.connect(serving_file, read_only=True) as connection:
        opened_on = read_publication(connection)
        ready_file.write_text("ready")
        while not stop_file.exists():
            time.sleep(0.05)
        return {"opened_on": opened_on, "read_at_the_end": read_publication(connection)}


def main() -> None:
    mode, serving_file, stop_file, result_file = sys.argv[1:5]
    if mode == "read":
        result = read_in_a_loop(serving_file, Path(stop_file))
    else:
        result = hold_a_connection(serving_file, Path(stop_file), Path(result_file + ".ready"))
    Path(result_file).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
