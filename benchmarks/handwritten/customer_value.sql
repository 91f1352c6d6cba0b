-- The public customer value marts in one hand-written DuckDB script: the practical lower bound of
-- the dbt project on this engine (benchmarks/README.md). Same inputs (the raw exports, every
-- column text, and the configuration seeds), same rules (docs/rules.md sections 2 to 5, 9, 10 and
-- the parts of 13 a tables export meets: credit notes, guest sales, nulled optional values, future
-- dates, ISO spellings), same outputs: customer_value (without the predicted lifetime value
-- columns), customer_value_deciles, value_tier_summary, whale_curve, value_upside,
-- customer_value_history, tier_migration, and the rejected rows counted by raw table and reason.
-- Written as an analytics engineer would write it for speed by hand: temporary tables, the facts
-- kept in memory and not published, no JSON text of rejected rows, no incremental bookkeeping.
--
-- Placeholders, filled in by benchmarks/handwritten_duckdb.py: {raw_dir}, {seeds_dir},
-- {as_of_date} (a date literal or null), {build_day} (a date literal: rows dated after it are
-- quarantined), {top_tier_deciles}, {upgrade_window_days}, {upgrade_growth_ratio},
-- {history_months}, {value_window_days}.

-- Configuration seeds.
create or replace temp table rates as
select
    activity,
    cast(cost_per_unit as decimal(18, 4)) as cost_per_unit,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to
from read_csv('{seeds_dir}/service_cost_rates.csv', header = true, all_varchar = true);

create or replace temp table signal_values as
select signal_type, cast(value_per_signal as decimal(18, 4)) as value_per_signal
from read_csv('{seeds_dir}/indirect_value_rates.csv', header = true, all_varchar = true);

create or replace temp table rfm_segments as
select cast(recency_score as integer) as recency_score, cast(frequency_score as integer) as frequency_score, rfm_segment
from read_csv('{seeds_dir}/rfm_segments.csv', header = true, all_varchar = true);

-- Raw exports, read where they lie.
create or replace temp view raw_customers as select * from read_parquet('{raw_dir}/customers.parquet');
create or replace temp view raw_orders as select * from read_parquet('{raw_dir}/orders.parquet');
create or replace temp view raw_order_items as select * from read_parquet('{raw_dir}/order_items.parquet');
create or replace temp view raw_service_events as select * from read_parquet('{raw_dir}/service_events.parquet');
create or replace temp view raw_customer_signals as select * from read_parquet('{raw_dir}/customer_signals.parquet');

-- Staging (docs/rules.md section 2). Per table: the key's copy number and number of distinct versions
-- (computed only for the few repeated keys), typed values, then the first rule broken.
-- An ISO timestamp may have a T and a zone suffix; the zone is dropped, the time kept as written.
create or replace macro iso_ts(t) as
    case when regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?')
        then try_cast(
            case when length(t) > 10
                then substr(t, 1, 10) || ' ' || regexp_extract(substr(t, 12), '^[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?', 0)
                else t end
            as timestamp)
    end;
create or replace macro amount(t) as try_cast(t as decimal(18, 4));
create or replace macro whole(t) as
    cast(case when try_cast(t as decimal(18, 4)) = floor(try_cast(t as decimal(18, 4))) then try_cast(t as decimal(18, 0)) end as integer);
create or replace macro after_build_day(ts) as cast(ts as date) > {build_day};

-- A customer row is only judged by its key: a signup date that does not parse is nulled, not rejected.
create or replace temp table customers_classified as
with keyed as (select *, nullif(trim(customer_id), '') as k from raw_customers),
repeated as (select k from keyed where k is not null group by k having count(*) > 1),
copies as (
    select k, 1 as copy, 1 as versions from keyed anti join repeated using (k)
    union all
    select
        k,
        row_number() over (partition by k order by (customer_id, signup_date, region, acquisition_channel, email)),
        count(distinct (customer_id, signup_date, region, acquisition_channel, email)) over (partition by k)
    from keyed semi join repeated using (k)
)
select
    k as customer_id,
    case
        when k is null then 'missing_key'
        when versions > 1 then 'conflicting_duplicate'
        when copy > 1 then 'duplicate_key'
    end as reason
from copies;

create or replace temp table staged_customers as
select customer_id from customers_classified where reason is null;

create or replace temp table orders_classified as
with keyed as (select *, nullif(trim(order_id), '') as k from raw_orders),
repeated as (select k from keyed where k is not null group by k having count(*) > 1),
copies as (
    select keyed.*, 1 as copy, 1 as versions from keyed anti join repeated using (k)
    union all
    select
        keyed.*,
        row_number() over (partition by k order by (order_id, customer_id, ordered_at, status, shipping_fee)),
        count(distinct (order_id, customer_id, ordered_at, status, shipping_fee)) over (partition by k)
    from keyed semi join repeated using (k)
),
typed as (
    select
        k as order_id,
        nullif(trim(customer_id), '') as customer_id,
        iso_ts(nullif(trim(ordered_at), '')) as ordered_at,
        lower(nullif(trim(status), '')) as status,
        -- an empty fee is 0, and so is one that does not read as an amount (nulled)
        coalesce(amount(nullif(trim(shipping_fee), '')), 0) as shipping_fee,
        copy,
        versions
    from copies
)
select
    typed.order_id, typed.customer_id, ordered_at, status, shipping_fee,
    case
        when typed.order_id is null then 'missing_key'
        when versions > 1 then 'conflicting_duplicate'
        when copy > 1 then 'duplicate_key'
        when typed.customer_id is null then 'no_customer'
        when ordered_at is null or after_build_day(ordered_at)
            or status is null or status not in ('completed', 'returned', 'cancelled', 'refunded')
            or shipping_fee < 0 then 'invalid_value'
        when customers.customer_id is null then 'orphan'
    end as reason
from typed
left join staged_customers as customers on typed.customer_id = customers.customer_id;

create or replace temp table staged_orders as
select order_id, customer_id, ordered_at, status, shipping_fee from orders_classified where reason is null;

create or replace temp table order_items_classified as
with keyed as (select *, nullif(trim(order_item_id), '') as k from raw_order_items),
repeated as (select k from keyed where k is not null group by k having count(*) > 1),
copies as (
    select keyed.*, 1 as copy, 1 as versions from keyed anti join repeated using (k)
    union all
    select
        keyed.*,
        row_number() over (partition by k order by (order_item_id, order_id, product_id, product_category, quantity, unit_price, unit_cost, discount_amount)),
        count(distinct (order_item_id, order_id, product_id, product_category, quantity, unit_price, unit_cost, discount_amount)) over (partition by k)
    from keyed semi join repeated using (k)
),
typed as (
    select
        k as order_item_id,
        nullif(trim(order_id), '') as order_id,
        nullif(trim(product_id), '') as product_id,
        whole(nullif(trim(quantity), '')) as quantity,
        amount(nullif(trim(unit_price), '')) as unit_price,
        amount(nullif(trim(unit_cost), '')) as unit_cost,
        coalesce(amount(nullif(trim(discount_amount), '')), 0) as discount_amount,
        copy,
        versions
    from copies
),
guest_orders as (select distinct order_id from orders_classified where reason = 'no_customer')
select
    typed.order_item_id, typed.order_id,
    -- a credit note's quantities may be written negative: the credit is their size
    abs(quantity) as quantity, unit_price, unit_cost, discount_amount,
    case
        when typed.order_item_id is null then 'missing_key'
        when versions > 1 then 'conflicting_duplicate'
        when copy > 1 then 'duplicate_key'
        when guest_orders.order_id is not null then 'no_customer'
        when typed.order_id is null or product_id is null
            or quantity is null or quantity = 0
            -- only a valid credit note may have negative quantities (a line of a rejected order is its orphan)
            or (quantity < 0 and orders.status <> 'refunded')
            or unit_price is null or unit_price < 0
            or unit_cost is null or unit_cost < 0
            or discount_amount < 0
            or discount_amount > abs(quantity) * unit_price then 'invalid_value'
        when orders.order_id is null then 'orphan'
    end as reason
from typed
left join staged_orders as orders on typed.order_id = orders.order_id
left join guest_orders on typed.order_id = guest_orders.order_id;

create or replace temp table service_events_classified as
with keyed as (select *, nullif(trim(event_id), '') as k from raw_service_events),
repeated as (select k from keyed where k is not null group by k having count(*) > 1),
copies as (
    select keyed.*, 1 as copy, 1 as versions from keyed anti join repeated using (k)
    union all
    select
        keyed.*,
        row_number() over (partition by k order by (event_id, customer_id, order_id, activity, occurred_at, units)),
        count(distinct (event_id, customer_id, order_id, activity, occurred_at, units)) over (partition by k)
    from keyed semi join repeated using (k)
),
typed as (
    select
        k as event_id,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(order_id), '') as order_id,
        lower(nullif(trim(activity), '')) as activity,
        iso_ts(nullif(trim(occurred_at), '')) as occurred_at,
        amount(nullif(trim(units), '')) as units,
        copy,
        versions
    from copies
),
rated_dates as (
    select distinct driver_dates.activity, driver_dates.driver_date
    from (select distinct activity, cast(occurred_at as date) as driver_date from typed) as driver_dates
    inner join rates
        on driver_dates.activity = rates.activity
        and (rates.valid_from is null or driver_dates.driver_date >= rates.valid_from)
        and (rates.valid_to is null or driver_dates.driver_date < rates.valid_to)
)
select
    typed.event_id, typed.customer_id, typed.order_id, typed.activity, occurred_at, units,
    case
        when typed.event_id is null then 'missing_key'
        when versions > 1 then 'conflicting_duplicate'
        when copy > 1 then 'duplicate_key'
        when typed.customer_id is null or typed.activity is null
            or typed.activity not in (select activity from rates)
            or occurred_at is null or after_build_day(occurred_at)
            or units is null or units < 0 then 'invalid_value'
        when customers.customer_id is null or (typed.order_id is not null and orders.order_id is null) then 'orphan'
        when rated_dates.activity is null then 'no_rate'
    end as reason
from typed
left join staged_customers as customers on typed.customer_id = customers.customer_id
left join staged_orders as orders on typed.order_id = orders.order_id
left join rated_dates on typed.activity = rated_dates.activity and cast(occurred_at as date) = rated_dates.driver_date;

create or replace temp table customer_signals_classified as
with keyed as (select *, nullif(trim(signal_id), '') as k from raw_customer_signals),
repeated as (select k from keyed where k is not null group by k having count(*) > 1),
copies as (
    select keyed.*, 1 as copy, 1 as versions from keyed anti join repeated using (k)
    union all
    select
        keyed.*,
        row_number() over (partition by k order by (signal_id, customer_id, signal_type, occurred_at)),
        count(distinct (signal_id, customer_id, signal_type, occurred_at)) over (partition by k)
    from keyed semi join repeated using (k)
),
typed as (
    select
        k as signal_id,
        nullif(trim(customer_id), '') as customer_id,
        lower(nullif(trim(signal_type), '')) as signal_type,
        iso_ts(nullif(trim(occurred_at), '')) as occurred_at,
        copy,
        versions
    from copies
)
select
    typed.signal_id, typed.customer_id, typed.signal_type, occurred_at,
    case
        when typed.signal_id is null then 'missing_key'
        when versions > 1 then 'conflicting_duplicate'
        when copy > 1 then 'duplicate_key'
        when typed.customer_id is null or typed.signal_type is null
            or typed.signal_type not in (select signal_type from signal_values)
            or occurred_at is null or after_build_day(occurred_at) then 'invalid_value'
        when customers.customer_id is null then 'orphan'
    end as reason
from typed
left join staged_customers as customers on typed.customer_id = customers.customer_id;

create or replace table rejected_counts as
select 'customers' as source_table, reason, count(*) as rejected_rows from customers_classified where reason is not null group by reason
union all select 'orders', reason, count(*) from orders_classified where reason is not null group by reason
union all select 'order_items', reason, count(*) from order_items_classified where reason is not null group by reason
union all select 'service_events', reason, count(*) from service_events_classified where reason is not null group by reason
union all select 'customer_signals', reason, count(*) from customer_signals_classified where reason is not null group by reason;

-- Orders and cost to serve (docs/rules.md section 3), counted up to the as-of date. A credit note
-- (refunded) takes its lines and fee back, negative at its own date.
create or replace temp table as_of as
select coalesce({as_of_date}, cast(max(ordered_at) as date)) as as_of_date from staged_orders;

create or replace temp table order_values as
with lines as (
    select
        order_id,
        sum(quantity * unit_price - discount_amount) as line_revenue,
        sum(quantity * unit_cost) as line_cost
    from order_items_classified
    where reason is null
    group by order_id
),
signs as (
    select orders.*, case status when 'completed' then 1 when 'refunded' then -1 else 0 end as sign
    from staged_orders as orders
)
select
    signs.customer_id,
    signs.ordered_at,
    cast(signs.ordered_at as date) as ordered_date,
    signs.status,
    cast(sign * (coalesce(lines.line_revenue, 0) + signs.shipping_fee) as decimal(18, 4)) as revenue,
    cast(sign * coalesce(lines.line_cost, 0) as decimal(18, 4)) as cogs
from signs
left join lines on signs.order_id = lines.order_id
where cast(signs.ordered_at as date) <= (select as_of_date from as_of);

create or replace temp table cost_drivers as
with drivers as (
    select customer_id, 'order_processing' as activity, cast(ordered_at as date) as driver_date, 1 as units
    from staged_orders
    union all
    select customer_id, 'delivery', cast(ordered_at as date), 1
    from staged_orders where status in ('completed', 'returned')
    union all
    select customer_id, 'return_handling', cast(ordered_at as date), 1
    from staged_orders where status = 'refunded'
    union all
    select customer_id, activity, cast(occurred_at as date), units
    from service_events_classified where reason is null
)
select
    drivers.customer_id, drivers.activity, drivers.driver_date,
    cast(drivers.units * rates.cost_per_unit as decimal(18, 4)) as cost
from drivers
inner join rates
    on drivers.activity = rates.activity
    and (rates.valid_from is null or drivers.driver_date >= rates.valid_from)
    and (rates.valid_to is null or drivers.driver_date < rates.valid_to)
where drivers.driver_date <= (select as_of_date from as_of);

create or replace temp table activity_costs as
select customer_id, activity, sum(cost) as cost from cost_drivers group by customer_id, activity;

-- Customer value over time (docs/rules.md section 9): period ends, each with its window
-- (period_end - value_window_days, period_end] and the period end before it.
create or replace temp table periods as
with month_ends as (
    select distinct cast(
        date_trunc('month', (select as_of_date from as_of) + 1) - to_months(months_back) - interval 1 day
    as date) as period_end
    from range({history_months}) as t(months_back)
),
ends as (
    select period_end from month_ends
    union
    select as_of_date from as_of
)
select
    period_end,
    period_end - {value_window_days} as window_start,
    lag(period_end) over (order by period_end) as previous_period_end
from ends;

-- Money per customer and period, at cents, for every customer with an order by the period end.
create or replace temp table customers_by_period as
with first_orders as (
    select customer_id, min(ordered_date) as first_ordered_date from order_values group by customer_id
),
window_orders as (
    select
        periods.period_end, o.customer_id,
        sum(o.revenue) as revenue,
        sum(o.revenue - o.cogs) as gross_margin,
        count(*) filter (where o.status = 'completed') as orders_count
    from order_values as o
    inner join periods on o.ordered_date > periods.window_start and o.ordered_date <= periods.period_end
    group by all
),
window_costs as (
    select periods.period_end, d.customer_id, sum(d.cost) as cost_to_serve
    from cost_drivers as d
    inner join periods on d.driver_date > periods.window_start and d.driver_date <= periods.period_end
    group by all
),
rounded as (
    select
        first_orders.customer_id,
        periods.period_end,
        window_orders.customer_id is not null as has_window_order,
        cast(round(coalesce(window_orders.revenue, 0), 2) as decimal(18, 2)) as revenue,
        cast(round(coalesce(window_orders.gross_margin, 0), 2) as decimal(18, 2)) as gross_margin,
        cast(round(coalesce(window_costs.cost_to_serve, 0), 2) as decimal(18, 2)) as cost_to_serve,
        coalesce(window_orders.orders_count, 0) as orders_count
    from first_orders
    inner join periods on first_orders.first_ordered_date <= periods.period_end
    left join window_orders
        on first_orders.customer_id = window_orders.customer_id and periods.period_end = window_orders.period_end
    left join window_costs
        on first_orders.customer_id = window_costs.customer_id and periods.period_end = window_costs.period_end
)
select *, gross_margin - cost_to_serve as margin_after_cost_to_serve from rounded;

create or replace table customer_value_history as
with ranked as (
    select
        *,
        case when has_window_order then ntile(10) over (
            partition by period_end, has_window_order
            order by margin_after_cost_to_serve desc, revenue desc, customer_id asc
        ) end as value_decile
    from customers_by_period
)
select
    customer_id,
    period_end,
    case
        when not has_window_order then 'lapsed'
        when value_decile <= {top_tier_deciles} and margin_after_cost_to_serve > 0 then 'top'
        when margin_after_cost_to_serve < 0 then 'unprofitable'
        else 'growth'
    end as value_tier,
    cast(value_decile as integer) as value_decile,
    revenue, gross_margin, cost_to_serve, margin_after_cost_to_serve,
    cast(orders_count as integer) as orders_count
from ranked;

-- Each state with the one at the period end before ('new' without a row then).
create or replace temp table states_with_previous as
select
    history.customer_id,
    history.period_end,
    periods.previous_period_end,
    history.value_tier,
    history.margin_after_cost_to_serve,
    coalesce(previous.value_tier, 'new') as previous_tier,
    coalesce(previous.margin_after_cost_to_serve, 0) as previous_margin_after_cost_to_serve
from customer_value_history as history
inner join periods using (period_end)
left join customer_value_history as previous
    on history.customer_id = previous.customer_id and periods.previous_period_end = previous.period_end;

create or replace table tier_migration as
select
    period_end,
    previous_tier,
    value_tier,
    cast(count(*) as integer) as customers,
    sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
    sum(previous_margin_after_cost_to_serve) as previous_margin_after_cost_to_serve
from states_with_previous
where previous_period_end is not null
group by all;

-- customer_value (docs/rules.md section 4): money rounded to cents once per customer, then ranked.
create or replace table customer_value as
with as_of as (select as_of_date from as_of),
activity as (
    select
        customer_id,
        count(*) filter (where status = 'completed') as orders_count,
        count(*) filter (where status = 'returned') as returned_orders_count,
        count(*) filter (where status = 'cancelled') as cancelled_orders_count,
        count(*) filter (where status = 'refunded') as refunds_count,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        sum(revenue) as revenue,
        coalesce(-sum(revenue) filter (where status = 'refunded'), 0) as refunded_revenue,
        sum(revenue - cogs) as gross_margin,
        coalesce(sum(revenue) filter (
            where ordered_date > (select as_of_date from as_of) - {upgrade_window_days}
        ), 0) as recent_revenue,
        coalesce(sum(revenue) filter (
            where ordered_date > (select as_of_date from as_of) - 2 * {upgrade_window_days}
            and ordered_date <= (select as_of_date from as_of) - {upgrade_window_days}
        ), 0) as earlier_revenue
    from order_values
    group by customer_id
),
costs as (
    select customer_id, sum(cost) as cost_to_serve from activity_costs group by customer_id
),
top_activity as (
    select customer_id, activity as top_cost_activity, cost as top_cost
    from activity_costs
    qualify row_number() over (partition by customer_id order by cost desc, activity asc) = 1
),
signals as (
    select signals.customer_id, sum(signal_values.value_per_signal) as indirect_value
    from customer_signals_classified as signals
    inner join signal_values on signals.signal_type = signal_values.signal_type
    where signals.reason is null and cast(signals.occurred_at as date) <= (select as_of_date from as_of)
    group by signals.customer_id
),
at_cents as (
    select
        a.customer_id,
        a.orders_count, a.returned_orders_count, a.cancelled_orders_count, a.refunds_count,
        a.first_ordered_at, a.last_ordered_at,
        (select as_of_date from as_of) - cast(a.last_ordered_at as date) as recency_days,
        (select as_of_date from as_of) - cast(a.first_ordered_at as date) as tenure_days,
        cast(round(a.revenue, 2) as decimal(18, 2)) as revenue,
        cast(round(a.refunded_revenue, 2) as decimal(18, 2)) as refunded_revenue,
        cast(round(a.gross_margin, 2) as decimal(18, 2)) as gross_margin,
        cast(round(coalesce(costs.cost_to_serve, 0), 2) as decimal(18, 2)) as cost_to_serve,
        case when costs.cost_to_serve > 0 then top_activity.top_cost_activity end as top_cost_activity,
        case when costs.cost_to_serve > 0 then cast(top_activity.top_cost as double) / cast(costs.cost_to_serve as double) end
            as top_cost_activity_share,
        cast(round(coalesce(signals.indirect_value, 0), 2) as decimal(18, 2)) as indirect_value,
        a.recent_revenue, a.earlier_revenue
    from activity as a
    left join costs using (customer_id)
    left join top_activity using (customer_id)
    left join signals using (customer_id)
),
measured as (
    select
        *,
        revenue - gross_margin as cogs,
        gross_margin - cost_to_serve as margin_after_cost_to_serve
    from at_cents
),
ranked as (
    select
        *,
        case when revenue + refunded_revenue <> 0
            then cast(refunded_revenue as double) / cast(revenue + refunded_revenue as double) end as refund_rate,
        case when revenue <> 0
            then cast(margin_after_cost_to_serve as double) / cast(revenue as double) end as margin_after_cost_to_serve_rate,
        case when orders_count <> 0
            then cast(round(cast(revenue / orders_count as decimal(38, 10)), 2) as decimal(18, 2)) end as average_order_value,
        row_number() over value_order as value_rank,
        ntile(10) over value_order as value_decile,
        ntile(10) over (order by revenue desc, customer_id asc) as spend_decile,
        cast(sum(margin_after_cost_to_serve) over (value_order rows between unbounded preceding and current row) as double)
            / nullif(greatest(cast(sum(margin_after_cost_to_serve) over () as double), 0), 0) as cumulative_margin_share,
        ntile(5) over (order by last_ordered_at asc, customer_id asc) as recency_score,
        ntile(5) over (order by orders_count asc, customer_id asc) as frequency_score,
        ntile(5) over (order by revenue asc, customer_id asc) as monetary_score,
        ntile(10) over (order by indirect_value desc, customer_id asc) as advocacy_decile
    from measured
    window value_order as (order by margin_after_cost_to_serve desc, revenue desc, customer_id asc)
),
tiered as (
    select
        ranked.*,
        margin_after_cost_to_serve < 0 as is_unprofitable,
        case
            when value_decile <= {top_tier_deciles} and margin_after_cost_to_serve > 0 then 'top'
            when margin_after_cost_to_serve < 0 then 'unprofitable'
            else 'growth'
        end as value_tier,
        case
            when frequency_score + monetary_score >= 8 then 'high'
            when frequency_score + monetary_score >= 5 then 'medium'
            else 'low'
        end as frequency_spend_band
    from ranked
),
reasons as (
    select
        tiered.*,
        case when value_tier = 'top' then '' else concat_ws(',',
            case when advocacy_decile = 1 and indirect_value > 0 then 'advocate' end,
            case when is_unprofitable and gross_margin > 0 and top_cost_activity_share >= 0.5 then 'fixable_cost_to_serve' end,
            case when earlier_revenue > 0 and recent_revenue >= {upgrade_growth_ratio} * earlier_revenue then 'growing_spend' end
        ) end as upgrade_reasons
    from tiered
),
-- Upside (docs/rules.md section 10): each decile's lower median margin, one of its own values.
decile_medians as (
    select value_decile, margin_after_cost_to_serve as median_margin
    from (
        select
            value_decile, margin_after_cost_to_serve,
            row_number() over (partition by value_decile order by margin_after_cost_to_serve, customer_id) as position,
            count(*) over (partition by value_decile) as decile_size
        from reasons
    )
    where position = (decile_size + 1) // 2
),
annual as (
    select customer_id, value_tier as annual_value_tier, previous_tier as previous_annual_value_tier
    from states_with_previous
    where period_end = (select as_of_date from as_of)
)
select
    reasons.customer_id, orders_count, returned_orders_count, cancelled_orders_count,
    first_ordered_at, last_ordered_at, recency_days, tenure_days,
    revenue, refunded_revenue, refunds_count, refund_rate, cogs, gross_margin, cost_to_serve, margin_after_cost_to_serve,
    margin_after_cost_to_serve_rate, average_order_value, top_cost_activity, top_cost_activity_share,
    indirect_value, value_rank, reasons.value_decile, spend_decile, cumulative_margin_share,
    is_unprofitable, value_tier, reasons.recency_score, reasons.frequency_score, monetary_score,
    rfm_segments.rfm_segment, frequency_spend_band,
    case frequency_spend_band when 'high' then 'personalized' when 'medium' then 'customized' else 'generic' end as service_level,
    upgrade_reasons,
    upgrade_reasons <> '' as has_upgrade_potential,
    case when value_tier = 'top' then 'p1' when value_tier = 'growth' or upgrade_reasons <> '' then 'p2' else 'p3' end as service_priority,
    annual.annual_value_tier,
    annual.previous_annual_value_tier,
    annual.previous_annual_value_tier = 'top' and annual.annual_value_tier <> 'top' as is_top_lost,
    case
        when reasons.value_decile = 1 then null
        when upgrade_reasons <> '' then greatest(better.median_margin - margin_after_cost_to_serve, 0)
        else 0
    end as upside_to_next_decile,
    case when margin_after_cost_to_serve < 0 then -margin_after_cost_to_serve else 0 end as loss_avoidable
from reasons
left join rfm_segments
    on reasons.recency_score = rfm_segments.recency_score and reasons.frequency_score = rfm_segments.frequency_score
left join decile_medians as better on better.value_decile = reasons.value_decile - 1
left join annual on reasons.customer_id = annual.customer_id;

-- Summary marts (docs/rules.md sections 5 and 10).
create or replace temp table totals as
select
    count(*) as customers,
    sum(revenue) as total_revenue,
    sum(margin_after_cost_to_serve) as total_margin,
    nullif(greatest(cast(sum(revenue) as double), 0), 0) as revenue_divisor,
    nullif(greatest(cast(sum(margin_after_cost_to_serve) as double), 0), 0) as margin_divisor
from customer_value;

create or replace table customer_value_deciles as
with deciles as (
    select
        value_decile,
        count(*) as customers,
        sum(revenue) as revenue,
        sum(gross_margin) as gross_margin,
        sum(cost_to_serve) as cost_to_serve,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        count(*) filter (where is_unprofitable) as unprofitable_customers
    from customer_value
    group by value_decile
)
select
    value_decile, customers, revenue, gross_margin, cost_to_serve, margin_after_cost_to_serve,
    cast(margin_after_cost_to_serve as double) / (select margin_divisor from totals) as share_of_total_margin,
    cast(sum(margin_after_cost_to_serve) over (order by value_decile) as double)
        / (select margin_divisor from totals) as cumulative_share_of_total_margin,
    unprofitable_customers
from deciles;

create or replace table value_tier_summary as
select
    value_tier,
    count(*) as customers,
    count(*) / (select customers from totals) as share_of_customers,
    sum(revenue) as revenue,
    sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
    cast(sum(margin_after_cost_to_serve) as double) / (select margin_divisor from totals) as share_of_total_margin,
    count(*) filter (where has_upgrade_potential) as customers_with_upgrade_potential
from customer_value
group by value_tier;

create or replace table value_upside as
with tiers as (
    select
        value_tier,
        count(*) as customers,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        count(*) filter (where has_upgrade_potential) as customers_with_upgrade_potential,
        coalesce(sum(upside_to_next_decile), 0) as upside_to_next_decile,
        sum(loss_avoidable) as loss_avoidable
    from customer_value
    group by value_tier
)
select
    *,
    cast(upside_to_next_decile as double) / nullif(greatest(cast(margin_after_cost_to_serve as double), 0), 0)
        as upside_share_of_tier_margin,
    cast(upside_to_next_decile as double) / (select margin_divisor from totals) as upside_share_of_total_margin
from tiers;

create or replace table whale_curve as
with running as (
    select
        value_rank,
        sum(revenue) over (order by value_rank) as cumulative_revenue,
        sum(margin_after_cost_to_serve) over (order by value_rank) as cumulative_margin
    from customer_value
),
percentiles as (
    select
        p as customer_percentile,
        (p * (select customers from totals) + 99) // 100 as customers_included
    from range(1, 101) as t(p)
)
select
    percentiles.customer_percentile,
    percentiles.customers_included,
    cast(running.cumulative_revenue as double) / (select revenue_divisor from totals) as cumulative_revenue_share,
    cast(running.cumulative_margin as double) / (select margin_divisor from totals) as cumulative_margin_share
from percentiles
left join running on running.value_rank = percentiles.customers_included
order by percentiles.customer_percentile;
