"""The customer value marts in pandas: what an analyst would otherwise write (benchmarks/README.md).

Same inputs as the dbt project (the raw exports, every column text, and the configuration seeds),
same rules (docs/rules.md sections 2 to 5, with the credit notes, guest sales, nulled optional
values and future dates of section 13), same outputs for those sections: customer_value (without
the predicted lifetime value columns and without the columns of sections 9 and 10),
customer_value_deciles, value_tier_summary, whale_curve, and the rejected rows counted by raw table
and reason. It does not compute the history (customer_value_history, tier_migration, section 9)
or the upside (value_upside, section 10), which dbt and the hand-written DuckDB script do: a
comparison of run times with it favours pandas by that much. Straightforward pandas: read each
file whole, clean with the .str accessor, merge and group by, sort to rank.

Two choices keep it honest at a million customers: text columns use pandas' Arrow-backed string
type (the default of pandas 3; object strings need more memory than this machine has for the
largest export), and money is float64 rounded to 4 decimals after every sum, which is exact for
these magnitudes, so ties in the rankings are the same as with the project's decimals.

Usage:
    python benchmarks/pandas_marts.py --raw DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rule_vars import rule_variables

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_DIR / "seeds" / "config"
# ISO: a date, optionally a blank or T, the time and a zone suffix (dropped: the time is kept as written)
TIMESTAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?"
TIME_OF_DAY = r"^([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)"
RESULT_TABLES = ["customer_value", "customer_value_deciles", "value_tier_summary", "whale_curve", "rejected_counts"]


# ---------------------------------------------------------------------------------------------
# Staging (docs/rules.md section 2)

def text(column: pd.Series) -> pd.Series:
    """Trimmed text, missing when empty."""
    trimmed = column.str.strip()
    return trimmed.mask(trimmed == "")


def iso_timestamp(values: pd.Series) -> pd.Series:
    matches = values.str.fullmatch(TIMESTAMP).fillna(False).astype(bool)
    given = values.where(matches)
    time_of_day = given.str.slice(11).str.extract(TIME_OF_DAY, expand=False).fillna("00:00")
    return pd.to_datetime(given.str.slice(0, 10) + " " + time_of_day, format="ISO8601", errors="coerce")


def after_build_day(timestamps: pd.Series) -> pd.Series:
    """Dated after the day the marts are computed (in UTC, as dbt's run start): quarantined."""
    return timestamps.dt.normalize() > pd.Timestamp(dt.datetime.now(dt.UTC).date())


def amount(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers)).round(4)


def copies(raw: pd.DataFrame, key: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per row: its copy number among the identical rows of its key, and its key's number of distinct rows."""
    copy = pd.Series(1, index=raw.index)
    versions = pd.Series(1, index=raw.index)
    repeated = key.notna() & key.duplicated(keep=False)
    if repeated.any():
        rows = raw[repeated].astype(object).fillna("\0null").assign(_key=key[repeated])
        copy[repeated] = rows.groupby(list(rows.columns), sort=False).cumcount() + 1
        distinct = rows.drop_duplicates().groupby("_key").size()
        versions[repeated] = rows["_key"].map(distinct)
    return copy, versions


def reasons(key: pd.Series, copy: pd.Series, versions: pd.Series, invalid: pd.Series,
            orphan: pd.Series | None = None, no_rate: pd.Series | None = None,
            no_customer: pd.Series | None = None) -> pd.Series:
    """The first rule a row breaks (missing value when it is staged)."""
    false = pd.Series(False, index=key.index)
    conditions = [key.isna(), versions > 1, copy > 1, false if no_customer is None else no_customer,
                  invalid.fillna(False).astype(bool),
                  false if orphan is None else orphan, false if no_rate is None else no_rate]
    names = ["missing_key", "conflicting_duplicate", "duplicate_key", "no_customer", "invalid_value", "orphan",
             "no_rate"]
    return pd.Series(np.select(conditions, names, default=None), index=key.index, dtype=object)


def read_seeds() -> dict[str, pd.DataFrame]:
    rates = pd.read_csv(SEEDS_DIR / "service_cost_rates.csv", dtype=str, keep_default_na=False)
    rates["cost_per_unit"] = rates["cost_per_unit"].astype(float)
    rates["valid_from"] = pd.to_datetime(rates["valid_from"].replace("", None))
    rates["valid_to"] = pd.to_datetime(rates["valid_to"].replace("", None))
    signal_values = pd.read_csv(SEEDS_DIR / "indirect_value_rates.csv", dtype={"signal_type": str})
    rfm = pd.read_csv(SEEDS_DIR / "rfm_segments.csv")
    return {"rates": rates, "signal_values": signal_values, "rfm_segments": rfm}


def rate_of(drivers: pd.DataFrame, rates: pd.DataFrame) -> pd.Series:
    """cost_per_unit of the rate valid on each driver's date (missing when none), aligned on drivers."""
    matched = drivers[["activity", "driver_date"]].reset_index().merge(rates, on="activity")
    valid = (matched["valid_from"].isna() | (matched["driver_date"] >= matched["valid_from"])) & (
        matched["valid_to"].isna() | (matched["driver_date"] < matched["valid_to"])
    )
    return matched[valid].set_index("index")["cost_per_unit"].reindex(drivers.index)


def stage(raw_dir: Path, seeds: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The staged rows of every raw table, and the rejected rows counted by table and reason."""
    raw = {table: pd.read_parquet(Path(raw_dir) / f"{table}.parquet") for table in
           ["customers", "orders", "order_items", "service_events", "customer_signals"]}
    staged, rejected = {}, []

    def keep(table: str, frame: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
        counts = reason.dropna().value_counts()
        rejected.extend((table, name, int(n)) for name, n in counts.items())
        staged[table] = frame[reason.isna()].reset_index(drop=True)
        return staged[table]

    # a signup date that does not parse is nulled, not rejected: a customer is judged by its key
    customers = raw["customers"]
    key = text(customers["customer_id"])
    copy, versions = copies(customers, key)
    invalid = pd.Series(False, index=key.index)
    keep("customers", pd.DataFrame({"customer_id": key}), reasons(key, copy, versions, invalid))
    valid_customers = set(staged["customers"]["customer_id"])

    orders = raw["orders"]
    key = text(orders["order_id"])
    copy, versions = copies(orders, key)
    frame = pd.DataFrame({
        "order_id": key,
        "customer_id": text(orders["customer_id"]),
        "ordered_at": iso_timestamp(text(orders["ordered_at"])),
        "status": text(orders["status"]).str.lower(),
    })
    # an empty fee is 0, and so is one that does not read as an amount (nulled)
    frame["shipping_fee"] = amount(text(orders["shipping_fee"])).fillna(0.0)
    invalid = (frame["ordered_at"].isna() | after_build_day(frame["ordered_at"]) | frame["status"].isna()
               | ~frame["status"].isin(["completed", "returned", "cancelled", "refunded"])
               | (frame["shipping_fee"] < 0))
    orphan = ~frame["customer_id"].isin(valid_customers)
    guest_sale = frame["customer_id"].isna()
    order_reasons = reasons(key, copy, versions, invalid, orphan, no_customer=guest_sale)
    keep("orders", frame, order_reasons)
    status_of_valid_order = staged["orders"].set_index("order_id")["status"]
    guest_orders = set(frame.loc[order_reasons == "no_customer", "order_id"])

    items = raw["order_items"]
    key = text(items["order_item_id"])
    copy, versions = copies(items, key)
    quantity = amount(text(items["quantity"]))
    frame = pd.DataFrame({
        "order_item_id": key,
        "order_id": text(items["order_id"]),
        "quantity": quantity.where(quantity == np.floor(quantity)),
        "unit_price": amount(text(items["unit_price"])),
        "unit_cost": amount(text(items["unit_cost"])),
    })
    frame["discount_amount"] = amount(text(items["discount_amount"])).fillna(0.0)
    order_status = frame["order_id"].map(status_of_valid_order)
    # only a valid credit note may have negative quantities (a line of a rejected order is its orphan)
    negative_outside_credit_note = (frame["quantity"] < 0) & order_status.notna() & (order_status != "refunded")
    invalid = (frame["order_id"].isna() | text(items["product_id"]).isna()
               | frame["quantity"].isna() | (frame["quantity"] == 0) | negative_outside_credit_note
               | frame["unit_price"].isna() | (frame["unit_price"] < 0)
               | frame["unit_cost"].isna() | (frame["unit_cost"] < 0)
               | (frame["discount_amount"] < 0)
               | (frame["discount_amount"] > (frame["quantity"].abs() * frame["unit_price"]).round(4)))
    orphan = frame["order_id"].map(status_of_valid_order).isna()
    guest_line = frame["order_id"].isin(guest_orders)
    frame["quantity"] = frame["quantity"].abs()  # a credit note's quantities: the credit is their size
    keep("order_items", frame, reasons(key, copy, versions, invalid, orphan, no_customer=guest_line))
    valid_orders = set(status_of_valid_order.index)

    events = raw["service_events"]
    key = text(events["event_id"])
    copy, versions = copies(events, key)
    frame = pd.DataFrame({
        "event_id": key,
        "customer_id": text(events["customer_id"]),
        "order_id": text(events["order_id"]),
        "activity": text(events["activity"]).str.lower(),
        "occurred_at": iso_timestamp(text(events["occurred_at"])),
        "units": amount(text(events["units"])),
    })
    rates = seeds["rates"]
    invalid = (frame["customer_id"].isna() | frame["activity"].isna()
               | ~frame["activity"].isin(set(rates["activity"]))
               | frame["occurred_at"].isna() | after_build_day(frame["occurred_at"])
               | frame["units"].isna() | (frame["units"] < 0))
    orphan = ~frame["customer_id"].isin(valid_customers) | (
        frame["order_id"].notna() & ~frame["order_id"].isin(valid_orders))
    drivers = pd.DataFrame({"activity": frame["activity"], "driver_date": frame["occurred_at"].dt.normalize()})
    no_rate = rate_of(drivers, rates).isna()
    keep("service_events", frame, reasons(key, copy, versions, invalid, orphan, no_rate))

    signals = raw["customer_signals"]
    key = text(signals["signal_id"])
    copy, versions = copies(signals, key)
    frame = pd.DataFrame({
        "signal_id": key,
        "customer_id": text(signals["customer_id"]),
        "signal_type": text(signals["signal_type"]).str.lower(),
        "occurred_at": iso_timestamp(text(signals["occurred_at"])),
    })
    invalid = (frame["customer_id"].isna() | frame["signal_type"].isna()
               | ~frame["signal_type"].isin(set(seeds["signal_values"]["signal_type"]))
               | frame["occurred_at"].isna() | after_build_day(frame["occurred_at"]))
    orphan = ~frame["customer_id"].isin(valid_customers)
    keep("customer_signals", frame, reasons(key, copy, versions, invalid, orphan))

    rejected_counts = pd.DataFrame(rejected, columns=["source_table", "reason", "rejected_rows"])
    return staged, rejected_counts


# ---------------------------------------------------------------------------------------------
# Marts (docs/rules.md sections 3 to 5)

def ntile(n_rows: int, buckets: int) -> np.ndarray:
    """SQL ntile(buckets) for rows 0..n_rows-1 in order: the first n_rows % buckets groups are one larger."""
    size, larger = divmod(n_rows, buckets)
    position = np.arange(n_rows)
    cut = larger * (size + 1)
    small = np.where(size > 0, (position - cut) // max(size, 1) + larger + 1, 0)
    return np.where(position < cut, position // (size + 1) + 1, small)


def ranked(frame: pd.DataFrame, by: list[str], ascending: list[bool], buckets: int) -> pd.Series:
    """ntile(buckets) over the given order, aligned on frame."""
    order = frame.sort_values(by, ascending=ascending, kind="mergesort").index
    return pd.Series(ntile(len(frame), buckets), index=order).reindex(frame.index)


def compute(raw_dir: Path, variables: dict | None = None) -> dict[str, pd.DataFrame]:
    with pd.option_context("future.infer_string", True):  # Arrow-backed text, see the module docstring
        return compute_marts(raw_dir, rule_variables(variables))


def compute_marts(raw_dir: Path, values: dict) -> dict[str, pd.DataFrame]:
    seeds = read_seeds()
    staged, rejected_counts = stage(raw_dir, seeds)
    orders, items = staged["orders"], staged["order_items"]

    lines = items.assign(
        line_revenue=items["quantity"] * items["unit_price"] - items["discount_amount"],
        line_cost=items["quantity"] * items["unit_cost"],
    ).groupby("order_id")[["line_revenue", "line_cost"]].sum().round(4)
    orders = orders.merge(lines, left_on="order_id", right_index=True, how="left")
    # completed orders earn; a credit note (refunded) takes its lines and fee back at its own date
    sign = orders["status"].map({"completed": 1.0, "refunded": -1.0}).fillna(0.0)
    orders["revenue"] = (sign * (orders["line_revenue"].fillna(0) + orders["shipping_fee"])).round(4)
    orders["cogs"] = (sign * orders["line_cost"].fillna(0)).round(4)
    orders["ordered_date"] = orders["ordered_at"].dt.normalize()

    as_of = pd.Timestamp(values["as_of_date"]) if values["as_of_date"] else orders["ordered_date"].max()
    window = pd.Timedelta(days=int(values["upgrade_window_days"]))
    orders = orders[orders["ordered_date"] <= as_of]

    # Cost to serve: order-derived drivers and service events, at the rate valid on their date.
    events = staged["service_events"]
    drivers = pd.concat([
        pd.DataFrame({"customer_id": orders["customer_id"], "activity": "order_processing",
                      "driver_date": orders["ordered_date"], "units": 1.0}),
        pd.DataFrame({"customer_id": orders.loc[orders["status"].isin(["completed", "returned"]), "customer_id"],
                      "activity": "delivery",
                      "driver_date": orders.loc[orders["status"].isin(["completed", "returned"]), "ordered_date"],
                      "units": 1.0}),
        pd.DataFrame({"customer_id": orders.loc[orders["status"] == "refunded", "customer_id"],
                      "activity": "return_handling",
                      "driver_date": orders.loc[orders["status"] == "refunded", "ordered_date"], "units": 1.0}),
        pd.DataFrame({"customer_id": events["customer_id"], "activity": events["activity"],
                      "driver_date": events["occurred_at"].dt.normalize(), "units": events["units"]}),
    ], ignore_index=True)
    drivers = drivers[drivers["driver_date"] <= as_of]
    drivers["cost"] = (drivers["units"] * rate_of(drivers, seeds["rates"])).round(4)
    activity_costs = drivers.groupby(["customer_id", "activity"], as_index=False)["cost"].sum()
    activity_costs["cost"] = activity_costs["cost"].round(4)
    cost_to_serve = activity_costs.groupby("customer_id")["cost"].sum().round(4).rename("cost_to_serve")
    top = (activity_costs.sort_values(["customer_id", "cost", "activity"], ascending=[True, False, True])
           .drop_duplicates("customer_id").set_index("customer_id"))

    signals = staged["customer_signals"]
    signals = signals[signals["occurred_at"].dt.normalize() <= as_of].merge(seeds["signal_values"], on="signal_type")
    indirect_value = signals.groupby("customer_id")["value_per_signal"].sum().round(4).rename("indirect_value")

    recent = orders["ordered_date"] > as_of - window
    earlier = (orders["ordered_date"] > as_of - 2 * window) & ~recent
    customers = orders.assign(
        completed=orders["status"] == "completed",
        returned=orders["status"] == "returned",
        cancelled=orders["status"] == "cancelled",
        refunded=orders["status"] == "refunded",
        refunded_revenue=-orders["revenue"].where(orders["status"] == "refunded", 0.0),
        recent_revenue=orders["revenue"].where(recent, 0.0),
        earlier_revenue=orders["revenue"].where(earlier, 0.0),
    ).groupby("customer_id").agg(
        orders_count=("completed", "sum"),
        returned_orders_count=("returned", "sum"),
        cancelled_orders_count=("cancelled", "sum"),
        refunds_count=("refunded", "sum"),
        refunded_revenue=("refunded_revenue", "sum"),
        first_ordered_at=("ordered_at", "min"),
        last_ordered_at=("ordered_at", "max"),
        revenue=("revenue", "sum"),
        cogs=("cogs", "sum"),
        recent_revenue=("recent_revenue", "sum"),
        earlier_revenue=("earlier_revenue", "sum"),
    )
    cv = customers.join(cost_to_serve).join(indirect_value).join(
        top.rename(columns={"activity": "top_cost_activity", "cost": "top_cost"}))
    cv = cv.reset_index()
    for column in ["revenue", "cogs", "refunded_revenue", "recent_revenue", "earlier_revenue"]:
        cv[column] = cv[column].round(4)
    cv["cost_to_serve"] = cv["cost_to_serve"].fillna(0.0)
    cv["indirect_value"] = cv["indirect_value"].fillna(0.0).round(2)
    cv["recency_days"] = (as_of - cv["last_ordered_at"].dt.normalize()).dt.days
    cv["tenure_days"] = (as_of - cv["first_ordered_at"].dt.normalize()).dt.days
    has_cost = cv["cost_to_serve"] > 0
    cv["top_cost_activity"] = cv["top_cost_activity"].where(has_cost)
    cv["top_cost_activity_share"] = (cv["top_cost"] / cv["cost_to_serve"]).where(has_cost)
    # money at cents once per customer before ranking (docs/rules.md section 3): ties rank as published
    cv["gross_margin"] = (cv["revenue"] - cv["cogs"]).round(2)
    cv["revenue"] = cv["revenue"].round(2)
    cv["refunded_revenue"] = cv["refunded_revenue"].round(2)
    cv["cost_to_serve"] = cv["cost_to_serve"].round(2)
    cv["cogs"] = (cv["revenue"] - cv["gross_margin"]).round(2)
    cv["margin_after_cost_to_serve"] = (cv["gross_margin"] - cv["cost_to_serve"]).round(2)
    gross_sales = cv["revenue"] + cv["refunded_revenue"]
    cv["refund_rate"] = (cv["refunded_revenue"] / gross_sales).where(gross_sales.round(2) != 0)
    cv["margin_after_cost_to_serve_rate"] = (cv["margin_after_cost_to_serve"] / cv["revenue"]).where(cv["revenue"] != 0)
    cv["average_order_value"] = (cv["revenue"] / cv["orders_count"]).where(cv["orders_count"] != 0)

    value_order = ["margin_after_cost_to_serve", "revenue", "customer_id"]
    cv = cv.sort_values(value_order, ascending=[False, False, True], kind="mergesort").reset_index(drop=True)
    n = len(cv)
    cv["value_rank"] = np.arange(1, n + 1)
    cv["value_decile"] = ntile(n, 10)
    total_margin = cv["margin_after_cost_to_serve"].sum()
    cv["cumulative_margin_share"] = (
        cv["margin_after_cost_to_serve"].cumsum() / total_margin if total_margin > 0 else np.nan)
    cv["spend_decile"] = ranked(cv, ["revenue", "customer_id"], [False, True], 10)
    cv["recency_score"] = ranked(cv, ["last_ordered_at", "customer_id"], [True, True], 5)
    cv["frequency_score"] = ranked(cv, ["orders_count", "customer_id"], [True, True], 5)
    cv["monetary_score"] = ranked(cv, ["revenue", "customer_id"], [True, True], 5)
    advocacy_decile = ranked(cv, ["indirect_value", "customer_id"], [False, True], 10)

    margin = cv["margin_after_cost_to_serve"]
    cv["is_unprofitable"] = margin < 0
    cv["value_tier"] = np.select(
        [(cv["value_decile"] <= int(values["top_tier_deciles"])) & (margin > 0), margin < 0],
        ["top", "unprofitable"], "growth")
    cv = cv.merge(seeds["rfm_segments"], on=["recency_score", "frequency_score"], how="left")
    band = cv["frequency_score"] + cv["monetary_score"]
    cv["frequency_spend_band"] = np.select([band >= 8, band >= 5], ["high", "medium"], "low")
    cv["service_level"] = cv["frequency_spend_band"].map(
        {"high": "personalized", "medium": "customized", "low": "generic"})
    reasons_found = pd.DataFrame({
        "advocate": (advocacy_decile.to_numpy() == 1) & (cv["indirect_value"] > 0),
        "fixable_cost_to_serve": cv["is_unprofitable"] & (cv["gross_margin"] > 0)
        & (cv["top_cost_activity_share"] >= 0.5),
        "growing_spend": (cv["earlier_revenue"] > 0)
        # money is exact in SQL (decimals); in floats, compare the rounded difference, not the sides
        & ((cv["recent_revenue"] - float(values["upgrade_growth_ratio"]) * cv["earlier_revenue"]).round(6) >= 0),
    })
    listed = np.where(reasons_found["advocate"], "advocate,", "")
    listed = np.char.add(listed, np.where(reasons_found["fixable_cost_to_serve"], "fixable_cost_to_serve,", ""))
    listed = np.char.add(listed, np.where(reasons_found["growing_spend"], "growing_spend,", ""))
    cv["upgrade_reasons"] = pd.Series(listed, index=cv.index).str.rstrip(",").where(cv["value_tier"] != "top", "")
    cv["has_upgrade_potential"] = cv["upgrade_reasons"] != ""
    cv["service_priority"] = np.select(
        [cv["value_tier"] == "top", (cv["value_tier"] == "growth") | cv["has_upgrade_potential"]], ["p1", "p2"], "p3")
    cv = cv.drop(columns=["recent_revenue", "earlier_revenue", "top_cost"])

    deciles = cv.groupby("value_decile").agg(
        customers=("customer_id", "size"), revenue=("revenue", "sum"), gross_margin=("gross_margin", "sum"),
        cost_to_serve=("cost_to_serve", "sum"), margin_after_cost_to_serve=("margin_after_cost_to_serve", "sum"),
        unprofitable_customers=("is_unprofitable", "sum"),
    ).round(4).reset_index()
    share = deciles["margin_after_cost_to_serve"] / total_margin if total_margin > 0 else np.nan
    deciles["share_of_total_margin"] = share
    deciles["cumulative_share_of_total_margin"] = (
        deciles["margin_after_cost_to_serve"].cumsum() / total_margin if total_margin > 0 else np.nan)

    tiers = cv.groupby("value_tier").agg(
        customers=("customer_id", "size"), revenue=("revenue", "sum"),
        margin_after_cost_to_serve=("margin_after_cost_to_serve", "sum"),
        customers_with_upgrade_potential=("has_upgrade_potential", "sum"),
    ).round(4).reset_index()
    tiers["share_of_customers"] = tiers["customers"] / n
    tiers["share_of_total_margin"] = tiers["margin_after_cost_to_serve"] / total_margin if total_margin > 0 else np.nan

    percentiles = np.arange(1, 101)
    included = (percentiles * n + 99) // 100
    cumulative_revenue = cv["revenue"].cumsum().to_numpy()
    cumulative_margin = cv["margin_after_cost_to_serve"].cumsum().to_numpy()
    total_revenue = cv["revenue"].sum()
    at = np.clip(included - 1, 0, max(n - 1, 0))
    whale = pd.DataFrame({
        "customer_percentile": percentiles,
        "customers_included": included,
        "cumulative_revenue_share": cumulative_revenue[at] / total_revenue if total_revenue > 0 and n else np.nan,
        "cumulative_margin_share": cumulative_margin[at] / total_margin if total_margin > 0 and n else np.nan,
    })
    return {"customer_value": cv, "customer_value_deciles": deciles, "value_tier_summary": tiers,
            "whale_curve": whale, "rejected_counts": rejected_counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="folder of raw exports (<table>.parquet)")
    args = parser.parse_args()
    started = time.perf_counter()
    results = compute(args.raw)
    elapsed = time.perf_counter() - started
    for table, frame in results.items():
        print(f"{table}: {len(frame):,} rows")
    print(f"{elapsed:.2f} s")


if __name__ == "__main__":
    main()
