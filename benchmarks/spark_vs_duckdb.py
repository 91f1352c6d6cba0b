"""Time `dbt build` on Apache Spark (local session) against DuckDB, on the same data.

`make bench-spark` (needs the Spark environment, `make build-spark`) runs the full `dbt build`
(seeds, models, data tests, unit tests) on each engine from the same SQL, with the same dbt and
the same vars, on the demo seeds and on a generated export (by default 100,000 customers, read
through raw_data_path). Both builds use predict_clv: false: the lifetime-value models are Python
models, which dbt-spark does not run. Writes benchmarks/results/spark_vs_duckdb.md.

Usage:
    .venv-spark/bin/python benchmarks/spark_vs_duckdb.py [--customers 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from handwritten_duckdb import MEMORY_LIMIT
from run_benchmark import DATA_DIR, PROJECT_DIR, PYTHON, RESULTS_DIR, gib, machine, timed_process

DBT = str(Path(sys.executable).with_name("dbt"))
ENGINES = ["duckdb", "spark"]


def build(engine: str, work: Path, variables: dict) -> dict:
    """One full `dbt build` on `engine`, in its own database, warehouse, target and logs."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_TARGET": engine,
        "CUSTOMER_VALUE_DUCKDB_PATH": str(work / "customer_value.duckdb"),
        "CUSTOMER_VALUE_SPARK_DIR": str(work / "spark"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    print(f"[spark vs duckdb] {work.name} ...", flush=True)
    seconds, peak_rss, returncode = timed_process([DBT, "build", "--vars", json.dumps(variables)], env,
                                                  work / "build.log")
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    statuses = sorted({r["status"] for r in results})
    print(f"[spark vs duckdb] {work.name}: {seconds:.1f} s, exit {returncode}, statuses {statuses}", flush=True)
    return {"seconds": seconds, "peak_rss": peak_rss, "returncode": returncode, "nodes": len(results),
            "node_seconds": sum(r["execution_time"] for r in results), "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="size of the generated export")
    args = parser.parse_args()

    raw = DATA_DIR / f"raw_{args.customers}"
    if not (raw / "orders.parquet").exists():
        subprocess.run([PYTHON, "scripts/generate_raw_data.py", "--customers", str(args.customers),
                        "--format", "parquet", "--out", str(raw)], cwd=PROJECT_DIR, check=True)
    datasets = {
        "demo seeds (2,000 customers)": {"predict_clv": False},
        f"generated export ({args.customers:,} customers, Parquet)": {"predict_clv": False, "raw_data_path": str(raw)},
    }
    rows = []
    for index, (dataset, variables) in enumerate(datasets.items()):
        timings = {engine: build(engine, DATA_DIR / f"spark_vs_duckdb_{index}_{engine}", variables)
                   for engine in ENGINES}
        rows.append((dataset, timings))

    m = machine()
    lines = [
        "# dbt build on Spark (local session) against DuckDB",
        "",
        f"Run {dt.datetime.now().isoformat(timespec='seconds')} by `make bench-spark` (benchmarks/spark_vs_duckdb.py).",
        f"Machine: {m['cpu']}, {m['cores']} cores, {int(m['memory_bytes']) / 2**30:.0f} GiB, {m['os']}.",
        "Spark: pyspark local[*], dbt-spark session method, driver memory 4g (profiles.yml); DuckDB: threads 2, "
        f"memory_limit {MEMORY_LIMIT}. "
        "The same `dbt build` (seeds, models, data tests, unit tests) with predict_clv: false.",
        "",
        "| data | engine | seconds | x DuckDB | nodes | node seconds | peak RSS (GiB) | result |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for dataset, timings in rows:
        duckdb_seconds = timings["duckdb"]["seconds"]
        for engine, t in timings.items():
            result = "ok" if t["returncode"] == 0 else f"exit {t['returncode']}"
            lines.append(f"| {dataset} | {engine} | {t['seconds']:.1f} | {t['seconds'] / duckdb_seconds:.1f} | "
                         f"{t['nodes']} | {t['node_seconds']:.1f} | {gib(t['peak_rss'])} | "
                         f"{result} ({', '.join(t['statuses'])}) |")
    lines += ["", "Peak RSS is sampled over the dbt process and its children (Spark runs in a JVM child process).", ""]
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "spark_vs_duckdb.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
