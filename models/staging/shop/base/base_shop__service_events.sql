{{ config(**increments_config('service_events', 'event_id', keeps_rows_without_key=true)) }}

with

{{ key_copies('service_events') }},

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

orders as (
    select order_id from {{ ref('stg_shop__orders') }}
),

rates as (
    select * from {{ ref('service_cost_rates') }}
),

accepted_activities as (
    select distinct activity from rates
),

trimmed as (
    select
        raw_rows.*,
        {{ trimmed_text('raw_event_id') }} as event_id,
        {{ trimmed_text('raw_customer_id') }} as customer_id,
        {{ trimmed_text('raw_order_id') }} as order_id,
        {{ lowered_text('raw_activity') }} as activity,
        {{ trimmed_text('raw_occurred_at') }} as occurred_at_text,
        {{ trimmed_text('raw_units') }} as units_text
    from raw_rows
),

typed as (
    select
        trimmed.*,
        {{ typed_timestamp('occurred_at_text') }} as occurred_at,
        {{ typed_value('units_text', 'number') }} as units
    from trimmed
),

-- (activity, day) pairs: few, whatever the number of events, so rates are matched once per pair
event_days as (
    select distinct
        activity,
        cast(occurred_at as date) as event_date
    from typed
),

rated_activity_days as (
    select distinct
        event_days.activity,
        event_days.event_date
    from event_days
    inner join rates as rate
        on
            event_days.activity = rate.activity
            and {{ rate_is_valid_on('rate', 'event_days.event_date') }}
),

checked as (
    select
        typed.*,
        case
            when typed.customer_id is null then 'customer_id: required value is empty'
            when typed.activity is null then 'activity: required value is empty'
            when accepted_activities.activity is null then 'activity: not in service_cost_rates'
            when typed.occurred_at_text is null then 'occurred_at: required value is empty'
            when typed.occurred_at is null then {{ not_of_type('occurred_at', 'timestamp') }}
            {{ dated_after_build_day('occurred_at', 'typed.occurred_at') }}
            when typed.units_text is null then 'units: required value is empty'
            when typed.units is null then {{ not_of_type('units', 'number') }}
            when typed.units < 0 then 'units: below 0'
        end as invalid_detail,
        case
            when typed.customer_id is not null and customers.customer_id is null
                then 'customer_id: not in stg_shop__customers'
            when typed.order_id is not null and orders.order_id is null
                then 'order_id: not in stg_shop__orders'
        end as orphan_detail,
        case
            when rated_activity_days.activity is null
                then
                    'no ' || typed.activity || ' rate valid on '
                    || cast(cast(typed.occurred_at as date) as {{ text_type() }})
        end as no_rate_detail
    from typed
    left join accepted_activities
        on typed.activity = accepted_activities.activity
    left join customers
        on typed.customer_id = customers.customer_id
    left join orders
        on typed.order_id = orders.order_id
    left join rated_activity_days
        on
            typed.activity = rated_activity_days.activity
            and cast(typed.occurred_at as date) = rated_activity_days.event_date
),

classified as (
    select
        *,
        {{ rejection_reason('event_id') }} as rejection_reason,
        {{ rejection_detail('event_id') }} as rejection_detail
    from checked
),

final as (
    select
        event_id,
        customer_id,
        order_id,
        activity,
        occurred_at,
        units,
        {{ rejected_raw_record('service_events') }} as raw_record,
        rejection_reason,
        rejection_detail
    from classified
)

select * from final
