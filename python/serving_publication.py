"""File operations of the marts' publication (docs/rules.md, section 12), as DuckDB functions.

The macro `publish_marts` copies the public marts from the build database into new files
beside the serving ones, in SQL; what SQL cannot do (make a folder, rename a file over
another) is done here. dbt-duckdb loads this module as a plugin (profiles.yml, `plugins`)
and `configure_connection` registers the functions on the build connection.

A rename within one file system is atomic: a reader that opens the serving file gets either
the previous publication or the new one, and a reader that still holds the previous file
open keeps reading it (its inode lives until closed) without blocking the rename.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

SERVING_DATABASE = "customer_value.duckdb"
PARQUET_FOLDER = "parquet"
TEMPORARY_SUFFIX = ".tmp"
# A temporary file this old belongs to a publication that crashed, never to a running one.
STALE_AFTER_SECONDS = 24 * 3600


def temporary_name(final_name: str, publication_id: str) -> str:
    """A hidden sibling of the final file, unique to one publication."""
    return f".{final_name}.{publication_id}{TEMPORARY_SUFFIX}"


def prepare_serving_dir(serving_dir: str, database_path: str) -> str:
    """Create the serving folders, remove crashed publications' leftovers; the absolute path.

    Without a folder given, `serving` beside the build database: a build into another
    database file (a test's, a benchmark's) never replaces what the project's readers read."""
    root = (Path(serving_dir) if serving_dir else Path(database_path).parent / "serving").resolve()
    (root / PARQUET_FOLDER).mkdir(parents=True, exist_ok=True)
    now = time.time()
    for folder in (root, root / PARQUET_FOLDER):
        for leftover in folder.glob(f".*{TEMPORARY_SUFFIX}*"):
            if now - leftover.stat().st_mtime > STALE_AFTER_SECONDS:
                leftover.unlink(missing_ok=True)
    return str(root)


def commit_publication(serving_dir: str, publication_id: str, models: str) -> int:
    """Rename the publication's new files over the served ones; the number of files renamed.

    Parquet files first, one rename each, then the DuckDB file last: a reader of the DuckDB
    file sees one publication whole. Parquet files of models no longer published are removed,
    so the folder never serves a stale model beside fresh ones.
    """
    root = Path(serving_dir)
    parquet = root / PARQUET_FOLDER
    published = [name for name in models.split(",") if name]
    renamed = 0
    for name in published:
        final = f"{name}.parquet"
        os.replace(parquet / temporary_name(final, publication_id), parquet / final)
        renamed += 1
    for served in parquet.glob("*.parquet"):
        if served.stem not in published:
            served.unlink(missing_ok=True)
    os.replace(root / temporary_name(SERVING_DATABASE, publication_id), root / SERVING_DATABASE)
    return renamed + 1


class Plugin(BasePlugin):
    """Registers serving_prepare(dir, database_path) and serving_commit(dir, publication_id, models_csv)."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "serving_prepare", prepare_serving_dir, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=True
        )
        conn.create_function(
            "serving_commit", commit_publication, ["VARCHAR", "VARCHAR", "VARCHAR"], "INTEGER",
            side_effects=True,
        )
