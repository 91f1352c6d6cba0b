{{ config(**increments_config('customers', 'customer_id', keeps_rows_without_key=true)) }}

with

{{ key_copies('customers') }},

trimmed as (
    select
        raw_rows.*,
        {{ trimmed_text('raw_customer_id') }} as customer_id,
        {{ trimmed_text('raw_signup_date') }} as signup_date_text,
        {{ trimmed_text('raw_region') }} as region,
        {{ trimmed_text('raw_acquisition_channel') }} as acquisition_channel,
        {{ trimmed_text('raw_email') }} as email
    from raw_rows
),

typed as (
    select
        trimmed.*,
        {{ typed_date('signup_date_text') }} as signup_date
    from trimmed
),

checked as (
    select
        typed.*,
        {{ nulled_value_columns('signup_date', 'date') }},
        cast(null as {{ text_type() }}) as invalid_detail,
        cast(null as {{ text_type() }}) as orphan_detail,
        cast(null as {{ text_type() }}) as no_rate_detail
    from typed
),

classified as (
    select
        *,
        {{ rejection_reason('customer_id') }} as rejection_reason,
        {{ rejection_detail('customer_id') }} as rejection_detail
    from checked
),

final as (
    select
        customer_id,
        signup_date,
        region,
        acquisition_channel,
        email,
        nulled_column,
        nulled_raw_value,
        nulled_detail,
        {{ rejected_raw_record('customers') }} as raw_record,
        rejection_reason,
        rejection_detail
    from classified
)

select * from final
