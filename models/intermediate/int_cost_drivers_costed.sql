{#-
    One row per activity-based cost driver (docs/rules.md section 3), all dates:
    order_processing (every order) and delivery (completed or returned orders), dated at
    ordered_at, return_handling (every credit note, status refunded) at its own date, plus every
    staged service event, dated at occurred_at; costed at the rate
    valid on the driver's date. An order-derived driver with no rate keeps a null cost and
    fails the error-severity test `assert_order_cost_drivers_have_a_rate`. The public mart
    fct_cost_to_serve publishes it as is; intermediate models read this model, not the mart.
-#}

-- a table, not a view: two intermediate models and the public fact read it, so it is computed once;
-- with increments, only the drivers of changed orders and service events (process_increments.sql)
{{ config(**cost_drivers_increments_config()) }}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where {{ changed_rows('affected_orders', 'order_id') }}
),

service_events as (
    select * from {{ ref('stg_shop__service_events') }}
    where {{ changed_rows('service_events', 'event_id') }}
),

service_cost_rates as (
    select * from {{ ref('service_cost_rates') }}
),

order_processing_drivers as (
    select
        'order_processing|' || order_id as cost_driver_id,
        customer_id,
        order_id,
        'order_processing' as activity,
        'order' as driver_source,
        cast(ordered_at as date) as driver_date,
        1 as units
    from orders
),

delivery_drivers as (
    select
        'delivery|' || order_id as cost_driver_id,
        customer_id,
        order_id,
        'delivery' as activity,
        'order' as driver_source,
        cast(ordered_at as date) as driver_date,
        1 as units
    from orders
    where status in ('completed', 'returned')
),

-- a credit note is a return to handle: 1 unit at its own date
return_handling_drivers as (
    select
        'return_handling|' || order_id as cost_driver_id,
        customer_id,
        order_id,
        'return_handling' as activity,
        'order' as driver_source,
        cast(ordered_at as date) as driver_date,
        1 as units
    from orders
    where status = 'refunded'
),

service_event_drivers as (
    select
        'service_event|' || event_id as cost_driver_id,
        customer_id,
        order_id,
        activity,
        'service_event' as driver_source,
        cast(occurred_at as date) as driver_date,
        units
    from service_events
),

cost_drivers as (
    select * from order_processing_drivers
    union all
    select * from delivery_drivers
    union all
    select * from return_handling_drivers
    union all
    select * from service_event_drivers
),

costed as (
    select
        cost_drivers.*,
        service_cost_rates.cost_per_unit
    from cost_drivers
    left join service_cost_rates
        on
            cost_drivers.activity = service_cost_rates.activity
            and {{ rate_is_valid_on('service_cost_rates', 'cost_drivers.driver_date') }}
),

final as (
    select
        cast(cost_driver_id as {{ text_type() }}) as cost_driver_id,
        cast(customer_id as {{ text_type() }}) as customer_id,
        cast(order_id as {{ text_type() }}) as order_id,
        cast(activity as {{ text_type() }}) as activity,
        cast(driver_source as {{ text_type() }}) as driver_source,
        cast(driver_date as date) as driver_date,
        cast(units as decimal(18, 4)) as units,
        cast(cost_per_unit as decimal(18, 4)) as cost_per_unit,
        cast(units * cost_per_unit as decimal(18, 4)) as cost
    from costed
)

select * from final
