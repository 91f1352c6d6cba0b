"""Fixtures shared by the test modules."""

from __future__ import annotations

import fcntl

import pytest
from dbt_project import DbtBuild


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> DbtBuild:
    """One `dbt build` of the demo data (published to its own serving folder) for the whole run,
    read by every test that only reads the demo marts; tests that go on from it build on a copy
    (`DbtBuild.copy`). Under `pytest -n` the first worker to need it builds it and each worker
    reads its own copy, so no worker's dbt ever opens a file another one is reading."""
    session_dir = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        session_dir = session_dir.parent  # the folder the workers share
    shared = DbtBuild(session_dir / "demo")
    with open(session_dir / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared.work_dir / "target" / "run_results.json").exists():
            shared.run("build")
    return shared if worker_id == "master" else shared.copy(tmp_path_factory.mktemp("demo"))
