"""docs/rules.md, section 12: the semantic layer's `mf query` answers equal the marts."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbt_project import PROJECT_DIR, DbtBuild

SESSION = Path(__file__).with_name("metricflow_session.py")


class MetricFlow:
    """`mf` against a test's build, in one long-running process (metricflow_session.py). mf reads
    <project>/target/semantic_manifest.json only, so it runs in a shadow project: links to the
    project's files, and the build's target. It opens the build's database through dbt and keeps
    it open, so it gets a copy, and the tests read the build itself."""

    def __init__(self, build: DbtBuild):
        self.build = build
        self.project = build.work_dir / "metricflow" / "project"
        self.project.mkdir(parents=True)
        for item in PROJECT_DIR.iterdir():
            if item.name not in {"target", "logs", "build"} and not item.name.startswith("."):
                (self.project / item.name).symlink_to(item)
        (self.project / "target").symlink_to(build.work_dir / "target")
        database = shutil.copy2(build.database, self.project.parent / build.database.name)
        env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), "CUSTOMER_VALUE_DUCKDB_PATH": str(database)}
        self.process = subprocess.Popen(
            [sys.executable, str(SESSION)], cwd=self.project, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )

    def run(self, *args: str) -> str:
        self.process.stdin.write(json.dumps(args) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        assert answer["exit_code"] == 0, f"mf {' '.join(args)} failed:\n{answer['output'][-4000:]}"
        return answer["output"]

    def query(self, metrics: list[str], group_by: list[str] | None = None) -> list[dict[str, str]]:
        output = self.project.parent / "mf_query.csv"
        arguments = ["query", "--metrics", ",".join(metrics), "--csv", str(output)]
        if group_by:
            arguments += ["--group-by", ",".join(group_by)]
        self.run(*arguments)
        with output.open(newline="") as file:
            return list(csv.DictReader(file))

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def metricflow(demo_build) -> Iterator[MetricFlow]:
    session = MetricFlow(demo_build)
    yield session
    session.close()


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def assert_rows_equal(answers: list[dict[str, str]], key: str, expected: dict, columns: list[str]) -> None:
    """answers: mf's rows; expected: key value -> tuple of the columns' values from the marts."""
    assert {row[key] for row in answers} == {str(value) for value in expected}
    for row in answers:
        wanted = next(values for value, values in expected.items() if str(value) == row[key])
        for column, value in zip(columns, wanted, strict=True):
            if value is None:
                assert row[column] == "", (row[key], column)
            else:
                assert number(row[column]) == pytest.approx(float(value), rel=1e-9, abs=1e-9), (row[key], column)


def test_configs_validate_and_hold_the_spec_metrics(metricflow):
    metricflow.run("validate-configs", "--skip-dw")  # exits non-zero on any blocking issue
    manifest = json.loads((metricflow.build.work_dir / "target" / "semantic_manifest.json").read_text())
    assert {metric["name"] for metric in manifest["metrics"]} >= {
        "customers", "revenue", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve",
        "margin_after_cost_to_serve_rate", "share_of_total_margin", "unprofitable_customers",
        "customers_with_upgrade_potential", "top_customers_at_risk", "expected_revenue", "expected_revenue_at_risk",
        "predicted_clv",
    }
    (customers,) = [model for model in manifest["semantic_models"] if model["name"] == "customers"]
    assert {dimension["name"] for dimension in customers["dimensions"]} >= {
        "value_tier", "value_decile", "service_level", "rfm_segment",
    }


def test_metrics_by_value_tier_equal_value_tier_summary(metricflow):
    columns = ["customers", "revenue", "margin_after_cost_to_serve", "share_of_total_margin",
               "customers_with_upgrade_potential"]
    answers = metricflow.query(columns, ["customer__value_tier"])
    rows = metricflow.build.query(f"select value_tier, {', '.join(columns)} from value_tier_summary")
    assert_rows_equal(answers, "customer__value_tier", {row[0]: row[1:] for row in rows}, columns)


def test_metrics_by_value_decile_equal_customer_value_deciles(metricflow):
    columns = ["customers", "revenue", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve",
               "share_of_total_margin", "unprofitable_customers"]
    answers = metricflow.query(columns, ["customer__value_decile"])
    rows = metricflow.build.query(f"select value_decile, {', '.join(columns)} from customer_value_deciles")
    assert_rows_equal(answers, "customer__value_decile", {row[0]: row[1:] for row in rows}, columns)


@pytest.mark.parametrize("dimension", ["service_level", "rfm_segment"])
def test_margin_rate_by_segment_equals_customer_value(metricflow, dimension):
    columns = ["margin_after_cost_to_serve_rate", "customers", "unprofitable_customers"]
    answers = metricflow.query(columns, [f"customer__{dimension}"])
    rows = metricflow.build.query(f"""
        select
            {dimension},
            sum(margin_after_cost_to_serve) / nullif(sum(revenue), 0),
            count(*),
            count(*) filter (where is_unprofitable)
        from customer_value
        group by {dimension}
    """)
    assert_rows_equal(answers, f"customer__{dimension}", {row[0]: row[1:] for row in rows}, columns)


def test_totals_equal_customer_value(metricflow):
    columns = ["customers", "revenue", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve",
               "share_of_total_margin", "customers_with_upgrade_potential"]
    (answer,) = metricflow.query(columns)
    (row,) = metricflow.build.query("""
        select
            count(*), sum(revenue), sum(gross_margin), sum(cost_to_serve), sum(margin_after_cost_to_serve),
            case when sum(margin_after_cost_to_serve) > 0 then 1.0 end,
            count(*) filter (where has_upgrade_potential)
        from customer_value
    """)
    for column, value in zip(columns, row, strict=True):
        expected = None if value is None else pytest.approx(float(value), rel=1e-9)
        assert number(answer[column]) == expected, column


def test_period_metrics_equal_customer_value_history(metricflow):
    answers = metricflow.query(["annual_customers", "annual_revenue"], ["metric_time__day"])
    rows = metricflow.build.query("""
        select
            cast(period_end as varchar),
            count(*) filter (where value_tier <> 'lapsed'),
            sum(revenue)
        from customer_value_history
        group by period_end
    """)
    answers = [{**row, "metric_time__day": row["metric_time__day"][:10]} for row in answers]
    assert_rows_equal(answers, "metric_time__day", {row[0]: row[1:] for row in rows},
                      ["annual_customers", "annual_revenue"])


def test_at_risk_and_expected_revenue_by_value_tier_equal_customer_value(metricflow):
    columns = ["top_customers_at_risk", "expected_revenue", "expected_revenue_at_risk", "predicted_clv"]
    answers = metricflow.query(columns, ["customer__value_tier"])
    rows = metricflow.build.query("""
        select
            value_tier,
            count(*) filter (where is_top_at_risk),
            sum(expected_revenue_12m),
            coalesce(sum(expected_revenue_12m) filter (where is_top_at_risk), 0),
            sum(predicted_clv)
        from customer_value
        group by value_tier
    """)
    assert any(row[1] > 0 for row in rows)  # the demo has top customers at risk
    assert_rows_equal(answers, "customer__value_tier", {row[0]: row[1:] for row in rows}, columns)


def test_quarantined_rows_by_table_and_reason_equal_quarantine_summary(metricflow):
    answers = metricflow.query(["quarantined_rows"], ["quarantine_entry__source_table", "quarantine_entry__reason"])
    assert {
        (row["quarantine_entry__source_table"], row["quarantine_entry__reason"]): number(row["quarantined_rows"])
        for row in answers
    } == {(table, reason): float(rows) for table, reason, rows in metricflow.build.query(
        "select source_table, reason, rows from quarantine_summary")}
