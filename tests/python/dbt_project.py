"""Run this dbt project from tests, isolated from the developer's own build.

Each call gets its own DuckDB file, target and log folders, so tests never touch
build/customer_value.duckdb and can run while someone else builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")


class DbtBuild:
    """A dbt invocation against a private DuckDB file in `work_dir`."""

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir
        self.database = work_dir / "customer_value.duckdb"

    def run(self, *args: str, variables: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(DBT), *args]
        if variables:
            command += ["--vars", json.dumps(variables)]
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "CUSTOMER_VALUE_DUCKDB_PATH": str(self.database),
            "DBT_TARGET_PATH": str(self.work_dir / "target"),
            "DBT_LOG_PATH": str(self.work_dir / "logs"),
        }
        result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
        return result

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.sql(sql).fetchall()
