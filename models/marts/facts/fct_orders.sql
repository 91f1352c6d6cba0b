{#-
    One row per valid order, all dates (docs/rules.md section 3): the public face of
    int_orders_priced, where revenue, cogs and margin net of credit notes are computed.
-#}
{{ config(**increments_config('affected_orders', 'order_id')) }}

with

orders_priced as (
    select * from {{ ref('int_orders_priced') }}
    where {{ changed_rows('affected_orders', 'order_id') }}
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        status,
        item_count,
        gross_sales,
        discount_amount,
        shipping_fee,
        revenue,
        cogs,
        gross_margin
    from orders_priced
)

select * from final
