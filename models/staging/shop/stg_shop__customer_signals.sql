with classified as (
    select * from {{ ref('base_shop__customer_signals') }}
),

staged as (
    select
        signal_id,
        customer_id,
        signal_type,
        occurred_at
    from classified
    where rejection_reason is null
)

select * from staged
