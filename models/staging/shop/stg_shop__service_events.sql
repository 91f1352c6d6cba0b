with classified as (
    select * from {{ ref('base_shop__service_events') }}
),

staged as (
    select
        event_id,
        customer_id,
        order_id,
        activity,
        occurred_at,
        units
    from classified
    where rejection_reason is null
)

select * from staged
