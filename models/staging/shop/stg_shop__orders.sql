with classified as (
    select * from {{ ref('base_shop__orders') }}
),

staged as (
    select
        order_id,
        customer_id,
        ordered_at,
        status,
        shipping_fee
    from classified
    where rejection_reason is null
)

select * from staged
