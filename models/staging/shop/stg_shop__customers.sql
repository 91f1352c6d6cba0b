with classified as (
    select * from {{ ref('base_shop__customers') }}
),

staged as (
    select
        customer_id,
        signup_date,
        region,
        acquisition_channel,
        email
    from classified
    where rejection_reason is null
)

select * from staged
