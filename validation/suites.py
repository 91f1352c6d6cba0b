"""One Great Expectations suite per public mart, written from the spec.

Every mart has two suites:

* a *columns* suite over its schema (one row per column, from DuckDB's information_schema):
  the spec's columns exist and have the expected type family. Money is `decimal(p, 2)` in the
  marts and `decimal(p, 4)` in the facts (docs/interfaces.md);
* a *rows* suite over its data: keys, nulls, ranges, allowed values, the row count against
  the population, and the spec's rules (tiers, deciles, bands, priorities, shares) wherever
  they read as an expectation. A rule that needs a value from another row or another mart
  gets a `check__*` column first (validation/derive.py), which the expectation then checks.

A suite function takes the mart's frame (a copy it may add `check__*` columns to) and the
`Build` facts, and returns the expectations. Each expectation carries a `description`: the
rule in words, printed when it fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column as C
from great_expectations.expectations.row_conditions import Condition

from validation import derive

REJECTION_REASONS = ["missing_key", "duplicate_key", "conflicting_duplicate", "invalid_value", "orphan", "no_rate"]
RAW_TABLES = ["customers", "orders", "order_items", "service_events", "customer_signals"]
ORDER_STATUSES = ["completed", "returned", "cancelled"]
ORDER_ACTIVITIES = ["order_processing", "delivery"]
VALUE_TIERS = ["top", "growth", "unprofitable"]
UPGRADE_REASONS = ["advocate", "fixable_cost_to_serve", "growing_spend", "predicted_top"]
PREDICTION_STATUSES = ["predicted", "no_completed_purchase", "purchase_model_not_fitted", "spend_model_not_fitted"]
FIT_STATUSES = ["fitted", "insufficient_data", "not_converged", "invalid_estimate"]
CLV_MODELS = {"bg_nbd": ["r", "alpha", "a", "b"], "gamma_gamma": ["p", "q", "gamma"]}

# Type families of DuckDB's information_schema.columns.data_type.
KINDS = {
    "text": r"^VARCHAR$",
    "integer": r"^(?:TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$",
    "money": r"^DECIMAL\(\d+,2\)$",  # marts: rounded to cents at the presentation edge
    "money4": r"^DECIMAL\(\d+,4\)$",  # staged facts: full precision
    "number": r"^(?:DOUBLE|FLOAT|REAL|DECIMAL\(\d+,\d+\))$",
    "date": r"^DATE$",
    "timestamp": r"^TIMESTAMP$",
    "boolean": r"^BOOLEAN$",
}

# Tolerances: marts publish money rounded to 2 decimals, so a sum or difference of k published
# amounts may be off by k x half a cent; shares may be rounded to a few decimals.
CENT = 0.005
SHARE_TOLERANCE = 0.0006


@dataclass
class Build:
    """Facts of the build that the suites compare against (read by validation.runner)."""

    as_of_date: date | None = None
    population: int | None = None  # customers with a valid order on or before the as-of date
    top_tier_deciles: int = 1
    at_risk_p_alive: float = 0.5
    rate_card_activities: list[str] | None = None
    rfm_segments: pd.DataFrame | None = None  # recency_score, frequency_score, rfm_segment
    frames: dict[str, pd.DataFrame | None] = field(default_factory=dict)  # every mart read, None = not built

    def frame(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)


# ----------------------------------------------------------------------------------------------
# Expectation helpers: short names, the rule in `why`, conditions as GX Condition objects
# (C("value_tier") == "top"); a condition GX cannot express gets a check__ column.
# ----------------------------------------------------------------------------------------------


def _options(where: Condition | None, why: str | None) -> dict:
    options: dict = {}
    if where is not None:
        options["row_condition"] = where
    if why:
        options["description"] = why
    return options


def not_null(*columns: str, where: Condition | None = None, why: str | None = None) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c, **_options(where, why)) for c in columns]


def null(column: str, where: Condition, why: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeNull(column=column, **_options(where, why))


def between(column: str, low=None, high=None, *, where: Condition | None = None, why: str | None = None,
            strict_low: bool = False, strict_high: bool = False) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, strict_min=strict_low, strict_max=strict_high,
        **_options(where, why),
    )


def in_set(column: str, values: list, *, where: Condition | None = None, why: str | None = None) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values), **_options(where, why))


def is_true(column: str, why: str, show: list[str] | None = None) -> gxe.Expectation:
    """A `check__*` boolean column is true on every row where it applies (NA rows are ignored).
    `show`: the columns a failure sample prints beside the key (the inputs of the check)."""
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], description=why,
                                           meta={"show": show or []})


def unique(column: str, why: str | None = None) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeUnique(column=column, **_options(None, why))


def equal(column_a: str, column_b: str, why: str, where: Condition | None = None) -> gxe.Expectation:
    return gxe.ExpectColumnPairValuesToBeEqual(
        column_A=column_a, column_B=column_b, ignore_row_if="either_value_is_missing", **_options(where, why)
    )


def at_least(column_a: str, column_b: str, why: str, where: Condition | None = None) -> gxe.Expectation:
    """column_a >= column_b on every row where both have a value."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=column_a, column_B=column_b, or_equal=True, ignore_row_if="either_value_is_missing",
        **_options(where, why),
    )


def row_count(value: int, why: str) -> gxe.Expectation:
    return gxe.ExpectTableRowCountToEqual(value=value, description=why)


def row_count_between(low: int, high: int | None, why: str) -> gxe.Expectation:
    return gxe.ExpectTableRowCountToBeBetween(min_value=low, max_value=high, description=why)


def column_sum(column: str, value: float, why: str, tolerance: float = 0.0) -> gxe.Expectation:
    return gxe.ExpectColumnSumToBeBetween(
        column=column, min_value=value - tolerance, max_value=value + tolerance, description=why
    )


def close_to(frame: pd.DataFrame, name: str, column: str, expected: pd.Series, tolerance, why: str,
             applies: pd.Series | None = None) -> gxe.Expectation:
    """Adds check__<name>__expected and check__<name>: |column - expected| <= tolerance (a scalar
    or per row; both null also matches, one null does not), NA where `applies` is false; and
    expects check__<name> true."""
    actual = pd.to_numeric(frame[column], errors="coerce").astype(float)
    expected = pd.to_numeric(pd.Series(expected, index=frame.index), errors="coerce").astype(float)
    both_null = actual.isna() & expected.isna()
    matches = (both_null | ((actual - expected).abs() <= tolerance).fillna(False)).astype("boolean")
    if applies is not None:
        matches = matches.where(applies.fillna(False).astype(bool))
    frame[f"check__{name}__expected"] = expected
    frame[f"check__{name}"] = matches
    return is_true(f"check__{name}", why, show=[column, f"check__{name}__expected"])


# ----------------------------------------------------------------------------------------------
# Public marts
# ----------------------------------------------------------------------------------------------

CUSTOMER_VALUE_COLUMNS = {
    "customer_id": "text",
    "orders_count": "integer", "returned_orders_count": "integer", "cancelled_orders_count": "integer",
    "first_ordered_at": "timestamp", "last_ordered_at": "timestamp",
    "recency_days": "integer", "tenure_days": "integer",
    "revenue": "money", "cogs": "money", "gross_margin": "money", "cost_to_serve": "money",
    "margin_after_cost_to_serve": "money", "margin_after_cost_to_serve_rate": "number",
    "average_order_value": "money", "top_cost_activity": "text", "top_cost_activity_share": "number",
    "indirect_value": "money", "value_rank": "integer", "value_decile": "integer", "spend_decile": "integer",
    "cumulative_margin_share": "number", "is_unprofitable": "boolean", "value_tier": "text",
    "recency_score": "integer", "frequency_score": "integer", "monetary_score": "integer", "rfm_segment": "text",
    "frequency_spend_band": "text", "service_level": "text", "upgrade_reasons": "text",
    "has_upgrade_potential": "boolean", "service_priority": "text",
}


def customer_value(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    f = frame
    rows = len(f)
    top = build.top_tier_deciles
    total_margin = float(f["margin_after_cost_to_serve"].sum())
    tier_is_top = C("value_tier") == "top"
    qualifies_for_top = (C("value_decile") <= top) & (C("margin_after_cost_to_serve") > 0)
    f["check__frequency_plus_monetary"] = f["frequency_score"] + f["monetary_score"]
    f_plus_m = C("check__frequency_plus_monetary")

    f["check__orders_of_any_status"] = f["orders_count"] + f["returned_orders_count"] + f["cancelled_orders_count"]
    f["check__expected_value_decile"] = derive.ntile_of_rank(f["value_rank"], rows, 10)
    f["check__margin_of_next_rank"] = derive.value_at_next_position(f, "value_rank", "margin_after_cost_to_serve")
    f["check__spend_decile_follows_ntile"] = derive.follows_ntile(f, "spend_decile", "revenue", 10, descending=True)
    f["check__recency_score_follows_ntile"] = derive.follows_ntile(f, "recency_score", "last_ordered_at", 5, False)
    f["check__frequency_score_follows_ntile"] = derive.follows_ntile(f, "frequency_score", "orders_count", 5, False)
    f["check__monetary_score_follows_ntile"] = derive.follows_ntile(f, "monetary_score", "revenue", 5, False)
    # GX Conditions (compiled to pandas queries), so `== True` is the comparison, not a truth test
    fixable = C("check__has_reason_fixable_cost_to_serve") == True  # noqa: E712
    growth, unprofitable = C("value_tier") == "growth", C("value_tier") == "unprofitable"
    has_potential = C("has_upgrade_potential") == True  # noqa: E712
    padded = "," + f["upgrade_reasons"].fillna("").astype(str) + ","
    for reason in UPGRADE_REASONS:
        f[f"check__has_reason_{reason}"] = padded.str.contains(f",{reason},", regex=False)
    sorted_reason_lists = [",".join(c) for n in range(len(UPGRADE_REASONS) + 1)
                           for c in itertools.combinations(UPGRADE_REASONS, n)]
    by_rank = f.sort_values("value_rank")
    expected_share = derive.share_or_null(by_rank["margin_after_cost_to_serve"].cumsum(), total_margin)

    expectations = [
        row_count(build.population, "one row per customer with a valid order on or before the as-of date (spec 4)")
        if build.population is not None else row_count_between(1, None, "customers exist"),
        unique("customer_id", "customer_id is the key"),
        *not_null(*[c for c in CUSTOMER_VALUE_COLUMNS if c not in (
            "margin_after_cost_to_serve_rate", "average_order_value", "top_cost_activity",
            "top_cost_activity_share", "cumulative_margin_share")],
            why="required column"),
        # orders and dates
        *[between(c, 0, why="counts are not negative") for c in
          ("orders_count", "returned_orders_count", "cancelled_orders_count")],
        between("check__orders_of_any_status", 1, why="every customer of the population has an order"),
        at_least("last_ordered_at", "first_ordered_at", "last order is not before the first"),
        between("recency_days", 0, why="no order after the as-of date is counted"),
        at_least("tenure_days", "recency_days", "tenure_days >= recency_days"),
        # money
        *[between(c, 0, why="not negative") for c in ("revenue", "cogs", "cost_to_serve", "indirect_value")],
        close_to(f, "gross_margin_is_revenue_minus_cogs", "gross_margin", f["revenue"] - f["cogs"], 3 * CENT,
                 "gross_margin = revenue - cogs"),
        close_to(f, "margin_is_gross_margin_minus_cost_to_serve", "margin_after_cost_to_serve",
                 f["gross_margin"] - f["cost_to_serve"], 3 * CENT,
                 "margin_after_cost_to_serve = gross_margin - cost_to_serve (spec 4)"),
        null("margin_after_cost_to_serve_rate", C("revenue") == 0, "margin rate is null when revenue = 0"),
        *not_null("margin_after_cost_to_serve_rate", where=C("revenue") != 0, why="margin rate when revenue <> 0"),
        null("average_order_value", C("orders_count") == 0, "average_order_value is null without completed orders"),
        *not_null("average_order_value", where=C("orders_count") > 0, why="average_order_value with completed orders"),
        null("top_cost_activity", C("cost_to_serve") == 0, "top_cost_activity is null when cost_to_serve is 0"),
        null("top_cost_activity_share", C("cost_to_serve") == 0, "its share is null when cost_to_serve is 0"),
        *not_null("top_cost_activity", "top_cost_activity_share", where=C("cost_to_serve") > 0,
                  why="the largest activity when there is a cost to serve"),
        between("top_cost_activity_share", 0, 1, strict_low=True, why="a share of cost_to_serve, in (0, 1]"),
        # value rank, deciles, whale curve
        unique("value_rank", "value_rank is a row_number"),
        between("value_rank", 1, rows, why="value_rank runs 1..N"),
        at_least("margin_after_cost_to_serve", "check__margin_of_next_rank",
                 "value_rank orders by margin_after_cost_to_serve desc (spec 4)"),
        equal("value_decile", "check__expected_value_decile", "value_decile = ntile(10) in value_rank order"),
        between("value_decile", 1, 10, why="deciles 1..10"),
        between("spend_decile", 1, 10, why="deciles 1..10"),
        is_true("check__spend_decile_follows_ntile", "spend_decile = ntile(10) over revenue desc",
                show=["spend_decile", "revenue"]),
        close_to(f, "cumulative_margin_share_is_running_share",
                 "cumulative_margin_share", expected_share.reindex(f.index),
                 f["value_rank"] * CENT / total_margin + SHARE_TOLERANCE if total_margin > 0 else 0,
                 "cumulative_margin_share = running margin in value_rank order / total, null when total <= 0"),
        # tiers (spec 4)
        in_set("value_tier", VALUE_TIERS, why="value tiers"),
        between("value_decile", 1, top, where=tier_is_top,
                why=f"top tier => value_decile <= top_tier_deciles ({top})"),
        between("margin_after_cost_to_serve", 0, strict_low=True, where=tier_is_top,
                why="top tier => margin_after_cost_to_serve > 0"),
        in_set("value_tier", ["top"], where=qualifies_for_top,
               why="value_decile <= top_tier_deciles and margin > 0 => top"),
        between("margin_after_cost_to_serve", None, 0, strict_high=True, where=C("value_tier") == "unprofitable",
                why="unprofitable tier => margin_after_cost_to_serve < 0"),
        in_set("value_tier", ["unprofitable"], where=C("margin_after_cost_to_serve") < 0,
               why="margin_after_cost_to_serve < 0 => unprofitable tier"),
        in_set("is_unprofitable", [True], where=C("margin_after_cost_to_serve") < 0,
               why="is_unprofitable <=> margin < 0"),
        in_set("is_unprofitable", [False], where=C("margin_after_cost_to_serve") >= 0,
               why="is_unprofitable <=> margin < 0"),
        # RFM, bands, service levels
        *[between(c, 1, 5, why="scores 1..5") for c in ("recency_score", "frequency_score", "monetary_score")],
        is_true("check__recency_score_follows_ntile", "recency_score = ntile(5) over last_ordered_at asc",
                show=["recency_score", "last_ordered_at"]),
        is_true("check__frequency_score_follows_ntile", "frequency_score = ntile(5) over orders_count asc",
                show=["frequency_score", "orders_count"]),
        is_true("check__monetary_score_follows_ntile", "monetary_score = ntile(5) over revenue asc",
                show=["monetary_score", "revenue"]),
        in_set("frequency_spend_band", ["high"], where=f_plus_m >= 8, why="F + M >= 8 => high"),
        in_set("frequency_spend_band", ["medium"], where=(f_plus_m >= 5) & (f_plus_m < 8),
               why="5 <= F + M < 8 => medium"),
        in_set("frequency_spend_band", ["low"], where=f_plus_m < 5, why="F + M < 5 => low"),
        in_set("service_level", ["personalized"], where=C("frequency_spend_band") == "high",
               why="high => personalized"),
        in_set("service_level", ["customized"], where=C("frequency_spend_band") == "medium",
               why="medium => customized"),
        in_set("service_level", ["generic"], where=C("frequency_spend_band") == "low", why="low => generic"),
        # upgrade potential and service priority
        in_set("upgrade_reasons", sorted_reason_lists,
               why="upgrade_reasons: known reasons, sorted, comma-separated, empty when none"),
        in_set("upgrade_reasons", [""], where=tier_is_top, why="no upgrade reasons in the top tier"),
        in_set("has_upgrade_potential", [True], where=C("upgrade_reasons") != "",
               why="has_upgrade_potential <=> reasons"),
        in_set("has_upgrade_potential", [False], where=C("upgrade_reasons") == "",
               why="has_upgrade_potential <=> reasons"),
        in_set("is_unprofitable", [True], where=fixable,
               why="fixable_cost_to_serve => is_unprofitable"),
        between("gross_margin", 0, strict_low=True, where=fixable,
                why="fixable_cost_to_serve => gross_margin > 0"),
        between("top_cost_activity_share", 0.5, where=fixable,
                why="fixable_cost_to_serve => top_cost_activity_share >= 0.5"),
        between("indirect_value", 0, strict_low=True, where=C("check__has_reason_advocate") == True,  # noqa: E712
                why="advocate => indirect_value > 0"),
        in_set("service_priority", ["p1"], where=tier_is_top, why="top tier => p1"),
        in_set("value_tier", ["top"], where=C("service_priority") == "p1", why="p1 => top tier"),
        in_set("service_priority", ["p2"], where=growth | (unprofitable & has_potential),
               why="growth tier or upgrade potential (not top) => p2"),
        in_set("service_priority", ["p3"], where=unprofitable & (C("has_upgrade_potential") == False),  # noqa: E712
               why="otherwise p3"),
    ]
    if build.rfm_segments is not None:
        segments = build.rfm_segments.set_index(["recency_score", "frequency_score"])["rfm_segment"]
        keys = pd.MultiIndex.from_arrays([f["recency_score"].astype("Int64"), f["frequency_score"].astype("Int64")])
        f["check__segment_of_scores"] = segments.reindex(keys).to_numpy()
        expectations.append(equal("rfm_segment", "check__segment_of_scores",
                                  "rfm_segment is the rfm_segments seed's segment of (recency_score, frequency_score)"))
    if build.as_of_date is not None:
        f["check__days_since_last_order"] = derive.days_between(f["last_ordered_at"], build.as_of_date)
        f["check__days_since_first_order"] = derive.days_between(f["first_ordered_at"], build.as_of_date)
        expectations += [
            equal("recency_days", "check__days_since_last_order", "recency_days = as-of date - date(last_ordered_at)"),
            equal("tenure_days", "check__days_since_first_order", "tenure_days = as-of date - date(first_ordered_at)"),
        ]
    expectations += predicted_columns(f, build)
    return expectations


def predicted_columns(f: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    """customer_value's lifetime-value columns (spec 4 predicted_top, spec 6 is_top_at_risk),
    when it carries them: the rules, and agreement with customer_lifetime_value."""
    expectations = []
    if "p_alive" in f:
        expectations.append(between("p_alive", 0, 1, why="a probability"))
    if "predicted_clv_decile" in f:
        expectations += [
            between("predicted_clv_decile", 1, 10, why="deciles 1..10"),
            in_set("predicted_clv_decile", [1], where=C("check__has_reason_predicted_top") == True,  # noqa: E712
                   why="predicted_top => predicted_clv_decile = 1"),
        ]
    if "is_top_at_risk" in f and "p_alive" in f:
        at_risk = build.at_risk_p_alive
        expectations += [
            in_set("is_top_at_risk", [True], where=(C("value_tier") == "top") & (C("p_alive") < at_risk),
                   why=f"top tier and p_alive < at_risk_p_alive ({at_risk}) => is_top_at_risk"),
            in_set("is_top_at_risk", [False], where=C("value_tier") != "top", why="is_top_at_risk => top tier"),
            in_set("is_top_at_risk", [False], where=C("p_alive") >= at_risk,
                   why="is_top_at_risk => p_alive < at_risk_p_alive"),
            null("is_top_at_risk", (C("value_tier") == "top") & C("p_alive").is_null(),
                 "is_top_at_risk is null for a top customer without p_alive (SQL: top and null = null)"),
        ]
    predictions = build.frame("customer_lifetime_value")
    shared = [c for c in ("p_alive", "predicted_clv", "predicted_clv_decile") if c in f]
    if predictions is not None and shared:
        published = predictions.set_index("customer_id")
        for column in shared:
            if column in published:
                f[f"check__{column}_in_customer_lifetime_value"] = f["customer_id"].map(published[column]).to_numpy()
        expectations += [
            close_to(f, f"{column}_agrees_with_customer_lifetime_value", column,
                     f[f"check__{column}_in_customer_lifetime_value"], 1e-6 if column == "p_alive" else CENT / 5,
                     f"{column} = customer_lifetime_value.{column}")
            for column in shared if column in published
        ]
    return expectations


def customer_value_deciles(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    f = frame
    population = build.population
    expectations = [
        unique("value_decile", "one row per value_decile"),
        between("value_decile", 1, 10, why="deciles 1..10"),
        *not_null("value_decile", "customers", "revenue", "gross_margin", "cost_to_serve",
                  "margin_after_cost_to_serve", "unprofitable_customers", why="required column"),
        between("customers", 1, why="a decile has customers"),
        at_least("customers", "unprofitable_customers", "unprofitable_customers <= customers"),
        between("unprofitable_customers", 0, why="not negative"),
    ]
    if population is not None:
        sizes = derive.ntile_sizes(population, 10)
        f["check__ntile_size"] = f["value_decile"].map(sizes)
        expectations += [
            row_count(len(sizes), "one row per value_decile: 10, or N when the population N < 10 (spec 5)"),
            column_sum("customers", population, "the deciles hold the whole population"),
            equal("customers", "check__ntile_size", "customers per decile = the ntile(10) sizes"),
        ]
    customers = build.frame("customer_value")
    if customers is not None:
        per_decile = customers.groupby("value_decile").agg(
            customers=("customer_id", "size"),
            unprofitable=("is_unprofitable", "sum"),
            revenue=("revenue", "sum"), gross_margin=("gross_margin", "sum"), cost_to_serve=("cost_to_serve", "sum"),
            margin=("margin_after_cost_to_serve", "sum"),
        )
        total_margin = float(customers["margin_after_cost_to_serve"].sum())
        expected = per_decile.reindex(f["value_decile"]).set_index(f.index)
        f["check__customers_in_customer_value"] = expected["customers"]
        f["check__unprofitable_in_customer_value"] = expected["unprofitable"]
        tolerance = f["customers"] * CENT + CENT
        share = derive.share_or_null(expected["margin"], total_margin)
        order = f["value_decile"].sort_values().index
        expected_cumulative = share.loc[order].cumsum().reindex(f.index) if total_margin > 0 else share
        expectations += [
            equal("customers", "check__customers_in_customer_value", "customers = count in customer_value"),
            equal("unprofitable_customers", "check__unprofitable_in_customer_value",
                  "unprofitable_customers = count of is_unprofitable in customer_value"),
            close_to(f, "revenue_matches_customer_value", "revenue", expected["revenue"], tolerance,
                     "revenue = sum over the decile's customers"),
            close_to(f, "gross_margin_matches_customer_value", "gross_margin", expected["gross_margin"], tolerance,
                     "gross_margin = sum over the decile's customers"),
            close_to(f, "cost_to_serve_matches_customer_value", "cost_to_serve", expected["cost_to_serve"],
                     tolerance, "cost_to_serve = sum over the decile's customers"),
            close_to(f, "margin_matches_customer_value", "margin_after_cost_to_serve", expected["margin"],
                     tolerance, "margin_after_cost_to_serve = sum over the decile's customers"),
            close_to(f, "share_is_decile_margin_over_total", "share_of_total_margin", share, SHARE_TOLERANCE,
                     "share_of_total_margin = decile margin / total margin, null when total <= 0"),
            close_to(f, "cumulative_share_is_running_share", "cumulative_share_of_total_margin",
                     expected_cumulative, 2 * SHARE_TOLERANCE,
                     "cumulative_share_of_total_margin = running share in decile order"),
        ]
    return expectations


def value_tier_summary(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    f = frame
    population = build.population
    expectations = [
        row_count_between(1, 3, "one row per value_tier present: at most 3 (spec 5)"),
        unique("value_tier", "one row per value_tier"),
        in_set("value_tier", VALUE_TIERS, why="value tiers"),
        *not_null("value_tier", "customers", "share_of_customers", "revenue", "margin_after_cost_to_serve",
                  "customers_with_upgrade_potential", why="required column"),
        between("customers", 1, why="a tier row has customers"),
        between("share_of_customers", 0, 1, strict_low=True, why="a share"),
        at_least("customers", "customers_with_upgrade_potential", "customers_with_upgrade_potential <= customers"),
        in_set("customers_with_upgrade_potential", [0], where=C("value_tier") == "top",
               why="upgrade potential is for customers not in the top tier"),
    ]
    if population is not None:
        expectations += [
            column_sum("customers", population, "the tiers hold the whole population"),
            close_to(f, "share_is_customers_over_population", "share_of_customers", f["customers"] / population,
                     SHARE_TOLERANCE, "share_of_customers = customers / population"),
        ]
    customers = build.frame("customer_value")
    if customers is not None:
        per_tier = customers.groupby("value_tier").agg(
            customers=("customer_id", "size"), potential=("has_upgrade_potential", "sum"),
            revenue=("revenue", "sum"), margin=("margin_after_cost_to_serve", "sum"),
        )
        total_margin = float(customers["margin_after_cost_to_serve"].sum())
        expected = per_tier.reindex(f["value_tier"]).set_index(f.index)
        f["check__customers_in_customer_value"] = expected["customers"]
        f["check__potential_in_customer_value"] = expected["potential"]
        tolerance = f["customers"] * CENT + CENT
        expectations += [
            row_count(len(per_tier), "one row per value_tier present in customer_value"),
            equal("customers", "check__customers_in_customer_value", "customers = count in customer_value"),
            equal("customers_with_upgrade_potential", "check__potential_in_customer_value",
                  "customers_with_upgrade_potential = count of has_upgrade_potential in customer_value"),
            close_to(f, "revenue_matches_customer_value", "revenue", expected["revenue"], tolerance,
                     "revenue = sum over the tier's customers"),
            close_to(f, "margin_matches_customer_value", "margin_after_cost_to_serve", expected["margin"],
                     tolerance, "margin_after_cost_to_serve = sum over the tier's customers"),
            close_to(f, "share_is_tier_margin_over_total", "share_of_total_margin",
                     derive.share_or_null(expected["margin"], total_margin), SHARE_TOLERANCE,
                     "share_of_total_margin = tier margin / total margin, null when total <= 0"),
        ]
    return expectations


def whale_curve(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    f = frame
    expectations = [
        row_count(100, "one row per customer_percentile 1..100 (spec 5)"),
        unique("customer_percentile", "one row per percentile"),
        between("customer_percentile", 1, 100, why="percentiles 1..100"),
        *not_null("customer_percentile", "customers_included", why="required column"),
    ]
    if build.population is not None:
        f["check__ceil_p_n"] = derive.customers_included(f["customer_percentile"], build.population)
        expectations.append(equal("customers_included", "check__ceil_p_n", "customers_included = ceil(p / 100 x N)"))
    customers = build.frame("customer_value")
    if customers is not None:
        by_rank = customers.sort_values("value_rank")
        revenue = by_rank["revenue"].cumsum().reset_index(drop=True)
        margin = by_rank["margin_after_cost_to_serve"].cumsum().reset_index(drop=True)
        included = f["customers_included"].astype("Int64")
        position = (included - 1).clip(lower=0)

        def running(cumulative: pd.Series) -> pd.Series:
            values = cumulative.reindex(position.fillna(0).astype(int)).to_numpy()
            return pd.Series(values, index=f.index).where(included.notna() & (included >= 1))

        total_revenue, total_margin = float(revenue.iloc[-1]), float(margin.iloc[-1])
        expectations += [
            close_to(f, "revenue_share_of_best_customers", "cumulative_revenue_share",
                     derive.share_or_null(running(revenue), total_revenue),
                     included.astype(float) * CENT / total_revenue + SHARE_TOLERANCE if total_revenue > 0 else 0,
                     "cumulative_revenue_share = revenue of the best customers_included / total, null when total <= 0"),
            close_to(f, "margin_share_of_best_customers", "cumulative_margin_share",
                     derive.share_or_null(running(margin), total_margin),
                     included.astype(float) * CENT / total_margin + SHARE_TOLERANCE if total_margin > 0 else 0,
                     "cumulative_margin_share = margin of the best customers_included / total, null when total <= 0"),
        ]
    return expectations


FCT_ORDERS_COLUMNS = {
    "order_id": "text", "customer_id": "text", "ordered_at": "timestamp", "ordered_date": "date", "status": "text",
    "item_count": "integer", "gross_sales": "money4", "discount_amount": "money4", "shipping_fee": "money4",
    "revenue": "money4", "cogs": "money4", "gross_margin": "money4",
}


def fct_orders(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    f = frame
    f["check__date_of_ordered_at"] = pd.to_datetime(f["ordered_at"]).dt.normalize()
    completed_revenue = f["gross_sales"] - f["discount_amount"] + f["shipping_fee"]
    return [
        row_count_between(1, None, "orders exist"),
        unique("order_id", "order_id is the key"),
        *not_null(*FCT_ORDERS_COLUMNS, why="required column"),
        in_set("status", ORDER_STATUSES, why="order statuses"),
        *[between(c, 0, why="not negative") for c in
          ("item_count", "gross_sales", "discount_amount", "shipping_fee", "revenue", "cogs")],
        at_least("gross_sales", "discount_amount", "discounts never exceed the sales they discount"),
        in_set("revenue", [0], where=C("status") != "completed", why="revenue is 0 unless completed (spec 3)"),
        in_set("cogs", [0], where=C("status") != "completed", why="cogs is 0 unless completed (spec 3)"),
        close_to(f, "revenue_of_completed_order", "revenue", completed_revenue, 1e-6,
                 "completed: revenue = sum(quantity x unit_price - discount) + shipping_fee",
                 applies=f["status"] == "completed"),
        close_to(f, "gross_margin_is_revenue_minus_cogs", "gross_margin", f["revenue"] - f["cogs"], 1e-6,
                 "gross_margin = revenue - cogs"),
        equal("ordered_date", "check__date_of_ordered_at", "ordered_date = date(ordered_at)"),
    ]


FCT_COST_TO_SERVE_COLUMNS = {
    "cost_driver_id": "text", "customer_id": "text", "order_id": "text", "activity": "text",
    "driver_source": "text", "driver_date": "date", "units": "money4", "cost_per_unit": "money4", "cost": "money4",
}


def fct_cost_to_serve(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    f = frame
    from_orders = C("driver_source") == "order"
    expectations = [
        unique("cost_driver_id", "cost_driver_id is the key"),
        *not_null("cost_driver_id", "customer_id", "activity", "driver_source", "driver_date", "units",
                  "cost_per_unit", "cost", why="required column (a rate-card gap fails the dbt build)"),
        in_set("driver_source", ["order", "service_event"], why="driver sources"),
        in_set("activity", ORDER_ACTIVITIES, where=from_orders, why="order drivers: order_processing and delivery"),
        *not_null("order_id", where=from_orders, why="an order driver names its order"),
        in_set("units", [1], where=from_orders, why="1 unit per order driver (spec 3)"),
        between("units", 0, why="not negative"),
        between("cost", 0, why="not negative"),
        close_to(f, "cost_is_units_times_rate", "cost", f["units"] * f["cost_per_unit"], 1e-4,
                 "cost = units x cost_per_unit"),
    ]
    if build.rate_card_activities is not None:
        expectations.append(in_set("activity", build.rate_card_activities, why="activities of the rate card"))
    orders = build.frame("fct_orders")
    if orders is not None:
        f["check__is_order_processing_driver"] = (f["activity"] == "order_processing") & (f["driver_source"] == "order")
        f["check__is_delivery_driver"] = (f["activity"] == "delivery") & (f["driver_source"] == "order")
        f["check__order_exists"] = f["order_id"].isin(orders["order_id"]).where(f["order_id"].notna())
        delivered = int(orders["status"].isin(["completed", "returned"]).sum())
        expectations += [
            column_sum("check__is_order_processing_driver", len(orders), "one order_processing driver per order"),
            column_sum("check__is_delivery_driver", delivered, "one delivery driver per completed or returned order"),
            is_true("check__order_exists", "a driver's order is in fct_orders", show=["order_id"]),
        ]
    return expectations


def rejected_rows(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    return [
        *not_null("source_table", "reason", "detail", "raw_record", why="required column"),
        in_set("source_table", RAW_TABLES, why="raw tables of spec 1"),
        in_set("reason", REJECTION_REASONS, why="rejection reasons of spec 2"),
        in_set("reason", ["missing_key"], where=C("source_key").is_null(), why="no key => missing_key"),
        null("source_key", C("reason") == "missing_key", "missing_key => no key"),
        in_set("source_table", ["service_events"], where=C("reason") == "no_rate", why="no_rate is for service events"),
        gxe.ExpectColumnValuesToBeJsonParseable(column="raw_record", description="raw_record is the raw row as JSON"),
    ]


CUSTOMER_LIFETIME_VALUE_COLUMNS = {
    "customer_id": "text", "prediction_status": "text", "p_alive": "number",
    "expected_orders_{h}": "number", "expected_revenue_{h}": "money", "predicted_clv": "money",
    "predicted_clv_decile": "integer",
}


def horizon_suffix(frame: pd.DataFrame) -> str:
    """`12m` from the expected_orders_12m column (the horizon is a var)."""
    found = [c.removeprefix("expected_orders_") for c in frame.columns if c.startswith("expected_orders_")]
    return found[0] if found else "12m"


def customer_lifetime_value(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    f = frame
    h = horizon_suffix(f)
    predicted = C("prediction_status") == "predicted"
    f["check__predicted_clv_decile_follows_ntile"] = derive.follows_ntile(
        f, "predicted_clv_decile", "predicted_clv", 10, descending=True)
    expectations = [
        unique("customer_id", "customer_id is the key"),
        *not_null("customer_id", "prediction_status", why="required column"),
        in_set("prediction_status", PREDICTION_STATUSES, why="prediction statuses"),
        between("p_alive", 0, 1, why="a probability"),
        between(f"expected_orders_{h}", 0, why="not negative"),
        between(f"expected_revenue_{h}", 0, why="not negative"),
        between("predicted_clv_decile", 1, 10, why="deciles 1..10"),
        *not_null("p_alive", f"expected_orders_{h}", f"expected_revenue_{h}", "predicted_clv",
                  "predicted_clv_decile", where=predicted, why="a prediction for every predicted customer"),
        null("predicted_clv", C("prediction_status") != "predicted", "no predicted_clv without a prediction"),
        is_true("check__predicted_clv_decile_follows_ntile", "predicted_clv_decile = ntile(10) over predicted_clv desc",
                show=["predicted_clv_decile", "predicted_clv"]),
    ]
    if build.population is not None:
        expectations.insert(0, row_count(build.population, "one row per customer of the population (spec 6)"))
    return expectations


CLV_MODEL_PARAMS_COLUMNS = {
    "model_name": "text", "is_converged": "boolean", "log_likelihood": "number", "customers": "integer",
    **{name: "number" for names in CLV_MODELS.values() for name in names},
}


def clv_model_params(frame: pd.DataFrame, build: Build) -> list[gxe.Expectation]:
    expectations = [
        row_count(len(CLV_MODELS), "one row per model: bg_nbd and gamma_gamma (spec 6)"),
        unique("model_name", "model_name is the key"),
        in_set("model_name", list(CLV_MODELS), why="the two models"),
        *not_null("model_name", "is_converged", why="required column"),
        between("customers", 0, why="not negative"),
    ]
    if "status" in frame:
        fitted = C("status") == "fitted"
        expectations += [
            in_set("status", FIT_STATUSES, why="fit statuses"),
            in_set("is_converged", [True], where=fitted, why="fitted => converged"),
            *not_null("log_likelihood", where=fitted, why="a fitted model has its log-likelihood"),
        ]
        for model, parameters in CLV_MODELS.items():
            expectations += [between(p, 0, strict_low=True, where=fitted & (C("model_name") == model),
                                     why=f"{model} parameters are positive when fitted") for p in parameters]
        expectations.append(between("log_likelihood", None, 0, where=fitted & (C("model_name") == "bg_nbd"),
                                    why="a log-likelihood of counts is not positive"))
    return expectations


@dataclass(frozen=True)
class Mart:
    name: str
    columns: dict[str, str]  # spec column -> KINDS key ("{h}" = the CLV horizon suffix)
    key: list[str]  # columns that name a row in failure samples
    suite: Callable[[pd.DataFrame, Build], list[gxe.Expectation]]
    needs_python_models: bool = False


MARTS = [
    Mart("customer_value", CUSTOMER_VALUE_COLUMNS, ["customer_id"], customer_value),
    Mart("customer_value_deciles", {
        "value_decile": "integer", "customers": "integer", "revenue": "money", "gross_margin": "money",
        "cost_to_serve": "money", "margin_after_cost_to_serve": "money", "share_of_total_margin": "number",
        "cumulative_share_of_total_margin": "number", "unprofitable_customers": "integer",
    }, ["value_decile"], customer_value_deciles),
    Mart("value_tier_summary", {
        "value_tier": "text", "customers": "integer", "share_of_customers": "number", "revenue": "money",
        "margin_after_cost_to_serve": "money", "share_of_total_margin": "number",
        "customers_with_upgrade_potential": "integer",
    }, ["value_tier"], value_tier_summary),
    Mart("whale_curve", {
        "customer_percentile": "integer", "customers_included": "integer",
        "cumulative_revenue_share": "number", "cumulative_margin_share": "number",
    }, ["customer_percentile"], whale_curve),
    Mart("fct_orders", FCT_ORDERS_COLUMNS, ["order_id"], fct_orders),
    Mart("fct_cost_to_serve", FCT_COST_TO_SERVE_COLUMNS, ["cost_driver_id"], fct_cost_to_serve),
    Mart("rejected_rows", {c: "text" for c in ("source_table", "source_key", "reason", "detail", "raw_record")},
         ["source_table", "source_key"], rejected_rows),
    Mart("customer_lifetime_value", CUSTOMER_LIFETIME_VALUE_COLUMNS, ["customer_id"], customer_lifetime_value,
         needs_python_models=True),
    Mart("clv_model_params", CLV_MODEL_PARAMS_COLUMNS, ["model_name"], clv_model_params, needs_python_models=True),
]


def columns_suite(mart: Mart, schema: pd.DataFrame, frame: pd.DataFrame) -> list[gxe.Expectation]:
    """Over the mart's schema (column_name, data_type): the spec's columns exist with their type family."""
    h = horizon_suffix(frame)
    columns = {name.replace("{h}", h): kind for name, kind in mart.columns.items()}
    expectations: list[gxe.Expectation] = [
        gxe.ExpectColumnDistinctValuesToContainSet(
            column="column_name", value_set=sorted(columns), description="the spec's columns exist"),
    ]
    for kind in sorted(set(columns.values())):
        names = sorted(name for name, k in columns.items() if k == kind)
        expectations.append(gxe.ExpectColumnValuesToMatchRegex(
            column="data_type", regex=KINDS[kind], row_condition=C("column_name").is_in(names),
            description=f"{kind} columns: {', '.join(names)}",
        ))
    return expectations
