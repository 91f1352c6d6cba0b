"""The rule vars the hand-written benchmark scripts take, with their defaults from dbt_project.yml.

dbt_project.yml is the one home of every var's default; the scripts read it instead of restating it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"
RULE_VARS = ("as_of_date", "top_tier_deciles", "upgrade_window_days", "upgrade_growth_ratio", "history_months",
             "value_window_days")


def rule_variables(overrides: dict | None = None) -> dict:
    """The project's defaults of the rule vars, with `overrides` applied."""
    defaults = yaml.safe_load(PROJECT_FILE.read_text())["vars"]
    return {**{name: defaults[name] for name in RULE_VARS}, **(overrides or {})}
