{{ config(**increments_config('order_items', 'order_item_id', keeps_rows_without_key=true)) }}

with

{{ key_copies('order_items') }},

orders as (
    select
        order_id,
        status
    from {{ ref('stg_shop__orders') }}
),

-- lines of a guest sale follow their order to rejected_rows as no_customer, not as orphans
guest_orders as (
    select distinct order_id
    from {{ ref('base_shop__orders') }}
    where rejection_reason = 'no_customer'
),

trimmed as (
    select
        raw_rows.*,
        {{ trimmed_text('raw_order_item_id') }} as order_item_id,
        {{ trimmed_text('raw_order_id') }} as order_id,
        {{ trimmed_text('raw_product_id') }} as product_id,
        {{ trimmed_text('raw_product_category') }} as product_category,
        {{ trimmed_text('raw_quantity') }} as quantity_text,
        {{ trimmed_text('raw_unit_price') }} as unit_price_text,
        {{ trimmed_text('raw_unit_cost') }} as unit_cost_text,
        {{ trimmed_text('raw_discount_amount') }} as discount_amount_text
    from raw_rows
),

typed as (
    select
        trimmed.*,
        {{ typed_whole_number('quantity_text') }} as quantity,
        {{ typed_amount('unit_price_text') }} as unit_price,
        {{ typed_amount('unit_cost_text') }} as unit_cost,
        {{ typed_amount('discount_amount_text', default=0) }} as discount_amount
    from trimmed
),

checked as (
    select
        typed.*,
        {{ nulled_value_columns('discount_amount', 'money') }},
        case
            when guest_orders.order_id is not null then 'order_id: a guest sale (its customer_id is empty)'
        end as no_customer_detail,
        -- a credit note's quantities may be written negative or positive: the credit is their size
        orders.status = 'refunded' as is_credit_note,
        case
            when typed.order_id is null then 'order_id: required value is empty'
            when typed.product_id is null then 'product_id: required value is empty'
            when typed.quantity_text is null then 'quantity: required value is empty'
            when typed.quantity is null then {{ not_of_type('quantity', 'whole_number') }}
            when typed.quantity = 0 then 'quantity: not greater than 0'
            when typed.quantity < 0 and orders.status <> 'refunded'
                then 'quantity: not greater than 0 (only a credit note may have negative quantities)'
            when typed.unit_price_text is null then 'unit_price: required value is empty'
            when typed.unit_price is null then {{ not_of_type('unit_price', 'money') }}
            when typed.unit_price < 0 then 'unit_price: below 0'
            when typed.unit_cost_text is null then 'unit_cost: required value is empty'
            when typed.unit_cost is null then {{ not_of_type('unit_cost', 'money') }}
            when typed.unit_cost < 0 then 'unit_cost: below 0'
            when typed.discount_amount < 0 then 'discount_amount: below 0'
            when not (typed.discount_amount <= abs(typed.quantity) * typed.unit_price)
                then 'discount_amount: exceeds quantity x unit_price'
        end as invalid_detail,
        case
            when typed.order_id is not null and orders.order_id is null
                then 'order_id: not in stg_shop__orders'
        end as orphan_detail,
        cast(null as {{ text_type() }}) as no_rate_detail
    from typed
    left join orders
        on typed.order_id = orders.order_id
    left join guest_orders
        on typed.order_id = guest_orders.order_id
),

classified as (
    select
        *,
        {{ rejection_reason('order_item_id', guest_sales=true) }} as rejection_reason,
        {{ rejection_detail('order_item_id', guest_sales=true) }} as rejection_detail
    from checked
),

final as (
    select
        order_item_id,
        order_id,
        product_id,
        product_category,
        case when is_credit_note then abs(quantity) else quantity end as quantity,
        unit_price,
        unit_cost,
        coalesce(discount_amount, 0) as discount_amount,
        nulled_column,
        nulled_raw_value,
        nulled_detail,
        {{ rejected_raw_record('order_items') }} as raw_record,
        rejection_reason,
        rejection_detail
    from classified
)

select * from final
