"""Drift between two builds of the marts, checked with Great Expectations (`make validate`).

dbt's tests prove each rule on one build; what they cannot say is whether a build that passes
them still looks like the last one. This module compares the current build with a baseline:
the metrics of the last validated build, or a given earlier publication's database.

* `Metrics`: the few distribution figures a reviewer would look at first, read from the
  published columns of customer_value, customer_value_deciles and value_tier_summary (no rule
  is recomputed here): customers, share of unprofitable customers, the value_tier mix, the top
  decile's share of margin, margin quantiles and the total margin.
* `expectations`: GX expectations that the current marts stay within a tolerance of the
  baseline's figures (`TOLERANCES`). GX computes the current figures itself, on the marts.
* `validate`: runs them in an ephemeral GX context (pandas datasource, nothing written, no
  network) and returns one line per expectation that failed.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import json  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.expectations.row_conditions import Column  # noqa: E402

MARTS = ("customer_value", "customer_value_deciles", "value_tier_summary")
QUANTILES = (0.1, 0.5, 0.9)

# How far a figure may move between two builds before a person should look. Shares move by
# absolute points; counts and totals by a fraction of the baseline; margin quantiles by a
# fraction of the baseline's 10-90 spread (a quantile near zero has no useful relative move).
TOLERANCES = {
    "customers": 0.20,  # fraction of the baseline count
    "unprofitable_share": 0.05,  # absolute
    "top_decile_margin_share": 0.05,  # absolute
    "value_tier_mix": 0.05,  # KL divergence of the value_tier mix from the baseline's
    "margin_quantiles": 0.25,  # fraction of the baseline's p90 - p10
    "total_margin": 0.20,  # fraction of the baseline's absolute total
}


class CannotValidate(Exception):
    """A database or baseline that cannot be read: one line for the user, no stack trace."""


@dataclass
class Metrics:
    customers: int
    unprofitable_share: float
    top_decile_margin_share: float | None
    value_tier_mix: dict[str, float]  # value_tier -> share_of_customers
    margin_quantiles: list[float]  # margin_after_cost_to_serve at QUANTILES
    total_margin: float

    @classmethod
    def of(cls, marts: dict[str, pd.DataFrame]) -> Metrics:
        customers, deciles, tiers = (marts[name] for name in MARTS)
        margin = customers["margin_after_cost_to_serve"].astype(float)
        top = deciles.loc[deciles["value_decile"] == 1, "share_of_total_margin"].dropna()
        return cls(
            customers=len(customers),
            unprofitable_share=float(customers["is_unprofitable"].astype(float).mean()) if len(customers) else 0.0,
            top_decile_margin_share=float(top.iloc[0]) if len(top) else None,
            value_tier_mix={str(t): float(s) for t, s in zip(tiers["value_tier"], tiers["share_of_customers"],
                                                            strict=True)},
            margin_quantiles=[float(q) for q in margin.quantile(list(QUANTILES))] if len(margin) else [],
            total_margin=float(margin.sum()),
        )

    @classmethod
    def load(cls, path: Path) -> Metrics:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError) as error:
            raise CannotValidate(f"Cannot read the baseline metrics {path} ({error}).") from error

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")


def read_marts(database: Path) -> dict[str, pd.DataFrame]:
    """The three marts from a DuckDB file opened read-only, found in whichever schema holds them
    (`main` in a build; the serving file may use another)."""
    if not database.exists():
        raise CannotValidate(f"No database at {database}: run `make build` first.")
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise CannotValidate(f"Cannot open {database} read-only ({error}). Is a dbt build still running?") from error
    marts = {}
    with connection:
        for name in MARTS:
            schemas = [row[0] for row in connection.execute(
                "select table_schema from information_schema.tables where table_name = ?"
                " order by table_schema <> 'main', table_schema", [name]).fetchall()]
            if not schemas:
                raise CannotValidate(f"{database} has no table {name}: build the marts first (`make build`).")
            marts[name] = connection.sql(f'select * from "{schemas[0]}"."{name}"').df()
    return marts


def expectations(baseline: Metrics) -> dict[str, list[gxe.Expectation]]:
    """Per mart, the expectations that its figures are still near the baseline's."""
    def near(metric: str, value: float, tolerance: float) -> dict:
        return {"min_value": value - tolerance, "max_value": value + tolerance,
                "description": f"{metric} within {tolerance:g} of the baseline's {value:g}"}

    count, count_tolerance = baseline.customers, TOLERANCES["customers"]
    customer_value = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=int(count * (1 - count_tolerance)), max_value=int(count * (1 + count_tolerance)) + 1,
            description=f"customers within {count_tolerance:.0%} of the baseline's {count}"),
        gxe.ExpectColumnMeanToBeBetween(
            column="is_unprofitable",
            **near("unprofitable_share", baseline.unprofitable_share, TOLERANCES["unprofitable_share"])),
        gxe.ExpectColumnSumToBeBetween(
            column="margin_after_cost_to_serve",
            **near("total_margin", baseline.total_margin, abs(baseline.total_margin) * TOLERANCES["total_margin"])),
    ]
    if baseline.value_tier_mix:
        tiers = sorted(baseline.value_tier_mix)
        customer_value.append(gxe.ExpectColumnKLDivergenceToBeLessThan(
            column="value_tier", threshold=TOLERANCES["value_tier_mix"],
            partition_object={"values": tiers, "weights": [baseline.value_tier_mix[t] for t in tiers]},
            description="value_tier mix close to the baseline's "
                        + str({t: round(baseline.value_tier_mix[t], 3) for t in tiers})))
    if len(baseline.margin_quantiles) == len(QUANTILES):
        spread = (baseline.margin_quantiles[-1] - baseline.margin_quantiles[0]) * TOLERANCES["margin_quantiles"]
        customer_value.append(gxe.ExpectColumnQuantileValuesToBeBetween(
            column="margin_after_cost_to_serve",
            quantile_ranges={"quantiles": list(QUANTILES),
                             "value_ranges": [[q - spread, q + spread] for q in baseline.margin_quantiles]},
            description=f"margin_after_cost_to_serve p10/p50/p90 within {spread:.2f} of the baseline's "
                        + "/".join(f"{q:.2f}" for q in baseline.margin_quantiles)))
    deciles = []
    if baseline.top_decile_margin_share is not None:
        deciles.append(gxe.ExpectColumnValuesToBeBetween(
            column="share_of_total_margin", row_condition=Column("value_decile") == 1,
            **near("top_decile_margin_share", baseline.top_decile_margin_share,
                   TOLERANCES["top_decile_margin_share"])))
    return {"customer_value": customer_value, "customer_value_deciles": deciles}


def _gx_context():
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(), analytics_enabled=False,
                               progress_bars=ProgressBarsConfig(globally=False))
    return gx.get_context(mode="ephemeral", project_config=config)


def _observed(result) -> str:
    observed = result.result.get("observed_value")
    partition = (result.result.get("details") or {}).get("observed_partition")
    if partition:  # KL divergence: show the observed mix, not only the divergence
        mix = {value: round(float(weight), 3) for value, weight in zip(partition["values"], partition["weights"],
                                                                       strict=True)}
        return f"divergence {float(observed):.3f}, mix {mix}"
    if observed is None:  # a per-row expectation: the values out of range
        observed = result.result.get("partial_unexpected_list")
    if isinstance(observed, dict) and "values" in observed:  # quantiles
        observed = observed["values"]
    if isinstance(observed, float):
        return f"{observed:.4g}"
    if isinstance(observed, list):
        return "[" + ", ".join(f"{float(v):.4g}" for v in observed) + "]"
    return str(observed)


def validate(marts: dict[str, pd.DataFrame], baseline: Metrics) -> list[str]:
    """One line per expectation the current marts fail against the baseline."""
    source = _gx_context().data_sources.add_pandas("drift")
    failures = []
    for mart, suite_expectations in expectations(baseline).items():
        if not suite_expectations:
            continue
        frame = marts[mart].copy()
        if "is_unprofitable" in frame:
            frame["is_unprofitable"] = frame["is_unprofitable"].astype(float)  # a share: mean of 0/1
        batch = source.add_dataframe_asset(name=mart).add_batch_definition_whole_dataframe("all").get_batch(
            batch_parameters={"dataframe": frame})
        results = batch.validate(gx.ExpectationSuite(name=mart, expectations=suite_expectations))
        for result in results.results:
            if not result.success:
                config = result.expectation_config
                failures.append(f"{mart}: {config.description} -- observed {_observed(result)}")
    return failures
