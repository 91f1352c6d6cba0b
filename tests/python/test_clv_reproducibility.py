"""Two builds of the same export give identical marts, bit for bit (issue #22).

Before, two fresh builds of one export fitted BG/NBD parameters that differed at the 8th
significant digit: the database hands the customer summary to the Python models in no fixed
order, the fit compressed customers into distinct rows in order of first appearance, and the
likelihood's float sums (hence the optimiser's path) followed that order. The distinct rows are
now sorted (clv.data.compress_rows), so the sums, the fit, the predictions and the parameter
draws of the intervals do not depend on the order (the order itself is tested in
test_clv_next_order.py). Here: the session's demo build and a second `dbt seed` and `dbt run` of the same data
into a new database; every public model is compared exactly.
"""

from __future__ import annotations

import json

import duckdb
from dbt_project import DbtBuild


def public_models(build: DbtBuild) -> list[str]:
    manifest = json.loads((build.work_dir / "target" / "manifest.json").read_text())
    return sorted(
        node["alias"] or node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("access") == "public" and node["config"].get("enabled", True)
    )


def rows(build: DbtBuild, model: str) -> list[tuple]:
    with duckdb.connect(str(build.database), read_only=True) as connection:
        return connection.sql(f"select * from {model} order by all").fetchall()


def test_two_builds_of_the_same_data_give_identical_public_marts(demo_build, tmp_path):
    again = DbtBuild(tmp_path)
    again.run("build", "--exclude-resource-type", "test")
    models = public_models(demo_build)
    assert {"customer_value", "customer_lifetime_value", "clv_model_params"} <= set(models)
    differing = [model for model in models if rows(demo_build, model) != rows(again, model)]
    assert differing == []
    # and the comparison is not vacuous: the predictions and intervals are there
    (predicted,) = rows(demo_build, "(select count(*) from customer_value where predicted_clv_low is not null "
                                    "and p_order_within_90d is not null)")
    assert predicted[0] > 0
