"""Documentation coverage and structure rules that dbt itself does not enforce.

Reads target/manifest.json (and target/catalog.json when present, to find columns a model
has but its YAML does not document) and fails when:

* anything of the project lacks a description: models and their columns, seeds and their
  columns, sources and their tables, macros and generic tests;
* a model has no primary key tested with both `unique` and `not_null` (a model may opt out
  with `meta: {primary_key_exempt: "<why>"}`, e.g. the classification models, whose rows are
  raw rows that may share or lack a key by definition);
* a model reads a layer it must not (shared/STYLE.md): marts never read sources or raw seeds;
  staging reads only sources, seeds and staging; intermediate reads staging, config seeds,
  intermediate and the two staged facts. `fct_orders` and `fct_cost_to_serve` are the
  staged facts of the spec and live in models/marts as public tables, so intermediate models
  may read them: that is the one allowed exception;
* a model's name does not fit its folder.

Usage: python scripts/check_project.py [--target-dir target]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "customer_value"
STAGED_FACTS = {"fct_orders", "fct_cost_to_serve"}
PUBLIC_MARTS = {
    "customer_value", "customer_value_deciles", "value_tier_summary", "whale_curve",
    "rejected_rows", "clv_model_params", "customer_lifetime_value",
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


def project_nodes(manifest: dict, resource_type: str) -> list[dict]:
    return [
        node for node in manifest["nodes"].values()
        if node["resource_type"] == resource_type and node["package_name"] == PROJECT
    ]


def check_documentation(manifest: dict, catalog: dict | None, report: Report) -> None:
    for kind in ("model", "seed"):
        for node in project_nodes(manifest, kind):
            report.count(f"{kind}s", node["name"], node.get("description"))
            documented = {name.lower(): column for name, column in node.get("columns", {}).items()}
            for name, column in documented.items():
                report.count(f"{kind} columns", f"{node['name']}.{name}", column.get("description"))
            built = (catalog or {}).get("nodes", {}).get(node["unique_id"], {}).get("columns", {})
            for name in built:
                if name.lower() not in documented:
                    report.count(f"{kind} columns", f"{node['name']}.{name.lower()}", None)
    source_descriptions: dict[str, str | None] = {}
    for source in manifest.get("sources", {}).values():
        if source["package_name"] != PROJECT:
            continue
        source_descriptions[source["source_name"]] = source.get("source_description")
        report.count("source tables", f"{source['source_name']}.{source['name']}", source.get("description"))
    for name, description in source_descriptions.items():
        report.count("sources", name, description)
    for macro in manifest.get("macros", {}).values():
        if macro["package_name"] != PROJECT or is_dispatch_implementation(macro["name"]):
            continue
        kind = "generic tests" if macro["name"].startswith("test_") else "macros"
        report.count(kind, macro["name"], macro.get("description"))


def is_dispatch_implementation(name: str) -> bool:
    """default__x, duckdb__x, spark__x...: documented by their dispatcher x."""
    prefix, separator, rest = name.partition("__")
    return bool(separator and rest and prefix.isidentifier() and not prefix.startswith("test"))


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


def check_primary_keys(manifest: dict, report: Report) -> None:
    tests_by_model: dict[str, list[dict]] = {}
    for test in project_nodes(manifest, "test"):
        attached = test.get("attached_node")
        if attached:
            tests_by_model.setdefault(attached, []).append(test)
    for model in project_nodes(manifest, "model"):
        if model.get("meta", {}).get("primary_key_exempt") or model.get("config", {}).get("meta", {}).get("primary_key_exempt"):
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


def check_layers_and_names(manifest: dict, report: Report) -> None:
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


def check(manifest: dict, catalog: dict | None = None) -> Report:
    report = Report()
    check_documentation(manifest, catalog, report)
    check_primary_keys(manifest, report)
    check_layers_and_names(manifest, report)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-dir", type=Path, default=Path("target"))
    args = parser.parse_args()
    manifest_path = args.target_dir / "manifest.json"
    if not manifest_path.exists():
        print(f"{manifest_path} not found: run `dbt parse` (or `make build`) first.", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text())
    catalog_path = args.target_dir / "catalog.json"
    catalog = json.loads(catalog_path.read_text()) if catalog_path.exists() else None
    report = check(manifest, catalog)
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
