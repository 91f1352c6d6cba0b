"""The demo-data generator is deterministic, complete and injects every rejection reason."""

from __future__ import annotations

import filecmp
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import generate_raw_data as generator  # noqa: E402

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "raw"
REASONS = {"missing_key", "duplicate_key", "conflicting_duplicate", "invalid_value", "orphan", "no_rate"}


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    for run in ("first", "second"):
        generator.generate(300, tmp_path / run, "csv", "", chunk_size=120, show_progress=False)
    for table in generator.TABLE_COLUMNS:
        assert filecmp.cmp(tmp_path / "first" / f"{table}.csv", tmp_path / "second" / f"{table}.csv", shallow=False)


def test_committed_demo_seeds_are_the_generator_output(tmp_path: Path) -> None:
    generator.generate(generator.DEMO_CUSTOMERS, tmp_path, "csv", "raw_", show_progress=False)
    for table in generator.TABLE_COLUMNS:
        assert filecmp.cmp(tmp_path / f"raw_{table}.csv", SEEDS / f"raw_{table}.csv", shallow=False), (
            f"seeds/raw/raw_{table}.csv is stale: run `make demo-data`"
        )


def test_every_rejection_reason_is_injected_at_least_twice(tmp_path: Path) -> None:
    summary = generator.generate(100, tmp_path, "csv", "", show_progress=False)
    injected: dict[str, int] = {}
    for counts in summary.values():
        for reason, n in counts.items():
            if reason != "rows":
                injected[reason] = injected.get(reason, 0) + n
    assert set(injected) == REASONS
    assert min(injected.values()) >= 2


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_ids_are_unique_across_chunks_and_every_column_is_text(tmp_path: Path, file_format: str) -> None:
    generator.generate(250, tmp_path, file_format, "", chunk_size=100, show_progress=False)
    reader = "read_parquet" if file_format == "parquet" else "read_csv"
    options = "" if file_format == "parquet" else ", all_varchar = true"
    with duckdb.connect() as connection:
        orders = f"{reader}('{tmp_path}/orders.{file_format}'{options})"
        types = {row[1] for row in connection.sql(f"describe select * from {orders}").fetchall()}
        assert types == {"VARCHAR"}
        # Clean order ids are unique: only the injected duplicates repeat (one pair per chunk,
        # plus the conflicting pair).
        repeated = connection.sql(
            f"select count(*) from (select order_id from {orders} where trim(order_id) <> ''"
            " group by order_id having count(*) > 1)"
        ).fetchone()[0]
        assert repeated == 3 * 3  # 3 chunks x (2 duplicated copies + 1 conflicting key)
