{#-
    One row per valid order, all dates (later steps filter by the as-of date). docs/rules.md section 3;
    a credit note (status refunded) counts negative (docs/rules.md, credit notes). The public mart
    fct_orders publishes it as is; intermediate models read this model, not the mart.
-#}

-- a table, not a view: four intermediate models and the public fact read it, so it is computed once;
-- with increments, only the changed orders (process_increments.sql)
{{ config(**increments_config('affected_orders', 'order_id')) }}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where {{ changed_rows('affected_orders', 'order_id') }}
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
    where {{ changed_rows('affected_orders', 'order_id') }}
),

order_lines as (
    select
        order_id,
        count(*) as item_count,
        sum(quantity * unit_price) as gross_sales,
        sum(discount_amount) as discount_amount,
        sum(quantity * unit_price - discount_amount) as line_revenue,
        sum(quantity * unit_cost) as line_cost
    from order_items
    group by order_id
),

valued as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.status,
        orders.shipping_fee,
        coalesce(order_lines.item_count, 0) as item_count,
        coalesce(order_lines.gross_sales, 0) as gross_sales,
        coalesce(order_lines.discount_amount, 0) as discount_amount,
        -- completed orders bring revenue and cost of goods; returns and cancellations bring 0;
        -- a credit note (refunded) takes them back, negative at its own date (net of refunds)
        case
            when orders.status = 'completed'
                then coalesce(order_lines.line_revenue, 0) + orders.shipping_fee
            when orders.status = 'refunded'
                then -(coalesce(order_lines.line_revenue, 0) + orders.shipping_fee)
            else 0
        end as revenue,
        case
            when orders.status = 'completed' then coalesce(order_lines.line_cost, 0)
            when orders.status = 'refunded' then -coalesce(order_lines.line_cost, 0)
            else 0
        end as cogs
    from orders
    left join order_lines
        on orders.order_id = order_lines.order_id
),

final as (
    select
        cast(order_id as {{ text_type() }}) as order_id,
        cast(customer_id as {{ text_type() }}) as customer_id,
        cast(ordered_at as timestamp) as ordered_at,
        cast(ordered_at as date) as ordered_date,
        cast(status as {{ text_type() }}) as status,
        cast(item_count as integer) as item_count,
        cast(gross_sales as decimal(18, 4)) as gross_sales,
        cast(discount_amount as decimal(18, 4)) as discount_amount,
        cast(shipping_fee as decimal(18, 4)) as shipping_fee,
        cast(revenue as decimal(18, 4)) as revenue,
        cast(cogs as decimal(18, 4)) as cogs,
        cast(revenue - cogs as decimal(18, 4)) as gross_margin
    from valued
)

select * from final
