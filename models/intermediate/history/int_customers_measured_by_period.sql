{#-
    One row per customer and period end for every customer with a valid order (any status)
    on or before the period end: annual customer profitability (docs/rules.md section 9), the money
    of section 3 and 4 counting only orders and cost drivers dated in the period's window
    (window_start_date, period_end], rounded to cents as in int_customers_ranked so the
    margin identity is exact and rankings order the published values.
-#}

-- a table, not a view: the history mart and this model's key tests would each recompute the
-- window joins over every fact (about 25 s apiece at 1,000,000 customers); with increments,
-- closed periods of unchanged customers are kept (process_increments.sql)
{{ config(**measured_periods_increments_config()) }}
{%- set keeps_periods = processed_through() is not none %}

-- only the columns measured: the facts are read several times below, and DuckDB keeps what
-- several parts read in memory
with orders as (
    select
        customer_id,
        ordered_date,
        status,
        revenue,
        gross_margin
    from {{ ref('int_orders_priced') }}
),

cost_drivers as (
    select
        customer_id,
        driver_date,
        cost
    from {{ ref('int_cost_drivers_costed') }}
),

-- measured for every customer: all periods, or with increments those without kept rows
periods as (
    select
        *,
        {% if keeps_periods -%}
        period_end not in (select period_end from {{ this }})
        {%- else -%}
        true
        {%- endif %} as is_measured_for_all
    from {{ ref('int_value_periods_enumerated') }}
),

first_orders as (
    select
        customer_id,
        min(ordered_date) as first_ordered_date
    from orders
    group by customer_id
),

-- a customer has a row from the first period end on or after their first order
present as (
    select
        period_end,
        customer_id
    from ({{ facts_in_measured_periods('first_orders', 'first_ordered_date', windowed=false) }}) as first_orders
),

-- sums cast back to the facts' type: unbounded decimal sums (128-bit) are slow to round
window_orders as (
    select
        period_end,
        customer_id,
        cast(sum(revenue) as decimal(18, 4)) as revenue,
        cast(sum(gross_margin) as decimal(18, 4)) as gross_margin,
        cast(sum(case when status = 'completed' then 1 else 0 end) as integer) as orders_count
    from ({{ facts_in_measured_periods('orders', 'ordered_date') }}) as orders
    group by period_end, customer_id
),

window_costs as (
    select
        period_end,
        customer_id,
        cast(sum(cost) as decimal(18, 4)) as cost_to_serve
    from ({{ facts_in_measured_periods('cost_drivers', 'driver_date') }}) as cost_drivers
    group by period_end, customer_id
),

rounded as (
    select
        present.customer_id,
        present.period_end,
        cast(round(coalesce(window_orders.revenue, 0), 2) as decimal(18, 2)) as revenue,
        cast(round(coalesce(window_orders.gross_margin, 0), 2) as decimal(18, 2)) as gross_margin,
        cast(round(coalesce(window_costs.cost_to_serve, 0), 2) as decimal(18, 2)) as cost_to_serve,
        window_orders.customer_id is not null as has_window_order,
        coalesce(window_orders.orders_count, 0) as orders_count
    from present
    left join window_orders
        on
            present.customer_id = window_orders.customer_id
            and present.period_end = window_orders.period_end
    left join window_costs
        on
            present.customer_id = window_costs.customer_id
            and present.period_end = window_costs.period_end
),

final as (
    select
        *,
        gross_margin - cost_to_serve as margin_after_cost_to_serve
    from rounded
)

select * from final
