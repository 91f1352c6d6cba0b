"""Great Expectations suites over the built marts (`make validate`, scripts/validate_marts.py).

* `suites`: what each public mart must satisfy, one function per mart, written from
  shared/spec/customer-value-rules.md (sections 3-6) and docs/interfaces.md.
* `derive`: the few per-row facts a rule needs that a plain expectation cannot compute
  (the ntile bucket a rank falls in, the next rank's margin, totals from another mart).
  They are added to the frame as `check__*` columns, so GX still does the checking and the
  failure report names the rows.
* `runner`: reads the marts read-only from the DuckDB file into pandas, validates them with
  an ephemeral GX context (pandas datasource, no files, no network) and prints a summary.

The suites are code, not JSON: they read like the spec, take their thresholds from the
build (population, as-of date, vars), and change in review like any other code.
"""
