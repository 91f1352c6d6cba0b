"""`make check`: dbt-bouncer (dbt-bouncer.yml) and the project-specific remainder (scripts/check_project.py).

The dbt-bouncer tests break one thing in a copy of the project's own artifacts (target/, written
by `make check`'s `dbt docs generate`) and assert the configured tool reports it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import check_project  # noqa: E402

OWN = "customer_value"


def model(name: str, path: str, parents=(), description: str = "d", columns=None) -> dict:
    return {"unique_id": f"model.{OWN}.{name}", "name": name, "resource_type": "model", "package_name": OWN,
            "original_file_path": path, "description": description, "depends_on": {"nodes": list(parents)},
            "columns": columns if columns is not None else {"id": {"description": "key"}}}


def column_test(kind: str, model_name: str, column: str) -> dict:
    return {"unique_id": f"test.{OWN}.{kind}_{model_name}_{column}", "resource_type": "test", "package_name": OWN,
            "attached_node": f"model.{OWN}.{model_name}", "column_name": column, "test_metadata": {"name": kind}}


def manifest(*nodes: dict, **more) -> dict:
    return {"nodes": {n["unique_id"]: n for n in nodes}, "macros": {}, "exposures": {}, **more}


def test_a_unique_column_without_not_null_is_not_a_primary_key() -> None:
    orders = model("stg_orders", "models/staging/stg_orders.sql")
    broken = manifest(orders, column_test("unique", "stg_orders", "id"), column_test("not_null", "stg_orders", "x"))
    assert check_project.check(broken) == ["stg_orders: no column tested both unique and not_null (a primary key)"]
    fixed = manifest(orders, column_test("unique", "stg_orders", "id"), column_test("not_null", "stg_orders", "id"),
                     column_test("unique", "stg_orders", "nullable_rank"))
    assert check_project.check(fixed) == []


def test_disabled_sources_and_models_still_need_descriptions() -> None:
    source = {"resource_type": "source", "package_name": OWN, "source_name": "raw", "name": "orders",
              "source_description": "", "description": "raw orders", "columns": {"order_id": {"description": ""}}}
    clv = model("customer_lifetime_value", "models/marts/customer_lifetime_value.py", description="")
    problems = check_project.check(manifest(disabled={"s": [source], "m": [clv]}))
    assert problems == ["model customer_lifetime_value: no description", "source raw.orders.order_id: no description",
                        "source raw: no description"]


def test_a_yaml_column_missing_from_the_build_is_reported() -> None:
    orders = model("stg_orders", "models/staging/stg_orders.sql",
                   columns={"id": {"description": "k"}, "old_name": {"description": "renamed since"}})
    catalog = {"nodes": {orders["unique_id"]: {"columns": {"ID": {}}}}}
    assert check_project.check(manifest(orders), catalog) == [
        "stg_orders.old_name: documented in YAML but not in the built relation"]


def test_raw_seeds_are_read_by_staging_only() -> None:
    seed = {"unique_id": f"seed.{OWN}.raw_orders", "name": "raw_orders", "resource_type": "seed",
            "package_name": OWN, "original_file_path": "seeds/raw/raw_orders.csv"}
    rate_card = {**seed, "unique_id": f"seed.{OWN}.rate_card", "name": "rate_card",
                 "original_file_path": "seeds/config/rate_card.csv"}
    staging = model("stg_orders", "models/staging/stg_orders.sql", [seed["unique_id"]])
    intermediate = model("int_customers_costed", "models/intermediate/int_customers_costed.sql",
                         [seed["unique_id"], rate_card["unique_id"]])
    assert check_project.check(manifest(seed, rate_card, staging, intermediate)) == [
        "int_customers_costed must not read raw seed raw_orders (staging only)"]


def test_exposures_need_a_maturity_and_models_only() -> None:
    mart = model("customer_value", "models/marts/customer_value.sql")
    seed = {"unique_id": f"seed.{OWN}.rate_card", "name": "rate_card", "resource_type": "seed",
            "package_name": OWN, "original_file_path": "seeds/config/rate_card.csv"}
    exposure = {"name": "dashboard", "package_name": OWN, "maturity": None,
                "depends_on": {"nodes": [mart["unique_id"], seed["unique_id"]]}}
    assert check_project.check(manifest(mart, seed, exposures={"e": exposure})) == [
        "exposure dashboard: no maturity",
        f"exposure dashboard: depends on seed.{OWN}.rate_card, not a model (a public mart)"]


def test_dispatch_implementations_are_documented_by_their_dispatcher() -> None:
    def macro(name: str, description: str = "") -> dict:
        return {"name": name, "package_name": OWN, "description": description,
                "original_file_path": "macros/cross_engine/functions.sql"}

    macros = {m["name"]: m for m in (macro("safe_cast", "casts"), macro("duckdb__safe_cast"),
                                     macro("spark__undeclared"), macro("helper"))}
    assert check_project.check(manifest(macros=macros)) == [
        "macro helper: no description, and not the implementation of a described dispatch",
        "macro spark__undeclared: no description, and not the implementation of a described dispatch"]


# --- dbt-bouncer with the project's configuration, over the project's own artifacts

ARTIFACTS = PROJECT_DIR / "target"
needs_artifacts = pytest.mark.skipif(
    not (ARTIFACTS / "manifest.json").exists() or not (ARTIFACTS / "catalog.json").exists(),
    reason="needs target/manifest.json and catalog.json (`make check` writes them)")


def bouncer(tmp_path: Path, edit) -> subprocess.CompletedProcess:
    """Run dbt-bouncer with dbt-bouncer.yml on a copy of target/ changed by `edit(manifest)`."""
    artifacts = tmp_path / "target"
    artifacts.mkdir()
    shutil.copy(ARTIFACTS / "catalog.json", artifacts)
    manifest_json = json.loads((ARTIFACTS / "manifest.json").read_text())
    edit(manifest_json)
    (artifacts / "manifest.json").write_text(json.dumps(manifest_json))
    config = (PROJECT_DIR / "dbt-bouncer.yml").read_text().replace("dbt_artifacts_dir: target",
                                                                      f"dbt_artifacts_dir: {artifacts}")
    (tmp_path / "dbt-bouncer.yml").write_text(config)
    return subprocess.run([str(Path(sys.executable).parent / "dbt-bouncer"), "--config-file",
                           str(tmp_path / "dbt-bouncer.yml")], capture_output=True, text=True, cwd=tmp_path)


def node(manifest_json: dict, name: str) -> dict:
    return next(n for n in manifest_json["nodes"].values() if n.get("package_name") == OWN and n["name"] == name)


def drop_contract(mart: dict) -> None:
    """The manifest holds the contract twice: in the node and in its config."""
    mart["contract"]["enforced"] = False
    mart["config"]["contract"]["enforced"] = False


@needs_artifacts
def test_bouncer_passes_on_the_project(tmp_path: Path) -> None:
    assert bouncer(tmp_path, lambda m: None).returncode == 0


@needs_artifacts
@pytest.mark.parametrize("break_it", [
    pytest.param(lambda m: node(m, "customer_value").update(description=""), id="undocumented mart"),
    pytest.param(lambda m: drop_contract(node(m, "customer_value")), id="mart without contract"),
    pytest.param(lambda m: node(m, "int_customers_ranked").update(name="customers_ranked"), id="int without int_"),
    pytest.param(lambda m: node(m, "int_customers_ranked").update(name="int_customer_ranks"),
                 id="int not named <grain, plural>_<past participle>"),
    pytest.param(lambda m: node(m, "customer_value").update(name="int_customer_value"), id="mart with int_"),
    pytest.param(lambda m: node(m, "customer_value").update(access="protected"), id="mart not public"),
    pytest.param(lambda m: node(m, "int_customers_ranked").update(access="public"), id="intermediate public"),
    pytest.param(lambda m: next(e for e in m["exposures"].values() if e["package_name"] == OWN)["depends_on"][
        "nodes"].append(node(m, "int_customers_ranked")["unique_id"]), id="exposure reads intermediate"),
    pytest.param(lambda m: node(m, "stg_shop__orders")["depends_on"]["nodes"].append(
        node(m, "int_customers_ranked")["unique_id"]), id="staging reads intermediate"),
])
def test_bouncer_fails_on_a_broken_rule(tmp_path: Path, break_it) -> None:
    assert bouncer(tmp_path, break_it).returncode != 0
