with classified as (
    select * from {{ ref('base_shop__order_items') }}
),

staged as (
    select
        order_item_id,
        order_id,
        product_id,
        product_category,
        quantity,
        unit_price,
        unit_cost,
        discount_amount
    from classified
    where rejection_reason is null
)

select * from staged
