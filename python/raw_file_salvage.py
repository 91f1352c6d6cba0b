"""File work of the raw CSV landing and the quarantine diagnostics, as DuckDB functions.

dbt-duckdb loads this module as a plugin (profiles.yml, `plugins`); the macros in
macros/load_raw_files.sql and macros/quarantine_diagnostics.sql call the functions it
registers on the build connection. SQL reads the files; what it cannot do is done here:

* `raw_diagnostics_prepare(dir)` creates the diagnostics folder, returns its absolute path;
* `raw_diagnostics_remove(file)` removes a diagnostics file a run did not rewrite.
"""

from __future__ import annotations

from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection


def prepare_folder(folder: str) -> str:
    """Create a folder (and its parents); its absolute path."""
    path = Path(folder).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def remove_file(path: str) -> bool:
    """Remove a file if it exists; whether it existed."""
    file = Path(path)
    existed = file.exists()
    file.unlink(missing_ok=True)
    return existed


class Plugin(BasePlugin):
    """Registers the raw-file functions on the build connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function("raw_diagnostics_prepare", prepare_folder, ["VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("raw_diagnostics_remove", remove_file, ["VARCHAR"], "BOOLEAN", side_effects=True)
