{#- Cost to serve per customer and activity, drivers dated on or before the as-of date. -#}
with cost_drivers as (
    select * from {{ ref('fct_cost_to_serve') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        cost_drivers.customer_id,
        cost_drivers.activity,
        sum(cost_drivers.cost) as cost
    from cost_drivers
    cross join as_of
    where cost_drivers.driver_date <= as_of.as_of_date
    group by cost_drivers.customer_id, cost_drivers.activity
)

select * from final
