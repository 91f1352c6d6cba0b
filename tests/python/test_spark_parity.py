"""The same project on Apache Spark builds the same marts as on DuckDB.

Builds the demo data twice from the same SQL, on DuckDB and on a local Spark session
(dbt-spark `method: session`, the profile's `spark` target), each with every data test and
unit test, and compares what the marts hold: every column of every mart table (money to the
cent, shares and rates to 1e-9), and `rejected_rows` by table and reason, row by row. Also
reads the user's own exports (`raw_data_path`, Parquet and CSV) on Spark, and builds the line
export of test_line_export.py (`raw_layout: lines`) on both engines and compares its marts the
same way.

The lifetime-value models are Python models, which dbt-spark does not run: both builds use
`predict_clv: false`, so customer_value is computed the same way on both engines (its
predicted columns null, no `predicted_top` reason); the DuckDB-only CLV path has its own tests.

Needs the `spark` dependency group (`make build-spark`, run by `make test-spark`) and Java 17;
skipped in an environment without pyspark and dbt-spark.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="the spark dependency group is not installed (make build-spark)")
pytest.importorskip("dbt.adapters.spark", reason="the spark dependency group is not installed (make build-spark)")

from dbt_project import PROJECT_DIR, DbtBuild  # noqa: E402
from test_line_export import MAPPING as LINE_EXPORT_MAPPING  # noqa: E402
from test_line_export import write_export as write_line_export  # noqa: E402
from test_raw_data_path import EXPECTED_REJECTED, write_csv_folder, write_parquet_folder  # noqa: E402

# Built on both engines from the same SQL (docs/rules.md sections 3 to 5, 9 and 10); compared in full.
REQUIRED_MARTS = [
    "fct_orders",
    "fct_cost_to_serve",
    "rejected_rows",
    "customer_value",
    "customer_value_deciles",
    "value_tier_summary",
    "whale_curve",
    "customer_value_history",
    "tier_migration",
    "value_upside",
]
BOTH_ENGINES = {"predict_clv": False}
FLOAT_TOLERANCE = 1e-9
# When the run that wrote a row started: differs between any two builds, not a value to compare.
RUN_BOOKKEEPING = {"computed_at", "classified_at"}


@pytest.fixture(scope="session", autouse=True)
def java_is_there() -> None:
    if shutil.which("java") is None:
        pytest.fail("the spark dependency group is installed but there is no `java` (Spark needs Java 17)")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtBuild, DbtBuild]:
    """The full `dbt build` (seeds, models, data tests, unit tests) on each engine."""
    duckdb_build = DbtBuild(tmp_path_factory.mktemp("duckdb"), unit_tests=True)
    spark_build = DbtBuild(tmp_path_factory.mktemp("spark"), target="spark", unit_tests=True)
    duckdb_build.run("build", variables=BOTH_ENGINES)
    spark_build.run("build", variables=BOTH_ENGINES)
    return duckdb_build, spark_build


def run_results(build: DbtBuild) -> dict[str, dict]:
    results = json.loads((build.work_dir / "target" / "run_results.json").read_text())
    return {result["unique_id"]: result for result in results["results"]}


def mart_tables(build: DbtBuild) -> list[str]:
    """The tables the build wrote in the target schema (the marts)."""
    manifest = json.loads((build.work_dir / "target" / "manifest.json").read_text())
    return sorted(
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] in ("table", "incremental")
        and node["config"].get("schema") is None
    )


def values_match(duckdb_value, spark_value) -> bool:
    """Equal values whatever the engine's type for them: decimals exactly (so money to the
    cent and beyond), floating-point results to 1e-9, everything else with ==."""
    if duckdb_value is None or spark_value is None:
        return duckdb_value is None and spark_value is None
    numbers = (int, float, Decimal)
    if isinstance(duckdb_value, bool) or isinstance(spark_value, bool):
        return duckdb_value == spark_value
    if isinstance(duckdb_value, numbers) and isinstance(spark_value, numbers):
        if isinstance(duckdb_value, float) or isinstance(spark_value, float):
            return math.isclose(duckdb_value, spark_value, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
        return Decimal(duckdb_value) == Decimal(spark_value)
    return duckdb_value == spark_value


def seed_comparable(raw_record: str | None) -> dict | None:
    """A rejected row's raw JSON as dbt loads seeds on every adapter but DuckDB: dbt-core reads
    seed files with agate, which turns a blank cell ("  ") into null before Spark sees it
    (dbt-duckdb copies the file as it is). The demo's blank keys are seeds, so on Spark their
    raw_record says null where DuckDB keeps the blanks; reasons and details are the same. A
    user's own files (raw_data_path) are read by Spark itself, not through agate."""
    if raw_record is None:
        return None
    return {
        name: None if isinstance(value, str) and not value.strip() else value
        for name, value in json.loads(raw_record).items()
    }


def table_contents(build: DbtBuild, table: str) -> tuple[list[str], list[tuple]]:
    columns = [row[0] for row in build.query(f"describe {table}") if row[0] not in RUN_BOOKKEEPING]
    rows = build.query(f"select {', '.join(columns)} from {table} order by all")
    if table == "rejected_rows":
        at = columns.index("raw_record")
        rows = [(*row[:at], seed_comparable(row[at]), *row[at + 1:]) for row in rows]
    return columns, rows


def assert_same_table(duckdb_build: DbtBuild, spark_build: DbtBuild, table: str) -> None:
    duckdb_columns, duckdb_rows = table_contents(duckdb_build, table)
    spark_columns, spark_rows = table_contents(spark_build, table)
    assert spark_columns == duckdb_columns, f"{table}: columns differ"
    assert len(spark_rows) == len(duckdb_rows), (
        f"{table}: {len(duckdb_rows)} rows on DuckDB, {len(spark_rows)} on Spark"
    )
    differences = [
        f"row {index} ({duckdb_row[0]!r}) {column}: duckdb={duckdb_value!r} spark={spark_value!r}"
        for index, (duckdb_row, spark_row) in enumerate(zip(duckdb_rows, spark_rows, strict=True))
        for column, duckdb_value, spark_value in zip(duckdb_columns, duckdb_row, spark_row, strict=True)
        if not values_match(duckdb_value, spark_value)
    ]
    assert not differences, f"{table}: {len(differences)} values differ:\n" + "\n".join(differences[:20])


def assert_same_nodes_all_passed(duckdb_build: DbtBuild, spark_build: DbtBuild) -> dict[str, dict]:
    """Spark ran the nodes DuckDB ran and none failed; Spark's run results by node."""
    duckdb_results, spark_results = run_results(duckdb_build), run_results(spark_build)
    assert sorted(spark_results) == sorted(duckdb_results), "Spark and DuckDB built different nodes"
    failed = {
        node: result["status"]
        for node, result in spark_results.items()
        if result["status"] not in ("success", "pass", "warn", "no-op")
    }
    assert not failed
    return spark_results


def test_every_node_builds_and_passes_on_spark(builds: tuple[DbtBuild, DbtBuild]) -> None:
    spark_results = assert_same_nodes_all_passed(*builds)
    unit_tests = [node for node in spark_results if node.startswith("unit_test.")]
    data_tests = [node for node in spark_results if node.startswith("test.")]
    assert unit_tests and data_tests, "the data tests and unit tests must run on Spark too"


@pytest.mark.parametrize("table", REQUIRED_MARTS)
def test_mart_is_identical_on_spark(builds: tuple[DbtBuild, DbtBuild], table: str) -> None:
    duckdb_build, spark_build = builds
    assert table in mart_tables(duckdb_build) and table in mart_tables(spark_build)
    assert_same_table(duckdb_build, spark_build, table)


def test_every_mart_table_is_compared(builds: tuple[DbtBuild, DbtBuild]) -> None:
    """A new mart is compared too: every table of the target schema is in REQUIRED_MARTS or
    is identical here."""
    duckdb_build, spark_build = builds
    assert mart_tables(spark_build) == mart_tables(duckdb_build)
    for table in sorted(set(mart_tables(duckdb_build)) - set(REQUIRED_MARTS)):
        assert_same_table(duckdb_build, spark_build, table)


def test_rejected_rows_by_table_and_reason(builds: tuple[DbtBuild, DbtBuild]) -> None:
    duckdb_build, spark_build = builds
    counts = "select source_table, reason, count(*) from rejected_rows group by all order by all"
    duckdb_counts = duckdb_build.query(counts)
    assert duckdb_counts, "the demo data has rejected rows of every kind"
    assert spark_build.query(counts) == duckdb_counts


def test_customer_value_has_null_predictions_on_spark(builds: tuple[DbtBuild, DbtBuild]) -> None:
    _, spark_build = builds
    columns = [row[0] for row in spark_build.query("describe customer_value")]
    predicted = [column for column in columns if column.startswith(("predicted_", "expected_")) or column == "p_alive"]
    assert predicted, "customer_value keeps its predicted columns on Spark"
    counts = spark_build.query(
        "select " + ", ".join(f"count({column})" for column in predicted) + " from customer_value"
    )[0]
    assert counts == tuple(0 for _ in predicted)
    # documented: false outside the top tier, null for a top-tier customer without p_alive
    at_risk = spark_build.query(
        "select value_tier = 'top', is_top_at_risk, count(*) from customer_value group by all order by all"
    )
    assert [(top, flag) for top, flag, _ in at_risk] == [(False, False), (True, None)]
    assert not (spark_build.spark_dir / "warehouse" / "customer_value.db" / "customer_lifetime_value").exists()


@pytest.mark.parametrize("file_format, write_folder", [("parquet", write_parquet_folder), ("csv", write_csv_folder)])
def test_raw_data_path_on_spark(tmp_path: Path, file_format: str, write_folder) -> None:
    """Your own exports on Spark: the files become tables `raw.<table>`, staged as on DuckDB."""
    raw_folder = tmp_path / "raw"
    raw_folder.mkdir()
    write_folder(raw_folder)
    build = DbtBuild(tmp_path, target="spark")

    build.run(
        "build",
        "--select", "path:models/staging", "+fct_orders", "+fct_cost_to_serve", "+rejected_rows",
        "--indirect-selection", "cautious",
        variables={
            "raw_data_path": str(raw_folder), "raw_file_format": file_format, "max_rejected_share": 1,
            **BOTH_ENGINES,
        },
    )

    assert (
        build.query("select source_table, reason, count(*) from rejected_rows group by all order by all")
        == EXPECTED_REJECTED
    )
    revenue = build.query("select order_id, revenue, cogs from fct_orders order by order_id")
    assert [(o, float(r), float(c)) for o, r, c in revenue] == [("O1", 28.95, 10.0), ("O2", 0.0, 0.0), ("O3", 0.0, 0.0)]


def test_spark_state_stays_in_the_build_output(builds: tuple[DbtBuild, DbtBuild]) -> None:
    """The profile puts Spark's metastore, derby.log and warehouse under build/ (ignored),
    never in the project root."""
    for stray in ("metastore_db", "spark-warehouse", "derby.log"):
        assert not (PROJECT_DIR / stray).exists(), f"{stray} was written in the project root"


@pytest.fixture(scope="module")
def line_export_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtBuild, DbtBuild, Path]:
    """The line export of test_line_export.py (two files of one folder: semicolons, decimal
    commas, US dates, credit notes, status words, guest lines, bad lines), built with the same
    vars on each engine: `dbt build` with every data test (the unit tests are the demo's)."""
    # Spark reads an unterminated quote to the end of its file, and numbers lines without the
    # empty ones (docs/rules.md): the export without those two faults
    export = write_line_export(tmp_path_factory.mktemp("line_export") / "invoice_lines", reader_faults=False)
    variables = {**LINE_EXPORT_MAPPING, "raw_data_path": str(export), **BOTH_ENGINES}
    duckdb_build = DbtBuild(tmp_path_factory.mktemp("lines_duckdb"))
    spark_build = DbtBuild(tmp_path_factory.mktemp("lines_spark"), target="spark")
    for build in (duckdb_build, spark_build):
        build.run("build", variables=variables)
    return duckdb_build, spark_build, export


def test_line_export_builds_and_passes_on_spark(line_export_builds: tuple[DbtBuild, DbtBuild, Path]) -> None:
    duckdb_build, spark_build, _ = line_export_builds
    spark_results = assert_same_nodes_all_passed(duckdb_build, spark_build)
    assert any(node.startswith("test.") for node in spark_results), "the data tests must run on Spark too"


def test_line_export_marts_are_identical_on_spark(line_export_builds: tuple[DbtBuild, DbtBuild, Path]) -> None:
    """Every mart table, every column, as the demo's parity test compares them."""
    duckdb_build, spark_build, _ = line_export_builds
    assert mart_tables(spark_build) == mart_tables(duckdb_build)
    assert set(REQUIRED_MARTS) <= set(mart_tables(duckdb_build))
    for table in mart_tables(duckdb_build):
        assert_same_table(duckdb_build, spark_build, table)


def test_line_export_rejected_rows_by_table_and_reason_on_spark(
    line_export_builds: tuple[DbtBuild, DbtBuild, Path],
) -> None:
    duckdb_build, spark_build, _ = line_export_builds
    counts = "select source_table, reason, count(*) from rejected_rows group by all order by all"
    duckdb_counts = duckdb_build.query(counts)
    # the export's bad lines of every kind: guests, orphans, values, a line of two fields
    assert {reason for _, reason, _ in duckdb_counts} == {"invalid_value", "malformed_line", "no_customer", "orphan"}
    assert spark_build.query(counts) == duckdb_counts


def export_lines(export: Path) -> set[str]:
    """The data lines of the export as `<file>:<line>` (the header is line 1)."""
    return {
        f"{file.name}:{number}"
        for file in sorted(export.iterdir())
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1)
        if number > 1 and line.strip()
    }


def test_line_export_every_raw_line_is_accounted_for_on_spark(
    line_export_builds: tuple[DbtBuild, DbtBuild, Path],
) -> None:
    """Each line of the files ends in exactly one place on Spark: a staged order line or a
    rejected one (named by its file and line), or a malformed line (its file and line number)."""
    _, spark_build, export = line_export_builds
    staged = spark_build.query(
        "select order_item_id from staging.base_shop__order_items where rejection_reason is null"
    )
    rejected = spark_build.query(
        "select source_key from rejected_rows where source_table = 'order_items' and reason <> 'malformed_line'"
    )
    malformed = [
        f"{detail.split(':')[0]}:{json.loads(raw_record)['line_number']}"
        for detail, raw_record in spark_build.query(
            "select detail, raw_record from rejected_rows where reason = 'malformed_line'"
        )
    ]
    accounted = [key for (key,) in staged] + [key for (key,) in rejected] + malformed
    assert len(accounted) == len(set(accounted)), "a line is counted twice"
    assert set(accounted) == export_lines(export)
    assert malformed == ["part1.csv:16"]
    # raw.lines (what was read) and raw.malformed_lines (what was not) hold every line once
    assert spark_build.query(
        "select (select count(*) from raw.lines) + (select count(*) from raw.malformed_lines)"
    ) == [(len(export_lines(export)),)]


def test_line_export_with_unparsed_dates_stops_on_spark(tmp_path: Path) -> None:
    """Without the export's date formats most dates do not parse: on Spark too the build stops
    before any model with the one line of the date check (the file, the column, three values)."""
    export = write_line_export(tmp_path / "invoice_lines")
    variables = {
        **LINE_EXPORT_MAPPING, "raw_data_path": str(export), "raw_timestamp_format": None, "raw_date_format": None,
        **BOTH_ENGINES,
    }
    result = DbtBuild(tmp_path, target="spark").run("build", variables=variables, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    error_lines = [line for line in output.splitlines() if "invoice_lines" in line and "raw_timestamp_format" in line]
    assert len(error_lines) == 1
    assert re.search(r"column date: \d+ of \d+ values .*ISO.* e\.g\. '[^']+', '[^']+', '[^']+'", error_lines[0])
    assert "START sql" not in output
