"""scripts/validate_marts.py and validation/drift.py: drift of the marts between two builds.

Each test writes two small DuckDB files holding the three marts the drift check reads, with
the published columns set directly (the rules that produce them are dbt's to test), changes
one figure in the second, and checks that exactly that figure is reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR))
from validation import drift  # noqa: E402

SCRIPT = PROJECT_DIR / "scripts" / "validate_marts.py"


def marts(customers: int = 400, unprofitable: float = 0.2, top: float = 0.1, margin_shift: float = 0.0,
          top_decile_share: float = 0.6) -> dict[str, pd.DataFrame]:
    """Marts with a chosen size, unprofitable share, top-tier share, margin level and top decile share."""
    rng = np.random.default_rng(7)
    n_unprofitable, n_top = round(customers * unprofitable), round(customers * top)
    tiers = ["unprofitable"] * n_unprofitable + ["top"] * n_top + ["growth"] * (customers - n_unprofitable - n_top)
    margin = np.where(np.array(tiers) == "unprofitable", -rng.uniform(1, 50, customers), rng.gamma(2, 100, customers))
    customer_value = pd.DataFrame({
        "customer_id": [f"c{i:04d}" for i in range(customers)], "value_tier": tiers,
        "is_unprofitable": [t == "unprofitable" for t in tiers],
        "margin_after_cost_to_serve": (margin + margin_shift).round(2),
    })
    summary = customer_value["value_tier"].value_counts(normalize=True)
    value_tier_summary = pd.DataFrame({"value_tier": summary.index, "share_of_customers": summary.to_numpy()})
    rest = (1 - top_decile_share) / 9
    deciles = pd.DataFrame({"value_decile": range(1, 11), "share_of_total_margin": [top_decile_share] + [rest] * 9})
    return {"customer_value": customer_value, "customer_value_deciles": deciles,
            "value_tier_summary": value_tier_summary}


def write(path: Path, frames: dict[str, pd.DataFrame], schema: str = "main") -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"create schema if not exists {schema}")
        for name, frame in frames.items():
            connection.register("frame", frame)
            connection.execute(f"create table {schema}.{name} as select * from frame")
            connection.unregister("frame")
    return path


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)


def drifted(baseline: dict, current: dict) -> list[str]:
    return drift.validate(current, drift.Metrics.of(baseline))


def test_the_same_figures_do_not_drift() -> None:
    assert drifted(marts(), marts()) == []


def test_small_moves_within_the_tolerances_pass() -> None:
    assert drifted(marts(), marts(customers=420, unprofitable=0.22, top_decile_share=0.62, margin_shift=5)) == []


@pytest.mark.parametrize(("current", "figure"), [
    (marts(unprofitable=0.35), "unprofitable_share"),
    (marts(top_decile_share=0.75), "top_decile_margin_share"),
    (marts(customers=600), "customers within"),
    (marts(margin_shift=150), "p10/p50/p90"),
])
def test_a_jump_names_the_figure(current: dict, figure: str) -> None:
    failures = drifted(marts(), current)
    assert any(figure in line for line in failures), failures


def test_a_changed_tier_mix_is_drift_even_with_the_same_unprofitable_share() -> None:
    failures = drifted(marts(top=0.1), marts(top=0.4))
    assert [line.split(" close")[0] for line in failures if "mix" in line] == ["customer_value: value_tier mix"]
    assert not any("unprofitable_share" in line for line in failures)


def test_the_first_run_records_a_baseline_and_the_next_build_is_compared_with_it(tmp_path: Path) -> None:
    recorded = tmp_path / "metrics.json"
    first = run("--database", write(tmp_path / "first.duckdb", marts()), "--record-to", recorded)
    assert first.returncode == 0, first.stderr
    assert json.loads(recorded.read_text())["customers"] == 400

    second = run("--database", write(tmp_path / "second.duckdb", marts(unprofitable=0.4)), "--record-to", recorded)
    assert second.returncode == 1
    assert "unprofitable_share" in second.stdout
    assert json.loads(recorded.read_text())["customers"] == 400, "a drifted build must not become the baseline"


def test_the_baseline_may_be_a_published_database_in_another_schema(tmp_path: Path) -> None:
    published = write(tmp_path / "serving.duckdb", marts(), schema="published")
    same = run("--database", write(tmp_path / "a.duckdb", marts()), "--baseline", published, "--no-record")
    moved = run("--database", write(tmp_path / "b.duckdb", marts(top_decile_share=0.9)), "--baseline", published,
                "--no-record")
    assert (same.returncode, moved.returncode) == (0, 1), same.stdout + same.stderr
    assert "top_decile_margin_share" in moved.stdout


def test_an_unreadable_database_or_missing_mart_is_one_line_not_a_stack_trace(tmp_path: Path) -> None:
    missing_db = run("--database", tmp_path / "absent.duckdb", "--no-record")
    frames = marts()
    del frames["value_tier_summary"]
    missing_mart = run("--database", write(tmp_path / "partial.duckdb", frames), "--no-record")
    for result in (missing_db, missing_mart):
        assert result.returncode == 2
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "value_tier_summary" in missing_mart.stderr
