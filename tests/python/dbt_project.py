"""Run this dbt project from tests, isolated from the developer's own build.

Each call gets its own DuckDB file, target and log folders, so tests never touch
build/customer_value.duckdb and can run while someone else builds.

`target="spark"` runs the same project on the profile's `spark` target (a local Spark
session, needs the `spark` dependency group): its metastore and warehouse go to
`work_dir/spark`, and `query` reads the Parquet tables Spark wrote with DuckDB (views exist
only in Spark's metastore and cannot be queried this way).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
# A full parse costs about 20 s of every dbt invocation, a partial one half. dbt reuses a parse
# only while the profile (the database path among it) and the command-line vars are unchanged:
# so dbt reaches each build's folder through the same link (one per test process, whose builds
# run one at a time), and a new build folder starts from the last parse made with its vars.
WORKSPACE = Path(tempfile.mkdtemp(prefix="dbt-builds-"))
atexit.register(shutil.rmtree, WORKSPACE, ignore_errors=True)
CURRENT_BUILD = WORKSPACE / "current"


class DbtBuild:
    """A dbt invocation against a private DuckDB file in `work_dir`."""

    def __init__(self, work_dir: Path, target: str = "duckdb", unit_tests: bool = False):
        self.work_dir = work_dir
        self.target = target
        # The dbt unit tests do not depend on the data: `make test` runs them once, in its own
        # build, and a test's `dbt build` leaves them out unless it is about them.
        self.unit_tests = unit_tests
        self.database = work_dir / "customer_value.duckdb"
        self.spark_dir = work_dir / "spark"
        self.serving_dir: Path | None = work_dir / "serving"  # where a successful `dbt build` publishes

    def run(self, *args: str, variables: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(DBT), *args]
        if variables:
            command += ["--vars", json.dumps(variables)]
        parse = self.work_dir / "target" / "partial_parse.msgpack"
        key = json.dumps([self.target, variables], sort_keys=True).encode()
        last_parse = WORKSPACE / f"{hashlib.sha256(key).hexdigest()}.msgpack"
        if last_parse.exists():
            parse.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(last_parse, parse)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        link = WORKSPACE / "next"
        link.unlink(missing_ok=True)
        link.symlink_to(self.work_dir.resolve(), target_is_directory=True)
        os.replace(link, CURRENT_BUILD)
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "CUSTOMER_VALUE_DUCKDB_PATH": str(CURRENT_BUILD / self.database.name),
            "DBT_TARGET_PATH": str(self.work_dir / "target"),
            "DBT_LOG_PATH": str(self.work_dir / "logs"),
        }
        # None: the default, a folder `serving` beside the database file.
        env.pop("CUSTOMER_VALUE_SERVING_DIR", None)
        if self.serving_dir is not None:
            env["CUSTOMER_VALUE_SERVING_DIR"] = str(self.serving_dir)
        if not self.unit_tests:
            env["DBT_EXCLUDE_RESOURCE_TYPES"] = "unit_test"
        if self.target != "duckdb":
            env["DBT_TARGET"] = self.target
            env["CUSTOMER_VALUE_SPARK_DIR"] = str(self.spark_dir)
            env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local session: no network address needed
        result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        if parse.exists():
            shutil.copyfile(parse, last_parse)
        if check and result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
        return result

    def copy(self, work_dir: Path) -> DbtBuild:
        """A build in `work_dir` that starts where this one is: its database, what it published and
        its target folder (manifest, run results), copied. DuckDB target only."""
        work_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.database, work_dir / self.database.name)
        for folder in ("target", "serving", "diagnostics"):
            if (self.work_dir / folder).is_dir():
                shutil.copytree(self.work_dir / folder, work_dir / folder)
        return DbtBuild(work_dir, unit_tests=self.unit_tests)

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
