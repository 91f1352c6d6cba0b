"""Drift of the built marts since the last validated build (`make validate`).

Great Expectations checks what dbt's tests cannot say about one build: that its figures (the
share of unprofitable customers, the value_tier mix, the top decile's share of margin, margin
quantiles, customers, total margin) did not jump since the baseline (validation/drift.py).

Baseline: --baseline PATH (a DuckDB file with the marts, e.g. a copy of an earlier
publication, or a metrics JSON), else the metrics of the last build that passed,
build/validation/baseline_metrics.json. Not the serving file by default: a successful
`dbt build` publishes itself, so the serving file is this very build, not the one before.
When there is no baseline, this build's metrics are recorded as the baseline and nothing is
compared. A build that passes is recorded as the new last validated build (unless --no-record).

Exit status: 0 no drift (or no baseline yet); 1 a figure drifted (each named, with the
baseline, the tolerance and the observed value); 2 a database or baseline cannot be read.

Usage: python scripts/validate_marts.py [--database PATH] [--baseline PATH] [--no-record]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
from validation.drift import CannotValidate, Metrics, read_marts, validate  # noqa: E402

RECORDED_METRICS = PROJECT_DIR / "build" / "validation" / "baseline_metrics.json"


def default_database() -> Path:
    return Path(os.environ.get("CUSTOMER_VALUE_DUCKDB_PATH", PROJECT_DIR / "build" / "customer_value.duckdb"))


def baseline_metrics(path: Path | None, recorded: Path) -> tuple[Metrics | None, str]:
    """The baseline's metrics and where they come from (None: no baseline yet)."""
    if path is None:
        path = recorded if recorded.exists() else None
    if path is None:
        return None, ""
    metrics = Metrics.load(path) if path.suffix == ".json" else Metrics.of(read_marts(path))
    return metrics, str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=default_database(),
                        help="DuckDB file of the build (default: $CUSTOMER_VALUE_DUCKDB_PATH or "
                             "build/customer_value.duckdb)")
    parser.add_argument("--baseline", type=Path, help="a DuckDB file with the marts, or a metrics JSON")
    parser.add_argument("--record-to", type=Path, default=RECORDED_METRICS,
                        help="where a passing build's metrics are kept (default: build/validation/)")
    parser.add_argument("--no-record", action="store_true", help="do not record this build as the baseline")
    args = parser.parse_args()
    try:
        marts = read_marts(args.database)
        current = Metrics.of(marts)
        baseline, origin = baseline_metrics(args.baseline, args.record_to)
        failures = validate(marts, baseline) if baseline else []
    except CannotValidate as error:
        print(error, file=sys.stderr)
        return 2
    if baseline is None:
        print("No baseline yet: nothing to compare this build with; its metrics become the baseline.")
    else:
        print(f"Drift of {args.database} against {origin}:")
        for failure in failures:
            print(f"  - {failure}")
        print(f"{len(failures)} figure(s) drifted" if failures else "no figure drifted")
    if not failures and not args.no_record:
        current.save(args.record_to)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
