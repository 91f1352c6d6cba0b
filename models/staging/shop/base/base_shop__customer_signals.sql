{{ config(**increments_config('customer_signals', 'signal_id', keeps_rows_without_key=true)) }}

with

{{ key_copies('customer_signals') }},

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

accepted_signal_types as (
    select distinct signal_type from {{ ref('indirect_value_rates') }}
),

trimmed as (
    select
        raw_rows.*,
        {{ trimmed_text('raw_signal_id') }} as signal_id,
        {{ trimmed_text('raw_customer_id') }} as customer_id,
        {{ lowered_text('raw_signal_type') }} as signal_type,
        {{ trimmed_text('raw_occurred_at') }} as occurred_at_text
    from raw_rows
),

typed as (
    select
        trimmed.*,
        {{ typed_timestamp('occurred_at_text') }} as occurred_at
    from trimmed
),

checked as (
    select
        typed.*,
        case
            when typed.customer_id is null then 'customer_id: required value is empty'
            when typed.signal_type is null then 'signal_type: required value is empty'
            when accepted_signal_types.signal_type is null then 'signal_type: not in indirect_value_rates'
            when typed.occurred_at_text is null then 'occurred_at: required value is empty'
            when typed.occurred_at is null then {{ not_of_type('occurred_at', 'timestamp') }}
            {{ dated_after_build_day('occurred_at', 'typed.occurred_at') }}
        end as invalid_detail,
        case
            when typed.customer_id is not null and customers.customer_id is null
                then 'customer_id: not in stg_shop__customers'
        end as orphan_detail,
        cast(null as {{ text_type() }}) as no_rate_detail
    from typed
    left join accepted_signal_types
        on typed.signal_type = accepted_signal_types.signal_type
    left join customers
        on typed.customer_id = customers.customer_id
),

classified as (
    select
        *,
        {{ rejection_reason('signal_id') }} as rejection_reason,
        {{ rejection_detail('signal_id') }} as rejection_detail
    from checked
),

final as (
    select
        signal_id,
        customer_id,
        signal_type,
        occurred_at,
        {{ rejected_raw_record('customer_signals') }} as raw_record,
        rejection_reason,
        rejection_detail
    from classified
)

select * from final
