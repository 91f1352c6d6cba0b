"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest
from dbt_project import DbtBuild


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DbtBuild:
    """One `dbt build` of the demo data (published to its own serving folder), shared by every
    test that only reads the demo marts: a dbt build costs 15-30 s, so each module building its
    own made most of the suite's time. Tests that change a build make their own."""
    build = DbtBuild(tmp_path_factory.mktemp("demo"))
    build.run("build")
    return build
