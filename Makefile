# Two commands do everything on a fresh machine: `make build` and `make test`.
# The environment is created from uv.lock (exact pins); uv itself is bootstrapped
# from the package registry into .tools/ with the machine's python3.11.

PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: help env build test dbt-test pytest demo-data lint validate check docs clean bench bench-increments bench-spark \
	build-spark test-spark \
	publish dashboard semantic chromium

help:
	@echo "make build     create the environment and build everything on the demo data"
	@echo "make test      every check the project has"
	@echo "make dashboard the reference dashboard over the published marts (http://localhost:8501)"
	@echo "make publish   publish the build database's marts to build/serving again"
	@echo "make docs      static dbt docs site (one HTML file)"
	@echo "make bench SIZE=N   benchmark against hand-written DuckDB and pandas (daily increments at the end)"
	@echo "make bench-increments SIZE=N   only the daily increments: 365 day folders, then the next day"
	@echo "make bench-spark    time dbt build on Spark against DuckDB (demo and 100k customers)"
	@echo "make clean     remove build output (keeps the environment)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@mkdir -p build
	@touch $@

env: $(VENV)/.synced

# A successful `dbt build` also publishes the public marts to build/serving (on-run-end hook).
build: env
	$(DBT) build

# Publish what the build database holds, without building (macro publish_marts).
publish: env
	$(DBT) run-operation publish_marts

# Reads only build/serving/customer_value.duckdb (or $$CUSTOMER_VALUE_SERVING_DIR): run it while building.
DASHBOARD_PORT ?= 8501
dashboard: env
	$(BIN)/streamlit run dashboard/app.py --server.port $(DASHBOARD_PORT) --server.headless true \
		--browser.gatherUsageStats false --client.toolbarMode viewer

# Order: fast static checks first, then the build, then checks that read the build.
# The Spark parity test runs too when the optional Spark environment exists (make build-spark).
test: env lint dbt-test semantic check validate chromium pytest $(if $(wildcard .venv-spark/bin/python),test-spark)

# Rendered by dbt against an empty in-memory database, so the result does not depend on
# what is built and never waits on a build's lock.
lint: env
	CUSTOMER_VALUE_DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint models tests analyses
	$(BIN)/ruff check .

# Documentation coverage and structure rules, over the manifest and the built catalog.
check: env
	$(DBT) docs generate --quiet
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml && $(BIN)/python scripts/check_project.py

dbt-test: env
	$(DBT) build

# The semantic layer: dbt parses it, MetricFlow validates it (offline; the pytest queries it).
semantic: env
	$(DBT) parse --quiet
	$(BIN)/mf validate-configs --skip-dw

# The browser test drives Debian's chromium (Playwright, no browser download); CI runs as root with apt.
chromium:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

pytest: env
	$(BIN)/pytest -q -n auto --dist loadfile --durations=15 --ignore=tests/python/test_spark_parity.py

# Optional: Apache Spark (local session) in its own environment, so the default stays light.
SPARK_VENV := .venv-spark
build-spark: $(UV)
	UV_PROJECT_ENVIRONMENT=$(SPARK_VENV) $(UV) sync --frozen --python $(PYTHON) --group spark

test-spark:
	$(SPARK_VENV)/bin/pytest -q tests/python/test_spark_parity.py

# Benchmark at one size: make bench SIZE=100000 (results in benchmarks/results/).
SIZE ?= 10000
bench: env
	$(BIN)/python benchmarks/run_benchmark.py --customers $(SIZE)

bench-increments: env
	$(BIN)/python benchmarks/run_benchmark.py --customers $(SIZE) --increments-only

bench-spark: build-spark
	$(SPARK_VENV)/bin/python benchmarks/spark_vs_duckdb.py $(if $(filter command line,$(origin SIZE)),--customers $(SIZE))

demo-data: env
	$(BIN)/python scripts/generate_raw_data.py

# Great Expectations: drift of the marts since the last validated build (or a --baseline file).
validate: env
	$(BIN)/python scripts/validate_marts.py

docs: env
	$(DBT) docs generate --static
	@echo "Docs: $(CURDIR)/target/static_index.html"

clean:
	rm -rf target logs build/*.duckdb build/*.wal build/serving
