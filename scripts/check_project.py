"""Documentation coverage and structure rules that dbt itself does not enforce (`make check`).

Reads the manifest (`dbt parse`, `dbt build` or `dbt docs generate` write it) and, when
present, the catalog (`dbt docs generate`), and fails when:

* anything of the project lacks a description: models and their columns, seeds and their
  columns, sources and their tables, macros, generic tests, exposures. Disabled models and
  sources count too (the `raw` source is disabled unless var raw_data_path is set; the
  lifetime-value models are disabled without Python models): they are still the project's.
  With the catalog, a built column missing from the YAML and a YAML column missing from the
  built relation are both reported;
* a model has no primary key tested with both `unique` and `not_null`. A model may opt out
  with `meta: {primary_key_exempt: "<why>"}` (rejected_rows and the row classification
  models: their rows are raw rows, which may share or lack a key by definition);
* a model reads a layer it must not (shared/STYLE.md): staging reads only sources, seeds and
  staging; intermediate reads staging, seeds and intermediate; marts never read sources or
  raw seeds. Known exceptions, marts that intermediate models may read: `fct_orders` and
  `fct_cost_to_serve`, the spec's staged facts, public tables in models/marts; and
  `customer_lifetime_value`, the per-customer predictions the predicted_top upgrade reason
  needs (a Python model, so it cannot live in intermediate as a view);
* a SQL mart has no enforced contract (Python models cannot enforce one in dbt);
* a model's name does not fit its folder: staging `stg_`, or `base_` under staging/.../base/;
  intermediate `int_`; marts `fct_` or a public name of the spec;
* an exposure has no owner or maturity, or depends on something other than a public mart;
* a macro that implements a dispatch (`<adapter>__<name>`) is exempt only when its dispatcher
  `<name>` is a project macro (documented there); overrides of dbt's own macros need a
  description of their own.

Usage: python scripts/check_project.py [--target-dir target] [--no-catalog]
Exit status: 0 clean, 1 something to fix (all of it listed), 2 no manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "customer_value"
# Facts intermediate models may read although they live in models/marts: the spec's staged
# facts, and the per-customer predictions that the predicted_top upgrade reason needs.
STAGED_FACTS = {"fct_orders", "fct_cost_to_serve", "customer_lifetime_value"}
PUBLIC_MARTS = {
    "customer_value", "customer_value_deciles", "value_tier_summary", "whale_curve",
    "rejected_rows", "clv_model_params", "customer_lifetime_value",
    "customer_value_history", "tier_migration", "value_upside", "clv_holdout_validation",
}


@dataclass
class Report:
    documented: dict[str, list[int]] = field(default_factory=dict)  # kind -> [documented, total]
    missing: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def count(self, kind: str, name: str, description: str | None) -> None:
        done_total = self.documented.setdefault(kind, [0, 0])
        done_total[1] += 1
        if description and description.strip():
            done_total[0] += 1
        else:
            self.missing.append(f"{kind}: {name}")

    @property
    def ok(self) -> bool:
        return not self.missing and not self.violations

    def render(self) -> str:
        lines = ["Documentation coverage:"]
        for kind, (done, total) in sorted(self.documented.items()):
            share = 100.0 * done / total if total else 100.0
            lines.append(f"  {kind:<18} {done:>4}/{total:<4} {share:6.1f}%")
        if self.missing:
            lines.append(f"Missing descriptions ({len(self.missing)}):")
            lines += [f"  - {item}" for item in self.missing]
        if self.violations:
            lines.append(f"Structure violations ({len(self.violations)}):")
            lines += [f"  - {item}" for item in self.violations]
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


def layer(node: dict) -> str:
    """staging, intermediate or marts, from the model's folder."""
    parts = Path(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" else "other"


def project_nodes(manifest: dict, resource_type: str, include_disabled: bool = False) -> list[dict]:
    """The project's nodes of one type; with include_disabled, disabled ones too (once each)."""
    found = {
        uid: node for uid, node in manifest.get("nodes", {}).items()
        if node["resource_type"] == resource_type and node["package_name"] == PROJECT
    }
    if include_disabled:
        for uid, versions in (manifest.get("disabled") or {}).items():
            for node in versions:
                if node["resource_type"] == resource_type and node["package_name"] == PROJECT:
                    found.setdefault(uid, node)
    return list(found.values())


def project_sources(manifest: dict) -> list[dict]:
    found = {uid: s for uid, s in manifest.get("sources", {}).items() if s["package_name"] == PROJECT}
    for uid, versions in (manifest.get("disabled") or {}).items():
        for node in versions:
            if node["resource_type"] == "source" and node["package_name"] == PROJECT:
                found.setdefault(uid, node)
    return list(found.values())


def check_documentation(manifest: dict, catalog: dict | None, report: Report) -> None:
    built_nodes = (catalog or {}).get("nodes", {})
    for kind in ("model", "seed"):
        for node in project_nodes(manifest, kind, include_disabled=True):
            report.count(f"{kind}s", node["name"], node.get("description"))
            documented = {name.lower(): column for name, column in node.get("columns", {}).items()}
            for name, column in documented.items():
                report.count(f"{kind} columns", f"{node['name']}.{name}", column.get("description"))
            if node["unique_id"] not in built_nodes:
                continue
            built = {name.lower() for name in built_nodes[node["unique_id"]].get("columns", {})}
            for name in sorted(built - set(documented)):
                report.count(f"{kind} columns", f"{node['name']}.{name} (built, not in YAML)", None)
            for name in sorted(set(documented) - built):
                report.violations.append(f"{node['name']}.{name}: documented in YAML but not in the built relation")
    source_descriptions: dict[str, str | None] = {}
    for source in project_sources(manifest):
        source_descriptions.setdefault(source["source_name"], source.get("source_description"))
        report.count("source tables", f"{source['source_name']}.{source['name']}", source.get("description"))
    for name, description in source_descriptions.items():
        report.count("sources", name, description)
    macros = {m["name"]: m for m in manifest.get("macros", {}).values() if m["package_name"] == PROJECT}
    for name, macro in macros.items():
        if implements_project_dispatch(name, macros):
            continue
        kind = "generic tests" if name.startswith("test_") else "macros"
        report.count(kind, name, macro.get("description"))
    for exposure in manifest.get("exposures", {}).values():
        if exposure["package_name"] == PROJECT:
            report.count("exposures", exposure["name"], exposure.get("description"))


def implements_project_dispatch(name: str, project_macros: dict) -> bool:
    """default__x, duckdb__x, spark__x... where x is a project macro: documented by x."""
    prefix, separator, dispatcher = name.partition("__")
    return bool(separator and prefix and not prefix.startswith("test") and dispatcher in project_macros)


def tested_primary_key(model: dict, tests: list[dict]) -> str | None:
    """The first column tested with both unique and not_null."""
    tested: dict[str, set[str]] = {}
    for test in tests:
        metadata = test.get("test_metadata") or {}
        column = test.get("column_name")
        if column and metadata.get("name") in ("unique", "not_null"):
            tested.setdefault(column.lower(), set()).add(metadata["name"])
    for column in list(model.get("columns", {})) + sorted(tested):
        if tested.get(column.lower()) == {"unique", "not_null"}:
            return column
    return None


def meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def check_primary_keys(manifest: dict, report: Report) -> None:
    tests_by_model: dict[str, list[dict]] = {}
    for test in project_nodes(manifest, "test"):
        attached = test.get("attached_node")
        if attached:
            tests_by_model.setdefault(attached, []).append(test)
    for model in project_nodes(manifest, "model"):
        if meta(model).get("primary_key_exempt"):
            continue
        if not tested_primary_key(model, tests_by_model.get(model["unique_id"], [])):
            report.violations.append(f"{model['name']}: no primary key tested with both unique and not_null")


def allowed_parent(child_layer: str, parent: dict) -> bool:
    kind = parent["resource_type"]
    name = parent.get("name", "")
    is_raw_seed = kind == "seed" and name.startswith("raw_")
    if child_layer == "staging":
        return kind in ("source", "seed") or (kind == "model" and layer(parent) == "staging")
    if kind == "source" or is_raw_seed:
        return False
    if child_layer == "intermediate":
        return kind == "seed" or layer(parent) in ("staging", "intermediate") or name in STAGED_FACTS
    if child_layer == "marts":
        return kind == "seed" or layer(parent) in ("staging", "intermediate", "marts")
    return True


def check_layers_names_and_contracts(manifest: dict, report: Report) -> None:
    everything = {**manifest["nodes"], **manifest.get("sources", {})}
    for model in project_nodes(manifest, "model"):
        model_layer = layer(model)
        for parent_id in model.get("depends_on", {}).get("nodes", []):
            parent = everything.get(parent_id)
            if parent and not allowed_parent(model_layer, parent):
                parent_kind = parent["resource_type"]
                report.violations.append(
                    f"{model['name']} ({model_layer}) must not read {parent_kind} {parent.get('name')}"
                )
        name = model["name"]
        in_base = "base" in Path(model["original_file_path"]).parts
        expected = {
            "staging": name.startswith("base_") if in_base else name.startswith("stg_"),
            "intermediate": name.startswith("int_"),
            "marts": name.startswith("fct_") or name in PUBLIC_MARTS,
        }.get(model_layer, True)
        if not expected:
            report.violations.append(f"{name}: name does not fit folder models/{model_layer}")
        contract = (model.get("config") or {}).get("contract") or {}
        if model_layer == "marts" and model.get("language", "sql") == "sql" and not contract.get("enforced"):
            report.violations.append(f"{name}: public mart without an enforced contract")


def check_exposures(manifest: dict, report: Report) -> None:
    nodes = manifest.get("nodes", {})
    for exposure in manifest.get("exposures", {}).values():
        if exposure["package_name"] != PROJECT:
            continue
        name = exposure["name"]
        owner = exposure.get("owner") or {}
        if not (owner.get("name") or owner.get("email")):
            report.violations.append(f"exposure {name}: no owner")
        if not exposure.get("maturity"):
            report.violations.append(f"exposure {name}: no maturity")
        parents = exposure.get("depends_on", {}).get("nodes", [])
        if not parents:
            report.violations.append(f"exposure {name}: depends on nothing")
        for parent_id in parents:
            parent = nodes.get(parent_id, {})
            if parent.get("resource_type") != "model" or layer(parent) != "marts":
                report.violations.append(f"exposure {name}: depends on {parent_id}, not a public mart")


def check(manifest: dict, catalog: dict | None = None) -> Report:
    report = Report()
    check_documentation(manifest, catalog, report)
    check_primary_keys(manifest, report)
    check_layers_names_and_contracts(manifest, report)
    check_exposures(manifest, report)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-dir", type=Path, default=Path(os.environ.get("DBT_TARGET_PATH", "target")),
                        help="dbt target folder (default: $DBT_TARGET_PATH or target)")
    parser.add_argument("--no-catalog", action="store_true",
                        help="ignore catalog.json (e.g. after a bare `dbt parse`, when it may be stale)")
    args = parser.parse_args()
    manifest_path = args.target_dir / "manifest.json"
    if not manifest_path.exists():
        print(f"{manifest_path} not found: run `dbt parse` (or `make build`) first.", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text())
    catalog_path = args.target_dir / "catalog.json"
    catalog = None
    if catalog_path.exists() and not args.no_catalog:
        catalog = json.loads(catalog_path.read_text())
    report = check(manifest, catalog)
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
