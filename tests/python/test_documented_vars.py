"""Every documented var works (docs/rules.md, section 13): every var of the table in
docs/variables.md has a passing build with a non-default value, unit tests included (they pin the
vars they rely on), and the values take effect.

One build of the demo data here sets every var that applies to the five-table layout at once. The
line layout's vars and the export formats cannot apply to the demo's five tables: the line
export's build (test_line_export.py, MAPPING) sets them, and checks its results by hand.
predict_clv: false is the history tests' and the Spark builds' setting (test_customer_value_history.py);
raw_increments_path is the daily increments' (test_daily_increments.py, VARIABLES set with it).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from dbt_project import PROJECT_DIR, DbtBuild
from test_customer_value_history import WHOLE_HISTORY
from test_daily_increments import INCREMENTS_VAR
from test_line_export import MAPPING

AS_OF_DATE = "2025-06-30"
NON_DEFAULT = {
    "as_of_date": AS_OF_DATE,
    "raw_data_path": None,  # the demo exports, copied to a folder (set by the test)
    "raw_file_format": "csv",
    "raw_file_encoding": "latin-1",  # the demo exports are ASCII, so latin-1 reads them alike
    "top_tier_deciles": 2,
    "upgrade_window_days": 90,
    "upgrade_growth_ratio": 1.2,
    "clv_horizon_months": 6,
    "clv_annual_discount_rate": 0.08,
    "at_risk_p_alive": 0.6,
    "max_rejected_share": 0.1,
    "raw_freshness_warn_after_days": 3,
    "raw_freshness_error_after_days": 10,
    "clv_min_repeat_buyers": 100,
    "history_months": 6,
    "value_window_days": 180,
    "clv_holdout_days": 90,
}


def documented_vars() -> set[str]:
    """The var names of the first var table of docs/variables.md (rows of `| \\`name\\`... | default | meaning |`)."""
    text = (PROJECT_DIR / "docs" / "variables.md").read_text()
    table = text[text.index("| var |"):]
    table = table[: table.index("\n\n")]
    return {name for line in table.splitlines()[2:] for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])}


def test_the_builds_cover_every_documented_var_with_a_non_default_value() -> None:
    defaults = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    line_export = {name: value for name, value in MAPPING.items() if name not in NON_DEFAULT}
    history = {"predict_clv": WHOLE_HISTORY["predict_clv"]}
    assert documented_vars() == set(NON_DEFAULT) | set(line_export) | set(history) | {INCREMENTS_VAR}
    for name, value in {**NON_DEFAULT, **line_export, **history}.items():
        if name != "raw_data_path":  # set by the test to the copied exports
            assert value != defaults[name], name
    assert defaults[INCREMENTS_VAR] is None  # set by test_daily_increments.py to its day folders


def test_a_build_with_every_documented_var_changed_passes(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    for seed in (PROJECT_DIR / "seeds" / "raw").glob("raw_*.csv"):
        shutil.copy(seed, exports / seed.name.removeprefix("raw_"))
    build = DbtBuild(tmp_path)
    result = build.run("build", variables={**NON_DEFAULT, "raw_data_path": str(exports)}, check=False)
    assert result.returncode == 0, result.stdout[-5000:]
    assert "Traceback" not in result.stdout + result.stderr

    # top_tier_deciles = 2: the top tier is the positive-margin customers of deciles 1 and 2
    top, deciles_1_2_positive, max_top_decile = build.query(
        "select count(*) filter (where value_tier = 'top'),"
        " count(*) filter (where value_decile <= 2 and margin_after_cost_to_serve > 0),"
        " max(value_decile) filter (where value_tier = 'top') from customer_value"
    )[0]
    assert top == deciles_1_2_positive > 0 and max_top_decile == 2
    # as_of_date: nothing later is counted
    assert build.query("select max(last_ordered_at) from customer_value")[0][0].date().isoformat() <= AS_OF_DATE
    # clv_horizon_months = 6: the predicted columns are named by the horizon
    columns = {row[0] for row in build.query("select column_name from (describe customer_value)")}
    assert {"expected_orders_6m", "expected_revenue_6m"} <= columns
    # history_months = 6: six month ends, the as-of date being one
    assert build.query("select count(distinct period_end) from customer_value_history") == [(6,)]
    # clv_holdout_days = 90: the predictions are checked on a holdout
    assert build.query("select count(*) from clv_holdout_validation")[0][0] > 0
    # the own exports were read, not the demo seeds (which are not loaded)
    assert build.query(
        "select count(*) from information_schema.tables where starts_with(table_name, 'raw_')"
    ) == [(0,)]
    assert build.query("select count(*) from raw.orders")[0][0] > 0
