{#-
    The population (docs/rules.md section 4): customers with at least one valid order dated on or
    before the as-of date, with their order counts, money and dates. Reads int_orders_priced, the
    order fact that the public mart fct_orders publishes.
-#}
with orders as (
    select * from {{ ref('int_orders_priced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

counted as (
    select
        orders.customer_id,
        sum(case when orders.status = 'completed' then 1 else 0 end) as orders_count,
        sum(case when orders.status = 'returned' then 1 else 0 end) as returned_orders_count,
        sum(case when orders.status = 'cancelled' then 1 else 0 end) as cancelled_orders_count,
        -- credit notes (status refunded) carry negative revenue: revenue is net of refunds
        sum(case when orders.status = 'refunded' then 1 else 0 end) as refunds_count,
        sum(case when orders.status = 'refunded' then -orders.revenue else 0 end) as refunded_revenue,
        min(orders.ordered_at) as first_ordered_at,
        max(orders.ordered_at) as last_ordered_at,
        sum(orders.revenue) as revenue,
        sum(orders.cogs) as cogs,
        sum(orders.gross_margin) as gross_margin,
        max(as_of.as_of_date) as as_of_date
    from orders
    cross join as_of
    where orders.ordered_date <= as_of.as_of_date
    group by orders.customer_id
),

final as (
    select
        customer_id,
        orders_count,
        returned_orders_count,
        cancelled_orders_count,
        refunds_count,
        first_ordered_at,
        last_ordered_at,
        {{ days_between('cast(last_ordered_at as date)', 'as_of_date') }} as recency_days,
        {{ days_between('cast(first_ordered_at as date)', 'as_of_date') }} as tenure_days,
        revenue,
        refunded_revenue,
        cogs,
        gross_margin
    from counted
)

select * from final
