"""Great Expectations validation of the built marts (`make validate`).

A suite per public mart (validation/suites.py): columns and types, nulls, value ranges,
allowed values, row counts against the population, and the tier, decile, band, priority and
share rules of the spec. The marts are read read-only from the DuckDB file
(CUSTOMER_VALUE_DUCKDB_PATH, default build/customer_value.duckdb) and validated in an
ephemeral GX context with the pandas datasource: nothing written, no network.

Exit status: 0 every expectation met; 1 an expectation failed or a required mart is not
built (each named, with the rule, the row count and a sample); 2 no readable database.

Usage: python scripts/validate_marts.py [--database PATH] [--vars '{top_tier_deciles: 2}'] [--mart NAME ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from validation import runner  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=runner.default_database(),
                        help="DuckDB file (default: $CUSTOMER_VALUE_DUCKDB_PATH or build/customer_value.duckdb)")
    parser.add_argument("--vars", default="{}", help="the --vars the build ran with, as YAML (e.g. top_tier_deciles)")
    parser.add_argument("--mart", action="append", help="validate only this mart (repeatable)")
    args = parser.parse_args()
    variables = runner.project_vars(yaml.safe_load(args.vars) or {})
    return runner.main(args.database, variables, args.mart)


if __name__ == "__main__":
    sys.exit(main())
