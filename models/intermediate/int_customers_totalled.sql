{#-
    Each customer's order counts, money and first and last order, over the valid orders dated on
    or before the as-of date (int_orders_priced). Kept between builds with increments
    (process_increments.sql): a build sums again only the customers whose orders or lines
    changed, or who have an order dated after the last build's as-of date.
-#}

-- a table: with increments, the customers that did not change are kept
{{ config(**increments_config('affected_customers', 'customer_id')) }}

with orders as (
    select * from {{ ref('int_orders_priced') }}
    where {{ changed_rows('affected_customers', 'customer_id') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

summed as (
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
        sum(orders.gross_margin) as gross_margin
    from orders
    cross join as_of
    where orders.ordered_date <= as_of.as_of_date
    group by orders.customer_id
),

-- sums cast back to the facts' types: unbounded sums (128-bit) are slow to scan, round and rank
-- in every model downstream
final as (
    select
        customer_id,
        first_ordered_at,
        last_ordered_at,
        cast(orders_count as integer) as orders_count,
        cast(returned_orders_count as integer) as returned_orders_count,
        cast(cancelled_orders_count as integer) as cancelled_orders_count,
        cast(refunds_count as integer) as refunds_count,
        cast(refunded_revenue as decimal(18, 4)) as refunded_revenue,
        cast(revenue as decimal(18, 4)) as revenue,
        cast(cogs as decimal(18, 4)) as cogs,
        cast(gross_margin as decimal(18, 4)) as gross_margin
    from summed
)

select * from final
