"""Reference dashboard over the published marts (docs/rules.md, section 12): `make dashboard`.

Reads only the serving file (build/serving/customer_value.duckdb, or
$CUSTOMER_VALUE_SERVING_DIR/customer_value.duckdb), never the build database, through a
short-lived read-only connection per query: a build publishing a new file never waits on it,
and the next query reads the new publication. Results are cached per publication id.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import plotly.express as px
import streamlit as st

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Where the build publishes: $CUSTOMER_VALUE_SERVING_DIR, else `serving` beside the build database.
BUILD_DATABASE = PROJECT_DIR / os.environ.get("CUSTOMER_VALUE_DUCKDB_PATH", "build/customer_value.duckdb")
SERVING_DIR = Path(os.environ.get("CUSTOMER_VALUE_SERVING_DIR") or BUILD_DATABASE.parent / "serving")
SERVING_FILE = SERVING_DIR / "customer_value.duckdb"
TIERS = ["top", "growth", "unprofitable"]
TIER_ORDER = "case value_tier when 'top' then 1 when 'growth' then 2 else 3 end"
UPGRADE_REASONS = ["advocate", "fixable_cost_to_serve", "growing_spend", "predicted_top"]
# The priority list's columns, in order; those a publication lacks (older marts) are left out.
PRIORITY_COLUMNS = [
    "customer_id", "service_priority", "value_tier", "value_decile", "service_level", "upgrade_reasons",
    "margin_after_cost_to_serve", "revenue", "cost_to_serve", "top_cost_activity", "top_cost_activity_share",
    "upside_to_next_decile", "loss_avoidable", "annual_value_tier", "previous_annual_value_tier", "is_top_lost",
    "p_alive", "predicted_clv", "is_top_at_risk", "rfm_segment",
]
# Human labels of the marts' columns: no raw column name is shown as a heading.
LABELS = {
    "customer_id": "Customer", "service_priority": "Service priority", "value_tier": "Value tier",
    "value_decile": "Value decile", "service_level": "Service level", "upgrade_reasons": "Upgrade reasons",
    "margin_after_cost_to_serve": "Margin after cost to serve", "revenue": "Revenue", "cost_to_serve": "Cost to serve",
    "top_cost_activity": "Top cost activity", "top_cost_activity_share": "Top cost activity share",
    "upside_to_next_decile": "Upside to the next decile", "loss_avoidable": "Avoidable loss",
    "annual_value_tier": "Tier (last 12 months)", "previous_annual_value_tier": "Tier (12 months before)",
    "is_top_lost": "Top customer lost", "p_alive": "Probability still active", "predicted_clv": "Predicted CLV",
    "is_top_at_risk": "Top customer at risk", "rfm_segment": "RFM segment", "customers": "Customers",
    "share_of_customers": "Share of customers", "share_of_total_margin": "Share of total margin",
    "customers_with_upgrade_potential": "Customers with upgrade potential",
    "upside_share_of_tier_margin": "Upside, share of the tier's margin",
    "upside_share_of_total_margin": "Upside, share of total margin",
    "period_end": "Period end", "previous_tier": "Tier before", "customer_percentile": "Best customers (%)",
    "cumulative_margin_share": "Margin after cost to serve", "cumulative_revenue_share": "Revenue",
    # the at-risk panel
    "churn_probability": "Churn probability", "p_order_within_90d": "Order within 90 days",
    "expected_next_order_date": "Expected next order", "predicted_clv_low": "Predicted CLV, low (5%)",
    "predicted_clv_high": "Predicted CLV, high (95%)",
    # the quarantine panel
    "source_table": "Raw table", "reason": "Reason", "rows": "Rows", "share_of_table": "Share of the table",
    "counts_toward_limit": "Counts toward the limit",
}
AT_RISK_ROWS = 20


def read(sql: str, parameters: dict | None = None) -> pd.DataFrame:
    with duckdb.connect(str(SERVING_FILE), read_only=True) as connection:
        return connection.execute(sql, parameters or {}).df()


def current_publication() -> tuple[str, str, set[str]]:
    """The publication id, its time and the tables it holds, read together."""
    with duckdb.connect(str(SERVING_FILE), read_only=True) as connection:
        publication_id, published_at = connection.execute(
            "select any_value(publication_id), max(published_at) from publication"
        ).fetchone()
        tables = {name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()}
    return publication_id, str(published_at)[:19], tables


@st.cache_data(max_entries=64)
def cached(publication_id: str, sql: str, parameters: tuple = ()) -> pd.DataFrame:
    """parameters: (name, value) pairs. publication_id is part of the cache key: a new
    publication is read afresh."""
    return read(sql, {name: list(value) for name, value in parameters})


def money(value) -> str:
    return "n/a" if pd.isna(value) else f"{float(value):,.2f}"


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with human column labels (LABELS)."""
    return frame.rename(columns=LABELS)


def day(value) -> str:
    """A date without a time of day."""
    return "n/a" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def labelled_formats(formats: dict[str, str]) -> dict[str, str]:
    """Column formats keyed by the human labels."""
    return {LABELS[name]: text for name, text in formats.items()}


def section(title: str, table: str, tables: set[str]) -> bool:
    """A panel's heading; False, with a note, when its mart is not in this publication."""
    st.subheader(title)
    if table not in tables:
        st.info(f"`{table}` is not published yet: this build of the project does not produce it.")
        return False
    return True


def whale_curve(publication_id: str) -> None:
    st.subheader("Whale curve")
    curve = cached(publication_id, "select * from whale_curve order by customer_percentile")
    long = curve.melt(
        id_vars="customer_percentile", value_vars=["cumulative_margin_share", "cumulative_revenue_share"],
        var_name="measure", value_name="share",
    )
    long["measure"] = long["measure"].map(LABELS)
    figure = px.line(long, x="customer_percentile", y="share", color="measure",
                     labels={"customer_percentile": LABELS["customer_percentile"], "share": "Share of the total",
                             "measure": ""})
    figure.add_hline(y=1.0, line_dash="dot")
    st.plotly_chart(figure, width="stretch")
    peak = curve["cumulative_margin_share"].max()
    st.caption(f"Peak of the margin curve: {peak:.1%} of the total margin; above 100% is profit the "
               "unprofitable tail gives away.")


def margin_by_decile(publication_id: str) -> None:
    st.subheader("Margin after cost to serve by value decile")
    deciles = cached(publication_id, "select * from customer_value_deciles order by value_decile")
    figure = px.bar(deciles, x="value_decile", y="margin_after_cost_to_serve",
                    labels={"value_decile": "Value decile (1 = best)",
                            "margin_after_cost_to_serve": LABELS["margin_after_cost_to_serve"]})
    st.plotly_chart(figure, width="stretch")


def tier_summary(publication_id: str) -> None:
    st.subheader("Value tiers")
    tiers = cached(publication_id, f"""
        select value_tier, customers, share_of_customers, revenue, margin_after_cost_to_serve,
            share_of_total_margin, customers_with_upgrade_potential
        from value_tier_summary
        order by {TIER_ORDER}
    """)
    st.table(labelled(tiers).style.format(labelled_formats({
        "share_of_customers": "{:.1%}", "share_of_total_margin": "{:.1%}",
        "revenue": "{:,.2f}", "margin_after_cost_to_serve": "{:,.2f}",
    }), na_rep="n/a").hide(axis="index"))


def tier_migration(publication_id: str, tables: set[str]) -> None:
    if not section("Tier migration between the last two periods", "tier_migration", tables):
        return
    migration = cached(publication_id, """
        select * from tier_migration
        where period_end = (select max(period_end) from tier_migration)
    """)
    if migration.empty:
        st.info("Only one period so far: no migration to show.")
        return
    st.caption(f"From the period end before to {day(migration['period_end'].iloc[0])}: customers by previous "
               "state (rows) and state now (columns).")
    matrix = migration.pivot_table(index="previous_tier", columns="value_tier", values="customers",
                                   aggfunc="sum", fill_value=0)
    st.table(labelled(matrix.reset_index().rename_axis(columns=None)).style.hide(axis="index"))
    dated = migration.assign(**{name: migration[name].map(day) for name in migration.columns
                                if pd.api.types.is_datetime64_any_dtype(migration[name])})
    st.dataframe(dated.rename(columns=lambda name: LABELS.get(name, name.replace("_", " ").capitalize())),
                 hide_index=True, width="stretch")


def upside(publication_id: str, tables: set[str]) -> None:
    if not section("Upside", "value_upside", tables):
        return
    table = cached(publication_id, f"""
        select value_tier, customers, margin_after_cost_to_serve, customers_with_upgrade_potential,
            upside_to_next_decile, loss_avoidable, upside_share_of_tier_margin, upside_share_of_total_margin
        from value_upside
        order by {TIER_ORDER}
    """)
    st.table(labelled(table).style.format(labelled_formats({
        "margin_after_cost_to_serve": "{:,.2f}", "upside_to_next_decile": "{:,.2f}", "loss_avoidable": "{:,.2f}",
        "upside_share_of_tier_margin": "{:.1%}", "upside_share_of_total_margin": "{:.1%}",
    }), na_rep="n/a").hide(axis="index"))


# --- Top customers at risk (issue #22) ----------------------------------------------------------


def top_customers_at_risk(publication_id: str) -> None:
    """The top tier by churn probability: how likely an order is in the next 90 days, when the
    next one is due, and the predicted CLV with its interval."""
    st.subheader("Top customers at risk")
    available = set(cached(publication_id, "select column_name from (describe customer_value)")["column_name"])
    if "churn_probability" not in available:
        st.info("This publication has no churn predictions yet: build the project again.")
        return
    # expected_revenue_<horizon>m: the horizon is var clv_horizon_months of the build
    revenue_column = min(name for name in available if name.startswith("expected_revenue_"))
    months = revenue_column.removeprefix("expected_revenue_").removesuffix("m")
    at_risk, expected_revenue = cached(publication_id, f"""
        select count(*) filter (where is_top_at_risk), sum({revenue_column}) filter (where is_top_at_risk)
        from customer_value
    """).iloc[0]
    count, revenue = st.columns(2)
    count.metric("Top customers at risk", f"{int(at_risk):,}")
    revenue.metric(f"Their expected revenue, next {months} months", money(expected_revenue))
    customers = cached(publication_id, f"""
        select customer_id, churn_probability, p_order_within_90d, expected_next_order_date,
            predicted_clv, predicted_clv_low, predicted_clv_high
        from customer_value
        where value_tier = 'top' and churn_probability is not null
        order by churn_probability desc, customer_id
        limit {AT_RISK_ROWS}
    """)
    st.caption(f"The {AT_RISK_ROWS} top-tier customers most likely to have churned (1 - probability still "
               "active). Expected next order: the first day by which an order is as likely as not; "
               "\"not expected\" when it never is. The interval is the 5th to 95th percentile of the "
               "predicted CLV over 1,000 draws of the model parameters.")
    shown = customers.assign(expected_next_order_date=[
        "not expected" if pd.isna(value) else day(value) for value in customers["expected_next_order_date"]
    ])
    st.table(labelled(shown).style.format(labelled_formats({
        "churn_probability": "{:.1%}", "p_order_within_90d": "{:.1%}", "predicted_clv": "{:,.2f}",
        "predicted_clv_low": "{:,.2f}", "predicted_clv_high": "{:,.2f}",
    }), na_rep="n/a").hide(axis="index"))


# --- Service priority list ----------------------------------------------------------------------


def priority_list(publication_id: str) -> None:
    st.subheader("Service priority list")
    available = set(cached(publication_id, "select column_name from (describe customer_value)")["column_name"])
    columns = [column for column in PRIORITY_COLUMNS if column in available]
    left, right = st.columns(2)
    tiers = left.multiselect("Value tier", TIERS, placeholder="All tiers")
    reasons = right.multiselect("Upgrade reason", UPGRADE_REASONS, placeholder="Any reason or none")
    customers = cached(
        publication_id,
        f"""
        select {', '.join(columns)}
        from customer_value
        where (len($tiers) = 0 or list_contains($tiers, value_tier))
            and (len($reasons) = 0 or list_has_any($reasons, string_split(upgrade_reasons, ',')))
        order by service_priority, value_rank
        """,
        (("tiers", tuple(tiers)), ("reasons", tuple(reasons))),
    )
    count, margin, cost = st.columns(3)
    count.metric("Customers in the list", f"{len(customers):,}")
    margin.metric("Margin after cost to serve", money(customers["margin_after_cost_to_serve"].sum()))
    cost.metric("Cost to serve", money(customers["cost_to_serve"].sum()))
    st.dataframe(labelled(customers), hide_index=True, width="stretch")
    # on_click="ignore": the default reruns the page on click, which can replace the file while
    # the browser is still fetching it (a cancelled download)
    st.download_button("Download the list as CSV", customers.to_csv(index=False).encode("utf-8"),
                       file_name="service_priority_list.csv", mime="text/csv", on_click="ignore")


def quarantine(publication_id: str, tables: set[str]) -> None:
    """What staging set apart, per raw table and reason (quarantine_summary)."""
    if not section("Data quality: the quarantine", "quarantine_summary", tables):
        return
    table = cached(publication_id, """
        select source_table, reason, rows, share_of_table, counts_toward_limit
        from quarantine_summary
        order by source_table, rows desc, reason
    """)
    st.caption("Rows set apart by staging (rejected_rows) and staged rows with a value nulled (nulled_values).")
    st.table(labelled(table).style.format(labelled_formats({"share_of_table": "{:.2%}"})).hide(axis="index"))


def main() -> None:
    st.set_page_config(page_title="Customer value", layout="wide")
    st.title("Customer value after the cost to serve")
    if not SERVING_FILE.exists():
        st.error(f"No publication at {SERVING_FILE}: run `make build` (a successful build publishes the marts).")
        st.stop()
    publication_id, published_at, tables = current_publication()
    st.caption(f"Publication {publication_id}, published {published_at} UTC, from {SERVING_FILE}.")
    whale_curve(publication_id)
    margin_by_decile(publication_id)
    tier_summary(publication_id)
    tier_migration(publication_id, tables)
    upside(publication_id, tables)
    top_customers_at_risk(publication_id)
    priority_list(publication_id)
    quarantine(publication_id, tables)


main()
