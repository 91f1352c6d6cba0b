"""docs/rules.md, section 12: builds publish the marts atomically; readers and builds never block each other."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dbt_project import DbtBuild

PROBE = Path(__file__).with_name("serving_probe.py")


def publication(serving_dir: Path) -> dict[str, int]:
    with duckdb.connect(str(serving_dir / "customer_value.duckdb"), read_only=True) as connection:
        return dict(connection.sql("select model_name, row_count from publication").fetchall())


def publication_id(serving_dir: Path) -> str:
    with duckdb.connect(str(serving_dir / "customer_value.duckdb"), read_only=True) as connection:
        (only,) = connection.sql("select distinct publication_id from publication").fetchall()
        return only[0]


def invocation_id(build: DbtBuild) -> str:
    return json.loads((build.work_dir / "target" / "run_results.json").read_text())["metadata"]["invocation_id"]


def start_probe(mode: str, build: DbtBuild, name: str) -> tuple[subprocess.Popen, Path, Path]:
    stop_file = build.work_dir / f"{name}.stop"
    result_file = build.work_dir / f"{name}.json"
    serving_file = build.serving_dir / "customer_value.duckdb"
    process = subprocess.Popen([sys.executable, str(PROBE), mode, str(serving_file), str(stop_file), str(result_file)])
    return process, stop_file, result_file


def stop_probe(process: subprocess.Popen, stop_file: Path, result_file: Path) -> dict:
    stop_file.write_text("stop")
    assert process.wait(timeout=60) == 0
    return json.loads(result_file.read_text())


@pytest.fixture(scope="module")
def published(demo_build, tmp_path_factory) -> DbtBuild:
    """A copy of the demo build: what its `dbt build` published, for the tests to build on."""
    return demo_build.copy(tmp_path_factory.mktemp("serving"))


def test_a_build_publishes_the_public_marts_to_duckdb_and_parquet(published):
    record = publication(published.serving_dir)
    assert publication_id(published.serving_dir) == invocation_id(published)
    assert {"customer_value", "customer_value_deciles", "value_tier_summary", "whale_curve", "fct_orders",
            "fct_cost_to_serve", "rejected_rows"} <= set(record)
    for model, row_count in record.items():
        assert published.query(f"select count(*) from {model}") == [(row_count,)], model
    parquet = published.serving_dir / "parquet"
    assert {path.stem for path in parquet.glob("*.parquet")} == set(record) | {"publication"}
    for model, row_count in record.items():
        assert duckdb.sql(f"select count(*) from '{parquet / model}.parquet'").fetchone()[0] == row_count, model
    assert not [path.name for path in published.serving_dir.rglob(".*")], "temporary files left behind"


def test_readers_see_whole_publications_and_never_block_builds(published):
    first = publication_id(published.serving_dir)
    reader = start_probe("read", published, "reader")
    holder = start_probe("hold", published, "holder")
    ready = holder[2].with_name(holder[2].name + ".ready")
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), "the holding reader did not open the serving file"

    # Two builds with different populations, so a mixed read would show in the counts (the data
    # tests left out: what is published is the models).
    published.run("build", "--exclude-resource-type", "test", variables={"as_of_date": "2024-12-31"})
    second = invocation_id(published)
    earlier_counts = publication(published.serving_dir)
    published.run("build", "--exclude-resource-type", "test")
    third = invocation_id(published)

    held = stop_probe(*holder)
    reads = stop_probe(*reader)
    assert reads["errors"] == []
    assert reads["reads"], "the reader never read"
    assert all(complete for _, complete in reads["reads"])
    seen = {publication for publication, _ in reads["reads"]}
    assert seen <= {first, second, third}
    assert len(seen) >= 2, "the reader never saw a new publication"
    # The open connection keeps reading the publication it opened, while both builds published.
    assert held["opened_on"] == [first, True]
    assert held["read_at_the_end"] == [first, True]
    assert publication_id(published.serving_dir) == third
    assert publication(published.serving_dir)["customer_value"] > earlier_counts["customer_value"]


def test_a_failed_build_publishes_nothing(published):
    before = publication_id(published.serving_dir)
    parquet_before = {path.name: path.stat().st_mtime_ns for path in (published.serving_dir / "parquet").iterdir()}
    # No rejected row allowed: the demo data's rejected rows fail the error-severity limit test.
    result = published.run("build", "--select", "quarantine_summary", variables={"max_rejected_share": 0},
                           check=False)
    assert result.returncode != 0
    results = json.loads((published.work_dir / "target" / "run_results.json").read_text())["results"]
    assert [r["unique_id"].split(".")[2] for r in results if r["status"] in ("fail", "error")] == [
        "rejected_share_within_max_rejected_share"]
    assert publication_id(published.serving_dir) == before
    parquet_after = {path.name: path.stat().st_mtime_ns for path in (published.serving_dir / "parquet").iterdir()}
    assert parquet_after == parquet_before
    assert not [path.name for path in published.serving_dir.rglob(".*")], "temporary files left behind"


def test_run_operation_publishes_what_the_build_database_holds_beside_it_by_default(published):
    beside_the_database = published.database.parent / "serving"
    before = publication_id(beside_the_database)
    serving_dir, published.serving_dir = published.serving_dir, None  # no CUSTOMER_VALUE_SERVING_DIR
    try:
        published.run("run-operation", "publish_marts")
    finally:
        published.serving_dir = serving_dir
    after = publication_id(beside_the_database)
    assert after != before
    for model, row_count in publication(beside_the_database).items():
        assert published.query(f"select count(*) from {model}") == [(row_count,)], model
