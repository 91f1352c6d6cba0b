"""scripts/validate_marts.py and the validation/ suites, over a small DuckDB build made here.

The fixture writes every public mart with a compact reference implementation of the spec in
DuckDB SQL (23 customers, so the ntile buckets are uneven), then each test breaks one rule and
checks that the summary names the mart, the rule, the row count and a sample.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR))
from validation import derive, runner  # noqa: E402

VARIABLES = {"top_tier_deciles": 1, "at_risk_p_alive": 0.5, "predict_clv": True}
AS_OF = "2024-12-31"

MARTS_SQL = """
create table main.customer_value as
with as_of as (select as_of_date from intermediate.int_as_of_date),
orders as (select o.* from main.fct_orders as o cross join as_of where o.ordered_date <= as_of.as_of_date),
costs as (select c.* from main.fct_cost_to_serve as c cross join as_of where c.driver_date <= as_of.as_of_date),
per_customer as (
    select
        customer_id,
        count(*) filter (where status = 'completed') as orders_count,
        count(*) filter (where status = 'returned') as returned_orders_count,
        count(*) filter (where status = 'cancelled') as cancelled_orders_count,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        sum(revenue) as revenue,
        sum(cogs) as cogs,
        sum(gross_margin) as gross_margin
    from orders group by customer_id
),
activity_costs as (select customer_id, activity, sum(cost) as cost from costs group by customer_id, activity),
top_activity as (
    select customer_id, activity, cost,
        row_number() over (partition by customer_id order by cost desc, activity) as position
    from activity_costs
),
cost_to_serve as (select customer_id, sum(cost) as cost_to_serve from activity_costs group by customer_id),
valued as (
    select
        p.*,
        coalesce(c.cost_to_serve, 0) as cost_to_serve,
        p.gross_margin - coalesce(c.cost_to_serve, 0) as margin,
        case when c.cost_to_serve > 0 then t.activity end as top_activity,
        case when c.cost_to_serve > 0 then t.cost / c.cost_to_serve end as top_share,
        case when hash(p.customer_id) % 4 = 0 then 25.0 else 0 end as indirect_value,
        a.as_of_date
    from per_customer as p
    cross join as_of as a
    left join cost_to_serve as c on p.customer_id = c.customer_id
    left join top_activity as t on p.customer_id = t.customer_id and t.position = 1
),
ranked as (
    select
        *,
        row_number() over (order by margin desc, revenue desc, customer_id) as value_rank,
        ntile(10) over (order by margin desc, revenue desc, customer_id) as value_decile,
        ntile(10) over (order by revenue desc, customer_id) as spend_decile,
        ntile(10) over (order by indirect_value desc, customer_id) as advocacy_decile,
        ntile(5) over (order by last_ordered_at, customer_id) as recency_score,
        ntile(5) over (order by orders_count, customer_id) as frequency_score,
        ntile(5) over (order by revenue, customer_id) as monetary_score,
        sum(margin) over () as total_margin,
        sum(margin) over (order by margin desc, revenue desc, customer_id rows unbounded preceding) as running
    from valued
),
tiered as (
    select
        *,
        case when value_decile <= 1 and margin > 0 then 'top' when margin < 0 then 'unprofitable' else 'growth' end
            as value_tier,
        case when frequency_score + monetary_score >= 8 then 'high'
            when frequency_score + monetary_score >= 5 then 'medium' else 'low' end as band
    from ranked
),
reasoned as (
    select
        *,
        case when value_tier = 'top' then '' else concat_ws(',',
            case when indirect_value > 0 and advocacy_decile = 1 then 'advocate' end,
            case when margin < 0 and gross_margin > 0 and top_share >= 0.5 then 'fixable_cost_to_serve' end
        ) end as reasons
    from tiered
)
select
    customer_id,
    cast(orders_count as integer) as orders_count,
    cast(returned_orders_count as integer) as returned_orders_count,
    cast(cancelled_orders_count as integer) as cancelled_orders_count,
    first_ordered_at,
    last_ordered_at,
    cast(as_of_date - cast(last_ordered_at as date) as integer) as recency_days,
    cast(as_of_date - cast(first_ordered_at as date) as integer) as tenure_days,
    cast(round(revenue, 2) as decimal(18, 2)) as revenue,
    cast(round(cogs, 2) as decimal(18, 2)) as cogs,
    cast(round(gross_margin, 2) as decimal(18, 2)) as gross_margin,
    cast(round(cost_to_serve, 2) as decimal(18, 2)) as cost_to_serve,
    cast(round(margin, 2) as decimal(18, 2)) as margin_after_cost_to_serve,
    cast(case when revenue <> 0 then margin / revenue end as double) as margin_after_cost_to_serve_rate,
    cast(round(case when orders_count > 0 then revenue / orders_count end, 2) as decimal(18, 2)) as average_order_value,
    top_activity as top_cost_activity,
    cast(top_share as double) as top_cost_activity_share,
    cast(indirect_value as decimal(18, 2)) as indirect_value,
    cast(value_rank as integer) as value_rank,
    cast(value_decile as integer) as value_decile,
    cast(spend_decile as integer) as spend_decile,
    cast(case when total_margin > 0 then running / total_margin end as double) as cumulative_margin_share,
    margin < 0 as is_unprofitable,
    value_tier,
    cast(reasoned.recency_score as integer) as recency_score,
    cast(reasoned.frequency_score as integer) as frequency_score,
    cast(monetary_score as integer) as monetary_score,
    s.rfm_segment,
    band as frequency_spend_band,
    case band when 'high' then 'personalized' when 'medium' then 'customized' else 'generic' end as service_level,
    reasons as upgrade_reasons,
    reasons <> '' as has_upgrade_potential,
    case when value_tier = 'top' then 'p1' when value_tier = 'growth' or reasons <> '' then 'p2' else 'p3' end
        as service_priority
from reasoned
left join seeds.rfm_segments as s
    on reasoned.recency_score = s.recency_score and reasoned.frequency_score = s.frequency_score;

create table main.customer_value_deciles as
with totals as (select sum(margin_after_cost_to_serve) as total from main.customer_value),
deciles as (
    select value_decile, count(*) as customers, sum(revenue) as revenue, sum(gross_margin) as gross_margin,
        sum(cost_to_serve) as cost_to_serve, sum(margin_after_cost_to_serve) as margin,
        count(*) filter (where is_unprofitable) as unprofitable_customers
    from main.customer_value group by value_decile
)
select
    cast(value_decile as integer) as value_decile, cast(customers as integer) as customers,
    revenue, gross_margin, cost_to_serve, margin as margin_after_cost_to_serve,
    cast(case when total > 0 then margin / total end as double) as share_of_total_margin,
    cast(case when total > 0 then sum(margin) over (order by value_decile) / total end as double)
        as cumulative_share_of_total_margin,
    cast(unprofitable_customers as integer) as unprofitable_customers
from deciles cross join totals;

create table main.value_tier_summary as
with totals as (select sum(margin_after_cost_to_serve) as total, count(*) as n from main.customer_value)
select
    value_tier, cast(count(*) as integer) as customers, cast(count(*) / any_value(n) as double) as share_of_customers,
    sum(revenue) as revenue, sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
    cast(case when any_value(total) > 0 then sum(margin_after_cost_to_serve) / any_value(total) end as double)
        as share_of_total_margin,
    cast(count(*) filter (where has_upgrade_potential) as integer) as customers_with_upgrade_potential
from main.customer_value cross join totals group by value_tier;

create table main.whale_curve as
with n as (select count(*) as n, sum(revenue) as revenue, sum(margin_after_cost_to_serve) as margin
           from main.customer_value),
percentiles as (select cast(range as integer) as p from range(1, 101)),
included as (select p, cast(ceil(p * n.n / 100.0) as integer) as k, n.revenue, n.margin from percentiles cross join n)
select
    p as customer_percentile, k as customers_included,
    cast(case when any_value(included.revenue) > 0 then sum(c.revenue) / any_value(included.revenue) end as double)
        as cumulative_revenue_share,
    cast(case when any_value(included.margin) > 0
        then sum(c.margin_after_cost_to_serve) / any_value(included.margin) end as double)
        as cumulative_margin_share
from included join main.customer_value as c on c.value_rank <= included.k
group by p, k order by p;

create table main.customer_lifetime_value as
with predicted as (
    select
        customer_id,
        case when orders_count > 0 then 'predicted' else 'no_completed_purchase' end as prediction_status,
        case when orders_count > 0 then (hash(customer_id) % 100) / 100.0 end as p_alive,
        case when orders_count > 0 then orders_count * 0.4 end as expected_orders_12m,
        case when orders_count > 0 then revenue * 0.4 end as expected_revenue_12m,
        case when orders_count > 0 then margin_after_cost_to_serve * 0.3 end as predicted_clv
    from main.customer_value
)
select
    customer_id, prediction_status, cast(p_alive as double) as p_alive,
    cast(expected_orders_12m as double) as expected_orders_12m,
    cast(round(expected_revenue_12m, 2) as decimal(18, 2)) as expected_revenue_12m,
    cast(round(predicted_clv, 2) as decimal(18, 2)) as predicted_clv,
    cast(case when predicted_clv is not null then ntile(10) over (
        partition by predicted_clv is null order by round(predicted_clv, 2) desc, customer_id) end as integer)
        as predicted_clv_decile
from predicted;

alter table main.customer_value add column p_alive double;
alter table main.customer_value add column predicted_clv decimal(18, 2);
alter table main.customer_value add column predicted_clv_decile integer;
alter table main.customer_value add column is_top_at_risk boolean;
update main.customer_value as cv
set p_alive = l.p_alive, predicted_clv = l.predicted_clv, predicted_clv_decile = l.predicted_clv_decile
from main.customer_lifetime_value as l where cv.customer_id = l.customer_id;
update main.customer_value set is_top_at_risk = (value_tier = 'top' and p_alive < 0.5);

create table main.clv_model_params as
select * from (values
    ('bg_nbd', 'fitted', true, 0.24, 4.4, 0.79, 2.43, null, null, null, -9582.4, 23),
    ('gamma_gamma', 'fitted', true, null, null, null, null, 6.25, 3.74, 15.44, -4000.0, 12)
) as t(model_name, status, is_converged, r, alpha, a, b, p, q, gamma, log_likelihood, customers);
"""


def write_build(database: Path) -> None:
    """A small, consistent build: facts, config seeds, as-of date and every public mart."""
    rng = random.Random(7)
    orders, drivers = [], []
    for c in range(1, 24):
        customer = f"C{c:03d}"
        for n in range(rng.randint(1, 5)):
            order_id = f"O{c:03d}{n}"
            status = rng.choice(["completed"] * 6 + ["returned", "cancelled"])
            ordered_at = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=rng.randint(0, 24 * 360))
            gross, discount, shipping = rng.randint(20, 400), rng.randint(0, 15), rng.choice([0, 5])
            revenue = gross - discount + shipping if status == "completed" else 0
            cogs = round(gross * 0.55, 4) if status == "completed" else 0
            orders.append((order_id, customer, ordered_at, status, rng.randint(1, 4), gross, discount, shipping,
                           revenue, cogs))
            drivers.append((f"order_processing|{order_id}", customer, order_id, "order_processing", "order",
                            ordered_at.date(), 1, 2.0))
            if status != "cancelled":
                drivers.append((f"delivery|{order_id}", customer, order_id, "delivery", "order",
                                ordered_at.date(), 1, 5.0))
        for e in range(rng.choice([0, 0, 1, 6])):  # a few heavy support users become unprofitable
            drivers.append((f"service_event|E{c:03d}{e}", customer, None, "support_call", "service_event",
                            pd.Timestamp("2024-06-01").date(), rng.randint(1, 8), 8.0))
    # after the as-of date: counted nowhere, and C024 is not in the population
    orders.append(("O0240", "C024", pd.Timestamp("2025-01-05 10:00"), "completed", 1, 50, 0, 0, 50, 20))
    drivers.append(("order_processing|O0240", "C024", "O0240", "order_processing", "order",
                    pd.Timestamp("2025-01-05").date(), 1, 2.0))
    drivers.append(("delivery|O0240", "C024", "O0240", "delivery", "order", pd.Timestamp("2025-01-05").date(), 1, 5.0))

    with duckdb.connect(str(database)) as con:
        for schema in ("intermediate", "seeds"):
            con.execute(f"create schema {schema}")
        con.execute(f"create table intermediate.int_as_of_date as select date '{AS_OF}' as as_of_date")
        con.execute("""create table seeds.service_cost_rates as select * from (values
            ('order_processing', 'order', 2.0), ('delivery', 'order', 5.0), ('support_call', 'call', 8.0))
            as t(activity, unit, cost_per_unit)""")
        con.execute("""create table seeds.rfm_segments as
            select cast(r.range as integer) as recency_score, cast(f.range as integer) as frequency_score,
                   case when r.range >= 4 and f.range >= 4 then 'champions' when r.range <= 2 then 'at_risk'
                        else 'regulars' end as rfm_segment
            from range(1, 6) as r cross join range(1, 6) as f""")
        frame = pd.DataFrame(orders, columns=["order_id", "customer_id", "ordered_at", "status", "item_count",
                                              "gross_sales", "discount_amount", "shipping_fee", "revenue", "cogs"])
        con.register("orders_frame", frame)
        con.execute("""create table main.fct_orders as select
            order_id, customer_id, cast(ordered_at as timestamp) as ordered_at,
            cast(ordered_at as date) as ordered_date,
            status, cast(item_count as integer) as item_count,
            cast(gross_sales as decimal(18, 4)) as gross_sales,
            cast(discount_amount as decimal(18, 4)) as discount_amount,
            cast(shipping_fee as decimal(18, 4)) as shipping_fee, cast(revenue as decimal(18, 4)) as revenue,
            cast(cogs as decimal(18, 4)) as cogs, cast(revenue - cogs as decimal(18, 4)) as gross_margin
            from orders_frame""")
        frame = pd.DataFrame(drivers, columns=["cost_driver_id", "customer_id", "order_id", "activity", "driver_source",
                                               "driver_date", "units", "cost_per_unit"])
        con.register("drivers_frame", frame)
        con.execute("""create table main.fct_cost_to_serve as select
            cost_driver_id, customer_id, cast(order_id as varchar) as order_id, activity, driver_source,
            cast(driver_date as date) as driver_date, cast(units as decimal(18, 4)) as units,
            cast(cost_per_unit as decimal(18, 4)) as cost_per_unit,
            cast(units * cost_per_unit as decimal(18, 4)) as cost
            from drivers_frame""")
        con.execute("""create table main.rejected_rows as select * from (values
            ('orders', null, 'missing_key', 'order_id: empty', '{"order_id": ""}'),
            ('orders', 'O9', 'invalid_value', 'status: not one of completed, returned, cancelled',
             '{"order_id": "O9"}'),
            ('service_events', 'E9', 'no_rate', 'activity: no rate on 2020-01-01', '{"event_id": "E9"}')
        ) as t(source_table, source_key, reason, detail, raw_record)""")
        con.execute(MARTS_SQL)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("build") / "customer_value.duckdb"
    write_build(database)
    return database


@pytest.fixture
def database(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "customer_value.duckdb"
    copy.write_bytes(pristine.read_bytes())
    return copy


def run(database: Path, capsys, variables: dict | None = None, only: list[str] | None = None) -> tuple[int, str]:
    code = runner.main(database, {**VARIABLES, **(variables or {})}, only)
    return code, capsys.readouterr().out


def sql(database: Path, statement: str) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute(statement)


def test_a_consistent_build_meets_every_expectation(database: Path, capsys) -> None:
    code, out = run(database, capsys)
    assert code == 0, out
    assert "population 23 customers" in out
    for mart in ("customer_value", "customer_value_deciles", "value_tier_summary", "whale_curve", "fct_orders",
                 "fct_cost_to_serve", "rejected_rows", "customer_lifetime_value", "clv_model_params"):
        line = next(line for line in out.splitlines() if line.strip().startswith(mart + " "))
        met, total = line.split()[1].split("/")
        assert met == total and int(total) > 0, line
    assert ", 0 failed." in out


def test_a_broken_tier_rule_names_mart_rule_count_and_sample(database: Path, capsys) -> None:
    sql(database, "update main.customer_value set value_tier = 'growth', service_priority = 'p2' "
                  "where value_rank = 1")
    code, out = run(database, capsys)
    assert code == 1
    assert "FAILED customer_value: value_decile <= top_tier_deciles and margin > 0 => top" in out
    assert ("1 of 3 rows unexpected; sample: customer_id=" in out
            or "1 of 2 rows unexpected; sample: customer_id=" in out)
    # the summaries were built from the correct tiers, so they disagree with the broken mart too
    assert "FAILED value_tier_summary: customers = count in customer_value" in out


def test_unprofitable_must_mean_negative_margin(database: Path, capsys) -> None:
    sql(database, "update main.customer_value set value_tier = 'unprofitable', service_priority = 'p3' "
                  "where value_tier = 'growth' and margin_after_cost_to_serve > 0 and not has_upgrade_potential")
    code, out = run(database, capsys, only=["customer_value"])
    assert code == 1
    assert "FAILED customer_value: unprofitable tier => margin_after_cost_to_serve < 0" in out


def test_deciles_must_follow_the_rank(database: Path, capsys) -> None:
    # 23 rows: ranks 1-3 in decile 1
    sql(database, "update main.customer_value set value_decile = 2 where value_rank = 3")
    code, out = run(database, capsys, only=["customer_value"])
    assert code == 1
    assert "FAILED customer_value: value_decile = ntile(10) in value_rank order" in out
    assert "value_decile=2" in out


def test_at_risk_and_predictions_follow_the_lifetime_value_mart(database: Path, capsys) -> None:
    sql(database, "update main.customer_value set is_top_at_risk = not is_top_at_risk where value_rank = 2")
    sql(database, "update main.customer_value set predicted_clv = predicted_clv + 1 where value_rank = 5")
    code, out = run(database, capsys, only=["customer_value"])
    assert code == 1
    assert "FAILED customer_value: predicted_clv = customer_lifetime_value.predicted_clv" in out
    assert "FAILED customer_value: top tier and p_alive < at_risk_p_alive (0.5) => is_top_at_risk" in out \
        or "FAILED customer_value: is_top_at_risk => p_alive < at_risk_p_alive" in out


def test_row_count_is_checked_against_the_population(database: Path, capsys) -> None:
    sql(database, "delete from main.customer_value where value_rank = 23")
    code, out = run(database, capsys, only=["customer_value"])
    assert code == 1
    assert "FAILED customer_value: one row per customer with a valid order on or before the as-of date" in out
    assert "observed 22" in out


def test_a_missing_column_and_a_wrong_type_are_named(database: Path, capsys) -> None:
    sql(database, "alter table main.customer_value drop column upgrade_reasons")
    sql(database, "alter table main.whale_curve alter customers_included type varchar")
    code, out = run(database, capsys, only=["customer_value", "whale_curve"])
    assert code == 1
    assert "FAILED customer_value: the spec's columns exist" in out
    assert "missing: upgrade_reasons" in out
    assert "FAILED whale_curve: integer columns: customer_percentile, customers_included" in out
    assert "column_name='customers_included' data_type='VARCHAR'" in out
    assert "Traceback" not in out


def test_a_mart_not_built_is_reported_by_name(database: Path, capsys) -> None:
    sql(database, "drop table main.whale_curve")
    code, out = run(database, capsys)
    assert code == 1
    assert "NOT BUILT whale_curve: no table main.whale_curve" in out
    assert "1 required mart(s) not built" in out


def test_lifetime_value_marts_are_optional_without_python_models(database: Path, capsys) -> None:
    sql(database, "drop table main.customer_lifetime_value; drop table main.clv_model_params")
    code, out = run(database, capsys, {"predict_clv": False})
    assert code == 0, out
    assert "not built (optional: predict_clv is false)" in out


def test_no_database_is_a_clear_message(tmp_path: Path, capsys) -> None:
    code, out = run(tmp_path / "absent.duckdb", capsys)
    assert code == 2
    assert "No database at" in out and "make build" in out


def test_the_script_runs_from_the_command_line_with_a_bare_environment(database: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "validate_marts.py"), "--database", str(database),
         "--mart", "rejected_rows"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "GX_ANALYTICS_ENABLED": "false"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rejected_rows" in result.stdout and "customer_value " not in result.stdout


@pytest.mark.parametrize("rows", [1, 3, 9, 10, 11, 23, 100, 101])
def test_ntile_helpers_agree_with_duckdb(rows: int) -> None:
    frame = duckdb.sql(
        f"select range + 1 as position, cast(ntile(10) over (order by range) as integer) as bucket from range({rows})"
    ).df()
    assert derive.ntile_of_rank(frame["position"], rows, 10).tolist() == frame["bucket"].tolist()
    assert derive.ntile_sizes(rows, 10) == frame["bucket"].value_counts().sort_index().to_dict()
    frame["value"] = -frame["position"]  # bucket 1 holds the largest values
    assert derive.follows_ntile(frame, "bucket", "value", 10, descending=True).all()
    if rows >= 11:
        swapped = frame.copy()
        swapped.loc[[0, rows - 1], "bucket"] = swapped.loc[[rows - 1, 0], "bucket"].to_numpy()
        assert not derive.follows_ntile(swapped, "bucket", "value", 10, descending=True).all()


def test_customers_included_is_an_exact_ceiling() -> None:
    percentiles = pd.Series(range(1, 101))
    assert derive.customers_included(percentiles, 23).tolist() == [-(-p * 23 // 100) for p in range(1, 101)]
    assert derive.customers_included(pd.Series([100]), 7).tolist() == [7]
