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

.PHONY: help env build test dbt-test pytest demo-data lint validate check docs clean

help:
	@echo "make build     create the environment and build everything on the demo data"
	@echo "make test      every check the project has"
	@echo "make docs      static dbt docs site (one HTML file)"
	@echo "make clean     remove build output (keeps the environment)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@mkdir -p build
	@touch $@

env: $(VENV)/.synced

build: env
	$(DBT) build

# Order: fast static checks first, then the build, then checks that read the build.
test: env lint dbt-test check validate pytest

lint: env
	$(BIN)/sqlfluff lint models tests analyses

# Documentation coverage and structure rules, over the manifest and the built catalog.
check: env
	$(DBT) docs generate --quiet
	$(BIN)/python scripts/check_project.py

dbt-test: env
	$(DBT) build --full-refresh

pytest: env
	$(BIN)/pytest -q

demo-data: env
	$(BIN)/python scripts/generate_raw_data.py

# Great Expectations suites over the built marts.
validate: env
	$(BIN)/python scripts/validate_marts.py

docs: env
	$(DBT) docs generate --static
	@echo "Docs: $(CURDIR)/target/static_index.html"

clean:
	rm -rf target logs build/*.duckdb build/*.wal
