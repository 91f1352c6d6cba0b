"""Run this dbt project from tests, isolated from the developer's own build.

Each call gets its own DuckDB file, target and log folders, so tests never touch
build/customer_value.duckdb and can run while someone else builds.

`target="spark"` runs the same project on the profile's `spark` target (a local Spark
session, needs the `spark` dependency group): its metastore and warehouse go to
`work_dir/spark`, and `query` reads the Parquet tables Spark wrote with DuckDB (views exist
only in Spark's metastore and cannot be queried this way).
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

    def __init__(self, work_dir: Path, target: str = "duckdb"):
        self.work_dir = work_dir
        self.target = target
        self.database = work_dir / "customer_value.duckdb"
        self.spark_dir = work_dir / "spark"
        self.serving_dir: Path | None = work_dir / "serving"  # where a successful `dbt build` publishes

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
        # None: the default, a folder `serving` beside the database file.
        env.pop("CUSTOMER_VALUE_SERVING_DIR", None)
        if self.serving_dir is not None:
            env["CUSTOMER_VALUE_SERVING_DIR"] = str(self.serving_dir)
        if self.target != "duckdb":
            env["DBT_TARGET"] = self.target
            env["CUSTOMER_VALUE_SPARK_DIR"] = str(self.spark_dir)
            env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local session: no network address needed
        result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
        return result

    def query(self, sql: str) -> list[tuple]:
        if self.target == "spark":
            with duckdb.connect() as connection:
                self._attach_spark_tables(connection)
                return connection.sql(sql).fetchall()
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.sql(sql).fetchall()

    def _attach_spark_tables(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Every table of Spark's warehouse (`<schema>.db/<table>/*.parquet`) as a DuckDB view
        `<schema>.<table>`; the target schema's tables are also reachable unqualified."""
        for schema_dir in sorted((self.spark_dir / "warehouse").glob("*.db")):
            schema = schema_dir.name.removesuffix(".db")
            connection.execute(f'create schema if not exists "{schema}"')
            for table_dir in sorted(path for path in schema_dir.iterdir() if any(path.glob("*.parquet"))):
                files = str(table_dir / "*.parquet").replace("'", "''")
                connection.execute(
                    f'create view "{schema}"."{table_dir.name}" as select * from read_parquet(\'{files}\')'
                )
        connection.execute("set search_path = 'customer_value,main'")
