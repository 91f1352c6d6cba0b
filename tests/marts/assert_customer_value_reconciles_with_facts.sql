{#-
    customer_value is the population and the measures of the staged facts (docs/rules.md sections 3
    and 4), recomputed here directly from fct_orders and fct_cost_to_serve: exactly the
    customers with a valid order dated on or before the as-of date; their completed, returned
    and cancelled order counts; first and last ordered_at and the whole days from their dates
    to the as-of date; revenue, gross margin and cost to serve (dated on or before the as-of
    date) rounded to cents; indirect value from the staged signals (dated on or before the
    as-of date) and the indirect_value_rates seed, rounded to cents, 0 without signals. Cost
    of goods and margin after cost to serve are differences of cent-rounded values, so they
    lie within a cent of the facts' unrounded cogs and gross margin - cost to serve.
    Returns every customer where anything differs.
-#}
with as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

orders as (
    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where orders.ordered_date <= as_of.as_of_date
),

costs as (
    select
        cost_drivers.customer_id,
        sum(cost_drivers.cost) as cost_to_serve
    from {{ ref('fct_cost_to_serve') }} as cost_drivers
    cross join as_of
    where cost_drivers.driver_date <= as_of.as_of_date
    group by cost_drivers.customer_id
),

signals as (
    select
        signals.customer_id,
        sum(indirect_value_rates.value_per_signal) as indirect_value
    from {{ ref('stg_shop__customer_signals') }} as signals
    inner join {{ ref('indirect_value_rates') }} as indirect_value_rates
        on signals.signal_type = indirect_value_rates.signal_type
    cross join as_of
    where cast(signals.occurred_at as date) <= as_of.as_of_date
    group by signals.customer_id
),

expected as (
    select
        orders.customer_id,
        sum(case when orders.status = 'completed' then 1 else 0 end) as orders_count,
        sum(case when orders.status = 'returned' then 1 else 0 end) as returned_orders_count,
        sum(case when orders.status = 'cancelled' then 1 else 0 end) as cancelled_orders_count,
        sum(case when orders.status = 'refunded' then 1 else 0 end) as refunds_count,
        -- what was sold before refunds: net revenue + refunded revenue must come back to it
        round(sum(case when orders.status <> 'refunded' then orders.revenue else 0 end), 2) as sold_revenue,
        min(orders.ordered_at) as first_ordered_at,
        max(orders.ordered_at) as last_ordered_at,
        round(sum(orders.revenue), 2) as revenue,
        round(sum(orders.gross_margin), 2) as gross_margin,
        sum(orders.cogs) as unrounded_cogs,
        sum(orders.gross_margin) as unrounded_gross_margin
    from orders
    group by orders.customer_id
),

expected_with_days as (
    select
        expected.*,
        {{ days_between('cast(expected.last_ordered_at as date)', 'as_of.as_of_date') }} as recency_days,
        {{ days_between('cast(expected.first_ordered_at as date)', 'as_of.as_of_date') }} as tenure_days,
        round(coalesce(costs.cost_to_serve, 0), 2) as cost_to_serve,
        expected.unrounded_gross_margin - coalesce(costs.cost_to_serve, 0) as unrounded_margin,
        round(coalesce(signals.indirect_value, 0), 2) as indirect_value
    from expected
    cross join as_of
    left join costs
        on expected.customer_id = costs.customer_id
    left join signals
        on expected.customer_id = signals.customer_id
),

customers as (
    select * from {{ ref('customer_value') }}
)

select
    coalesce(customers.customer_id, expected_with_days.customer_id) as customer_id,
    customers.customer_id is null as is_missing_from_customer_value,
    expected_with_days.customer_id is null as is_not_in_population
from customers
full outer join expected_with_days
    on customers.customer_id = expected_with_days.customer_id
where
    customers.customer_id is null
    or expected_with_days.customer_id is null
    or customers.orders_count <> expected_with_days.orders_count
    or customers.returned_orders_count <> expected_with_days.returned_orders_count
    or customers.cancelled_orders_count <> expected_with_days.cancelled_orders_count
    or customers.refunds_count <> expected_with_days.refunds_count
    or abs(customers.revenue + customers.refunded_revenue - expected_with_days.sold_revenue) > 0.01
    or customers.refunded_revenue < 0
    or customers.first_ordered_at <> expected_with_days.first_ordered_at
    or customers.last_ordered_at <> expected_with_days.last_ordered_at
    or customers.recency_days <> expected_with_days.recency_days
    or customers.tenure_days <> expected_with_days.tenure_days
    or customers.revenue <> expected_with_days.revenue
    or customers.gross_margin <> expected_with_days.gross_margin
    or customers.cost_to_serve <> expected_with_days.cost_to_serve
    or abs(customers.cogs - expected_with_days.unrounded_cogs) > 0.01
    or abs(customers.margin_after_cost_to_serve - expected_with_days.unrounded_margin) > 0.01
    or customers.indirect_value <> expected_with_days.indirect_value
