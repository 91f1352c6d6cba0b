{{ config(**increments_config('orders', 'order_id', keeps_rows_without_key=true)) }}

with

{{ key_copies('orders') }},

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

trimmed as (
    select
        raw_rows.*,
        {{ trimmed_text('raw_order_id') }} as order_id,
        {{ trimmed_text('raw_customer_id') }} as customer_id,
        {{ trimmed_text('raw_ordered_at') }} as ordered_at_text,
        {{ lowered_text('raw_status') }} as status_text,
        {{ trimmed_text('raw_shipping_fee') }} as shipping_fee_text
    from raw_rows
),

typed as (
    select
        trimmed.*,
        {{ typed_timestamp('ordered_at_text') }} as ordered_at,
        {{ mapped_status('status_text') }} as status,
        {{ typed_amount('shipping_fee_text', default=0) }} as shipping_fee
    from trimmed
),

checked as (
    select
        typed.*,
        {{ nulled_value_columns('shipping_fee', 'money') }},
        -- a guest sale: no customer to value (docs/rules.md, guest sales)
        case
            when typed.customer_id is null then 'customer_id: empty (a guest sale)'
        end as no_customer_detail,
        case
            when typed.ordered_at_text is null then 'ordered_at: required value is empty'
            when typed.ordered_at is null then {{ not_of_type('ordered_at', 'timestamp') }}
            {{ dated_after_build_day('ordered_at', 'typed.ordered_at') }}
            when typed.status_text is null then 'status: required value is empty'
            when typed.status is null
                then
                    'status: ' || typed.status_text || ' is not one of completed, returned, cancelled,'
                    || ' refunded; map it with the var raw_status_map'
            when typed.shipping_fee < 0 then 'shipping_fee: below 0'
        end as invalid_detail,
        case
            when typed.customer_id is not null and customers.customer_id is null
                then 'customer_id: not in stg_shop__customers'
        end as orphan_detail,
        cast(null as {{ text_type() }}) as no_rate_detail
    from typed
    left join customers
        on typed.customer_id = customers.customer_id
),

classified as (
    select
        *,
        {{ rejection_reason('order_id', guest_sales=true) }} as rejection_reason,
        {{ rejection_detail('order_id', guest_sales=true) }} as rejection_detail
    from checked
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        status,
        coalesce(shipping_fee, 0) as shipping_fee,
        nulled_column,
        nulled_raw_value,
        nulled_detail,
        {{ rejected_raw_record('orders') }} as raw_record,
        rejection_reason,
        rejection_detail
    from classified
)

select * from final
