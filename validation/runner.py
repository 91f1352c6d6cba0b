"""Validate the built marts with Great Expectations and print a readable summary.

The marts are read read-only from the DuckDB file into pandas and validated with GX's pandas
datasource in an ephemeral context: no gx/ folder, no stores on disk, no analytics, no
network (GX's SQL datasource returns empty results over duckdb-engine, and a file context
would only add generated files to review). A mart that is not built is reported by name,
not as a stack trace.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.expectations.row_conditions import (  # noqa: E402
    AndCondition,
    ComparisonCondition,
    NullityCondition,
    Operator,
    OrCondition,
    deserialize_row_condition,
)

from validation.suites import MARTS, Build, Mart, columns_suite  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
MART_SCHEMA = "main"
SAMPLE_SIZE = 5


class CannotValidate(Exception):
    """The database cannot be read (missing, locked): nothing to validate."""


@dataclass
class Failure:
    mart: str
    rule: str  # the expectation's description
    expectation: str  # type and arguments
    problem: str  # how many rows, observed value or error
    sample: str = ""


@dataclass
class MartResult:
    mart: str
    rows: int | None = None  # None: not built
    required: bool = True
    evaluated: int = 0
    failures: list[Failure] = field(default_factory=list)


def project_vars(overrides: dict | None = None) -> dict:
    """The dbt vars the build used: dbt_project.yml defaults, then --vars overrides."""
    variables = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return {**variables, **(overrides or {})}


def default_database() -> Path:
    return Path(os.environ.get("CUSTOMER_VALUE_DUCKDB_PATH", PROJECT_DIR / "build" / "customer_value.duckdb"))


def _relation_exists(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchone()[0] > 0


def _read(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> pd.DataFrame | None:
    if not _relation_exists(connection, schema, name):
        return None
    return connection.sql(f'select * from "{schema}"."{name}"').df()


def _schema(connection: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return connection.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position", [MART_SCHEMA, name]
    ).df()


def read_build(database: Path, variables: dict) -> tuple[Build, dict[str, pd.DataFrame]]:
    """Every mart (None when not built), its schema, and the facts the suites compare against."""
    if not database.exists():
        raise CannotValidate(f"No database at {database}: run `make build` first.")
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise CannotValidate(f"Cannot open {database} read-only ({error}). Is a dbt build still running?") from error
    with connection:
        frames = {mart.name: _read(connection, MART_SCHEMA, mart.name) for mart in MARTS}
        schemas = {name: _schema(connection, name) for name, frame in frames.items() if frame is not None}
        as_of = _read(connection, "intermediate", "int_as_of_date")
        as_of_date = as_of["as_of_date"].iloc[0] if as_of is not None and len(as_of) else None
        population = None
        if frames["fct_orders"] is not None and as_of_date is not None:
            population = int(connection.execute(
                f'select count(distinct customer_id) from "{MART_SCHEMA}".fct_orders where ordered_date <= ?',
                [pd.Timestamp(as_of_date).date()],
            ).fetchone()[0])
        rates = _read(connection, "seeds", "service_cost_rates")
        segments = _read(connection, "seeds", "rfm_segments")
    build = Build(
        as_of_date=pd.Timestamp(as_of_date).date() if as_of_date is not None else None,
        population=population,
        top_tier_deciles=int(variables["top_tier_deciles"]),
        at_risk_p_alive=float(variables["at_risk_p_alive"]),
        rate_card_activities=sorted(rates["activity"].dropna().unique()) if rates is not None else None,
        rfm_segments=segments,
        frames=frames,
    )
    return build, schemas


def _gx_context():
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _run_suite(source, asset: str, frame: pd.DataFrame, expectations: list, key: list[str]) -> list:
    batch = source.add_dataframe_asset(name=asset).add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": frame}
    )
    suite = gx.ExpectationSuite(name=asset, expectations=expectations)
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE,
                     "unexpected_index_column_names": [k for k in key if k in frame.columns]}
    return list(batch.validate(suite, result_format=result_format).results)


def describe(config) -> str:
    """expect_x(column=..., min_value=..., where ...), with long value sets shortened."""
    skip = {"batch_id", "condition_parser", "row_condition", "result_format", "ignore_row_if"}
    parts = []
    for name, value in config.kwargs.items():
        if name in skip or value is None or value is False:
            continue
        if isinstance(value, (list, tuple, set)) and len(value) > 6:
            value = f"[{', '.join(map(repr, list(value)[:6]))}, ... {len(value)} values]"
        else:
            value = repr(value)
        parts.append(f"{name}={value}")
    text = f"{config.type}({', '.join(parts)})"
    condition = deserialize_row_condition(config.kwargs.get("row_condition"))
    return f"{text} where {render_condition(condition)}" if condition is not None else text


def render_condition(condition) -> str:
    """A GX row condition as it reads in SQL-ish text, string values quoted."""
    if isinstance(condition, (AndCondition, OrCondition)):
        joiner = " and " if isinstance(condition, AndCondition) else " or "
        return "(" + joiner.join(render_condition(c) for c in condition.conditions) + ")"
    if isinstance(condition, NullityCondition):
        return f"{condition.column.name} is {'' if condition.is_null else 'not '}null"
    if isinstance(condition, ComparisonCondition):
        if condition.operator in (Operator.IN, Operator.NOT_IN):
            keyword = "in" if condition.operator == Operator.IN else "not in"
            return f"{condition.column.name} {keyword} ({', '.join(map(repr, condition.parameter))})"
        return f"{condition.column.name} {condition.operator} {condition.parameter!r}"
    return str(condition)


def _error_message(result) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message")
    for nested in info.values():
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return nested.get("exception_message")
    return None


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _sample_row(row: dict, key: list[str], frame: pd.DataFrame | None, show: list[str]) -> str:
    """key=value pairs of one unexpected row: its key first, then the checked column(s), then the
    inputs a check__ column was computed from (looked up in the frame by key)."""
    values = {k: row[k] for k in key if k in row}
    # a check__ boolean is False on every unexpected row: print its inputs instead
    values.update({k: v for k, v in row.items() if k not in values and not (show and k.startswith("check__"))})
    if show and frame is not None and key and all(k in row for k in key):
        match = frame
        for k in key:
            match = match[match[k].isna()] if pd.isna(row[k]) else match[match[k] == row[k]]
        if len(match):
            values.update({c: match.iloc[0][c] for c in show if c in match.columns})
    return " ".join(f"{_label(k)}={_format(v)}" for k, v in values.items())


def _label(column: str) -> str:
    return "expected" if column.endswith("__expected") else column


def _format(value) -> str:
    value = _plain(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def explain(mart: str, result, key: list[str] | None = None, frame: pd.DataFrame | None = None) -> Failure:
    config = result.expectation_config
    details = result.result or {}
    error = _error_message(result)
    sample = ""
    if error:
        problem = f"error: {error}"
    elif "unexpected_count" in details:
        problem = f"{details['unexpected_count']:,} of {details.get('element_count', 0):,} rows unexpected"
        rows = details.get("partial_unexpected_index_list") or []
        show = list((config.meta or {}).get("show", []))
        if rows:
            sample = "; ".join(_sample_row(row, key or [], frame, show) for row in rows[:SAMPLE_SIZE])
        else:
            sample = ", ".join(_format(v) for v in (details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE])
    elif "partial_missing_list" in details:  # distinct values must contain a set
        problem = f"missing: {', '.join(map(str, details['partial_missing_list']))}"
    else:
        problem = f"observed {_plain(details.get('observed_value'))!r}"
    return Failure(mart, config.description or config.type, describe(config), problem, sample)


def validate_mart(source, mart: Mart, frame: pd.DataFrame, schema: pd.DataFrame, build: Build) -> MartResult:
    outcome = MartResult(mart.name, rows=len(frame))
    schema_results = _run_suite(source, f"{mart.name}__columns", schema, columns_suite(mart, schema, frame),
                                ["column_name"])
    outcome.failures += [explain(mart.name, r, ["column_name"]) for r in schema_results if not r.success]
    rows = frame.copy()
    missing = [c for c in mart.columns if "{" not in c and c not in rows.columns]
    for column in missing:  # reported by the columns suite; let the row rules still run
        rows[column] = pd.NA
    try:
        expectations = mart.suite(rows, build)
    except Exception as error:  # a rule's inputs are unusable: report it, validate the rest
        outcome.failures.append(Failure(mart.name, "rows suite", "building the expectations",
                                        f"error: {type(error).__name__}: {error}"))
        expectations = []
    # expectations on a column the mart lacks would only repeat the columns suite's failure
    expectations = [e for e in expectations if not _references(e, missing)]
    results = _run_suite(source, mart.name, rows, expectations, mart.key) if expectations else []
    outcome.evaluated = len(schema_results) + len(results)
    outcome.failures += [explain(mart.name, r, mart.key, rows) for r in results if not r.success]
    return outcome


def _condition_columns(condition) -> set[str]:
    if isinstance(condition, (AndCondition, OrCondition)):
        return set().union(*(_condition_columns(c) for c in condition.conditions))
    column = getattr(condition, "column", None)
    return {column.name} if column is not None else set()


def _references(expectation, columns: list[str]) -> bool:
    kwargs = expectation.configuration.kwargs
    used = {kwargs.get(k) for k in ("column", "column_A", "column_B")}
    used |= _condition_columns(deserialize_row_condition(kwargs.get("row_condition")))
    return bool(used & set(columns))


def validate(build: Build, schemas: dict[str, pd.DataFrame], variables: dict, only: list[str] | None = None
             ) -> list[MartResult]:
    python_models = bool(variables.get("predict_clv", True))
    source = _gx_context().data_sources.add_pandas("marts")
    outcomes = []
    for mart in MARTS:
        if only and mart.name not in only:
            continue
        frame = build.frame(mart.name)
        required = python_models or not mart.needs_python_models
        if frame is None:
            outcomes.append(MartResult(mart.name, rows=None, required=required))
            continue
        outcomes.append(validate_mart(source, mart, frame, schemas[mart.name], build))
    return outcomes


def render(database: Path, build_summary: str, outcomes: list[MartResult]) -> str:
    lines = [f"Great Expectations over {database}{build_summary}"]
    for o in outcomes:
        if o.rows is None:
            state = "NOT BUILT" if o.required else "not built (optional: predict_clv is false)"
            lines.append(f"  {o.mart:<25} {state}")
        else:
            met = o.evaluated - sum(1 for f in o.failures if f.expectation != "building the expectations")
            lines.append(f"  {o.mart:<25} {met:>3}/{o.evaluated:<3} expectations met   {o.rows:>9,} rows")
    failures = [f for o in outcomes for f in o.failures]
    for f in failures:
        lines.append(f"FAILED {f.mart}: {f.rule}")
        lines.append(f"    {f.expectation}")
        lines.append(f"    {f.problem}" + (f"; sample: {f.sample}" if f.sample else ""))
    not_built = [o.mart for o in outcomes if o.rows is None and o.required]
    for name in not_built:
        lines.append(f"NOT BUILT {name}: no table {MART_SCHEMA}.{name} in {database} (run `make build`)")
    evaluated = sum(o.evaluated for o in outcomes)
    lines.append(f"{evaluated} expectations evaluated, {len(failures)} failed"
                 + (f", {len(not_built)} required mart(s) not built" if not_built else "") + ".")
    return "\n".join(lines)


def main(database: Path, variables: dict, only: list[str] | None = None) -> int:
    try:
        build, schemas = read_build(database, variables)
    except CannotValidate as problem:
        print(problem)
        return 2
    outcomes = validate(build, schemas, variables, only)
    summary = ""
    if build.as_of_date is not None:
        summary = f" (as of {build.as_of_date}, population {build.population:,} customers)"
    print(render(database, summary, outcomes))
    failed = any(o.failures for o in outcomes) or any(o.rows is None and o.required for o in outcomes)
    return 1 if failed else 0
