"""The project's own structure rules that dbt-bouncer has no check for (`make check`, after it).

dbt-bouncer (config: dbt-bouncer.yml) checks descriptions, unique tests, names, layers,
access, contracts and exposures' owners and public models. This script adds, over target/manifest.json and, when
present, target/catalog.json:

* disabled models and sources are described too: the `raw` source is disabled unless var
  raw_data_path is set, the lifetime-value models without Python models, and dbt-bouncer
  only sees enabled nodes;
* a model with a column tested `unique` has one such column tested `not_null` too (its key);
* a column documented in the YAML exists in the built relation (a stale YAML column);
* raw seeds (seeds/raw) are read by staging only;
* an exposure has a maturity and depends on models only (dbt-bouncer checks they are public);
* a macro in macros/cross_engine/, the folder of dispatch implementations (`<adapter>__<name>`,
  excluded from dbt-bouncer's description check), is described, or implements a described project macro.

Usage: python scripts/check_project.py [--target-dir target]
Exit status: 0 clean, 1 something to fix (all of it listed), 2 no manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PROJECT = "customer_value"
# The folder of dispatch macros and their engine implementations (dbt-bouncer.yml excludes it).
DISPATCH_FOLDER = "macros/cross_engine/"


def described(node: dict, key: str = "description") -> bool:
    return bool((node.get(key) or "").strip())


def own(nodes) -> list[dict]:
    return [node for node in nodes if node.get("package_name") == PROJECT]


def disabled(manifest: dict) -> list[dict]:
    return own(node for versions in (manifest.get("disabled") or {}).values() for node in versions)


def in_folder(node: dict, folder: str) -> bool:
    return node.get("original_file_path", "").startswith(folder)


def check_disabled_documented(manifest: dict) -> list[str]:
    problems = []
    for node in disabled(manifest):
        kind, name = node["resource_type"], node["name"]
        if kind == "source":
            name = f"{node['source_name']}.{name}"
            if not described(node, "source_description"):
                problems.append(f"source {node['source_name']}: no description")
        if kind not in ("model", "source"):
            continue
        if not described(node):
            problems.append(f"{kind} {name}: no description")
        problems += [f"{kind} {name}.{column}: no description"
                     for column, spec in node.get("columns", {}).items() if not described(spec)]
    return sorted(set(problems))


def check_primary_keys_not_null(manifest: dict) -> list[str]:
    """A model with column-level unique tests has one of those columns tested not_null too."""
    tested: dict[str, dict[str, set[str]]] = {}
    for test in own(manifest["nodes"].values()):
        kind = (test.get("test_metadata") or {}).get("name")
        if test["resource_type"] == "test" and kind in ("unique", "not_null") and test.get("column_name"):
            columns = tested.setdefault(test["attached_node"], {})
            columns.setdefault(test["column_name"].lower(), set()).add(kind)
    return [f"{node_id.split('.')[-1]}: no column tested both unique and not_null (a primary key)"
            for node_id, columns in sorted(tested.items())
            if any("unique" in kinds for kinds in columns.values())
            and not any(kinds == {"unique", "not_null"} for kinds in columns.values())]


def check_yaml_columns_built(manifest: dict, catalog: dict | None) -> list[str]:
    built_nodes = (catalog or {}).get("nodes", {})
    problems = []
    for node in own(manifest["nodes"].values()):
        if node["unique_id"] not in built_nodes:
            continue
        built = {name.lower() for name in built_nodes[node["unique_id"]].get("columns", {})}
        problems += [f"{node['name']}.{name}: documented in YAML but not in the built relation"
                     for name in node.get("columns", {}) if name.lower() not in built]
    return problems


def check_raw_seeds_in_staging(manifest: dict) -> list[str]:
    nodes = manifest["nodes"]
    problems = []
    for model in own(manifest["nodes"].values()):
        if model["resource_type"] != "model" or in_folder(model, "models/staging/"):
            continue
        for parent_id in model.get("depends_on", {}).get("nodes", []):
            parent = nodes.get(parent_id, {})
            if parent.get("resource_type") == "seed" and in_folder(parent, "seeds/raw/"):
                problems.append(f"{model['name']} must not read raw seed {parent['name']} (staging only)")
    return problems


def check_exposures(manifest: dict) -> list[str]:
    nodes = manifest["nodes"]
    problems = []
    for exposure in own(manifest.get("exposures", {}).values()):
        name = exposure["name"]
        if not exposure.get("maturity"):
            problems.append(f"exposure {name}: no maturity")
        for parent_id in exposure.get("depends_on", {}).get("nodes", []):
            parent = nodes.get(parent_id, {})
            # dbt-bouncer checks that the models are public; it does not look at other parents
            if parent.get("resource_type") != "model":
                problems.append(f"exposure {name}: depends on {parent_id}, not a model (a public mart)")
    return problems


def check_dispatch_macros(manifest: dict) -> list[str]:
    macros = {m["name"]: m for m in own(manifest.get("macros", {}).values())}
    problems = []
    for name, macro in sorted(macros.items()):
        if not macro.get("original_file_path", "").startswith(DISPATCH_FOLDER) or described(macro):
            continue
        prefix, separator, dispatcher = name.partition("__")
        if not (separator and prefix and dispatcher in macros and described(macros[dispatcher])):
            problems.append(f"macro {name}: no description, and not the implementation of a described dispatch")
    return problems


def check(manifest: dict, catalog: dict | None = None) -> list[str]:
    return (check_disabled_documented(manifest) + check_primary_keys_not_null(manifest)
            + check_yaml_columns_built(manifest, catalog) + check_raw_seeds_in_staging(manifest)
            + check_exposures(manifest) + check_dispatch_macros(manifest))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-dir", type=Path, default=Path(os.environ.get("DBT_TARGET_PATH", "target")),
                        help="dbt target folder (default: $DBT_TARGET_PATH or target)")
    args = parser.parse_args()
    manifest_path = args.target_dir / "manifest.json"
    if not manifest_path.exists():
        print(f"{manifest_path} not found: run `dbt parse` (or `make build`) first.", file=sys.stderr)
        return 2
    catalog_path = args.target_dir / "catalog.json"
    catalog = json.loads(catalog_path.read_text()) if catalog_path.exists() else None
    problems = check(json.loads(manifest_path.read_text()), catalog)
    for problem in problems:
        print(f"  - {problem}")
    print(f"check_project: {len(problems)} problem(s)" if problems else "check_project: OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
