"""scripts/check_project.py finds missing descriptions and structure violations."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import check_project  # noqa: E402


def model(name: str, path: str, parents: list[str] = (), description: str = "d", columns=None, meta=None,
          language: str = "sql", contract: bool | None = None) -> dict:
    enforced = path.startswith("models/marts/") if contract is None else contract
    return {
        "unique_id": f"model.customer_value.{name}", "name": name, "resource_type": "model",
        "package_name": "customer_value", "original_file_path": path, "description": description,
        "columns": columns if columns is not None else {"id": {"description": "key"}},
        "depends_on": {"nodes": list(parents)}, "meta": meta or {}, "language": language,
        "config": {"contract": {"enforced": enforced}},
    }


def key_tests(model_name: str, column: str = "id") -> dict:
    return {
        f"test.customer_value.{kind}_{model_name}": {
            "unique_id": f"test.customer_value.{kind}_{model_name}", "name": f"{kind}_{model_name}",
            "resource_type": "test", "package_name": "customer_value",
            "attached_node": f"model.customer_value.{model_name}", "column_name": column,
            "test_metadata": {"name": kind},
        }
        for kind in ("unique", "not_null")
    }


def manifest(*models: dict, extra_nodes: dict | None = None, macros: dict | None = None, **more) -> dict:
    nodes = {m["unique_id"]: m for m in models}
    for m in models:
        nodes.update(key_tests(m["name"]))
    nodes.update(extra_nodes or {})
    return {"nodes": nodes, "sources": {}, "macros": macros or {}, **more}


def macro(name: str, description: str = "") -> dict:
    return {f"macro.customer_value.{name}": {"name": name, "package_name": "customer_value",
                                             "description": description}}


def exposure(name: str, parents: list[str], owner: dict | None = None, maturity: str | None = "high",
             description: str = "d") -> dict:
    return {f"exposure.customer_value.{name}": {
        "name": name, "package_name": "customer_value", "description": description,
        "owner": owner if owner is not None else {"name": "Finance"}, "maturity": maturity,
        "depends_on": {"nodes": parents},
    }}


def test_a_clean_project_passes() -> None:
    report = check_project.check(manifest(
        model("stg_shop__orders", "models/staging/shop/stg_shop__orders.sql"),
        model("int_customers_ordered", "models/intermediate/int_customers_ordered.sql",
              ["model.customer_value.stg_shop__orders", "model.customer_value.fct_orders"]),
        model("fct_orders", "models/marts/fct_orders.sql", ["model.customer_value.stg_shop__orders"]),
        model("customer_value", "models/marts/customer_value.sql", ["model.customer_value.int_customers_ordered"]),
    ))
    assert report.ok, report.render()


def test_missing_descriptions_are_named() -> None:
    report = check_project.check(manifest(
        model("stg_shop__orders", "models/staging/shop/stg_shop__orders.sql", description="",
              columns={"id": {"description": "key"}, "status": {"description": ""}}),
        macros={"macro.customer_value.safe_cast": {"name": "safe_cast", "package_name": "customer_value",
                                                   "description": ""},
                "macro.customer_value.duckdb__safe_cast": {"name": "duckdb__safe_cast",
                                                         "package_name": "customer_value", "description": ""}},
    ))
    assert not report.ok
    assert report.missing == ["models: stg_shop__orders", "model columns: stg_shop__orders.status", "macros: safe_cast"]


def test_a_catalog_column_missing_from_yaml_is_reported() -> None:
    stg = model("stg_shop__orders", "models/staging/shop/stg_shop__orders.sql")
    catalog = {"nodes": {stg["unique_id"]: {"columns": {"ID": {}, "SHIPPING_FEE": {}}}}}
    report = check_project.check(manifest(stg), catalog)
    assert report.missing == ["model columns: stg_shop__orders.shipping_fee (built, not in YAML)"]


def test_a_yaml_column_missing_from_the_build_is_reported() -> None:
    stg = model("stg_shop__orders", "models/staging/shop/stg_shop__orders.sql",
                columns={"id": {"description": "key"}, "old_name": {"description": "renamed since"}})
    catalog = {"nodes": {stg["unique_id"]: {"columns": {"id": {}}}}}
    report = check_project.check(manifest(stg), catalog)
    assert report.violations == ["stg_shop__orders.old_name: documented in YAML but not in the built relation"]


def test_disabled_sources_and_models_still_need_descriptions() -> None:
    disabled_source = {
        "resource_type": "source", "package_name": "customer_value", "source_name": "raw", "name": "orders",
        "source_description": "exports", "description": "",
    }
    disabled_model = model("clv_model_params", "models/marts/clv_model_params.py", description="", language="python")
    report = check_project.check(manifest(disabled={
        "source.customer_value.raw.orders": [disabled_source],
        disabled_model["unique_id"]: [disabled_model],
    }))
    assert report.missing == ["models: clv_model_params", "source tables: raw.orders"]
    assert report.documented["sources"] == [1, 1]


def test_dispatch_implementations_of_project_macros_are_exempt_but_overrides_are_not() -> None:
    macros = {**macro("safe_cast", "try_cast"), **macro("default__safe_cast"), **macro("spark__safe_cast"),
              **macro("spark__load_csv_rows")}
    report = check_project.check(manifest(macros=macros))
    assert report.missing == ["macros: spark__load_csv_rows"]


def test_marts_need_an_enforced_contract_except_python_models() -> None:
    report = check_project.check(manifest(
        model("whale_curve", "models/marts/whale_curve.sql", contract=False),
        model("clv_model_params", "models/marts/clv_model_params.py", language="python", contract=False),
    ))
    assert report.violations == ["whale_curve: public mart without an enforced contract"]


def test_exposures_need_owner_maturity_description_and_public_marts() -> None:
    mart = model("customer_value", "models/marts/customer_value.sql")
    intermediate = model("int_x", "models/intermediate/int_x.sql")
    report = check_project.check(manifest(mart, intermediate, exposures={
        **exposure("executive_dashboard", [mart["unique_id"]]),
        **exposure("ops_list", [intermediate["unique_id"]], owner={}, maturity=None, description=""),
    }))
    assert report.missing == ["exposures: ops_list"]
    assert report.violations == [
        "exposure ops_list: no owner",
        "exposure ops_list: no maturity",
        "exposure ops_list: depends on model.customer_value.int_x, not a public mart",
    ]


def test_layer_rules_and_names() -> None:
    seed = {"unique_id": "seed.customer_value.raw_orders", "name": "raw_orders", "resource_type": "seed",
            "package_name": "customer_value", "original_file_path": "seeds/raw/raw_orders.csv",
            "description": "raw", "columns": {}}
    report = check_project.check(manifest(
        model("customer_value", "models/marts/customer_value.sql", ["seed.customer_value.raw_orders"]),
        model("stg_shop__orders", "models/staging/shop/stg_shop__orders.sql", ["model.customer_value.int_x"]),
        model("int_x", "models/intermediate/int_x.sql", ["model.customer_value.customer_value"]),
        model("orders_summary", "models/intermediate/orders_summary.sql"),
        extra_nodes={seed["unique_id"]: seed},
    ))
    assert report.violations == [
        "customer_value (marts) must not read seed raw_orders",
        "stg_shop__orders (staging) must not read model int_x",
        "int_x (intermediate) must not read model customer_value",
        "orders_summary: name does not fit folder models/intermediate",
    ]


def test_primary_key_must_be_tested_unless_exempt() -> None:
    untested = model("int_y", "models/intermediate/int_y.sql")
    exempt = model("base_shop__orders", "models/staging/shop/base/base_shop__orders.sql",
                   meta={"primary_key_exempt": "raw rows"})
    nodes = {m["unique_id"]: m for m in (untested, exempt)}
    report = check_project.check({"nodes": nodes, "sources": {}, "macros": {}})
    assert report.violations == ["int_y: no primary key tested with both unique and not_null"]
