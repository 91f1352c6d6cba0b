{#- Cost to serve per customer and activity, drivers dated on or before the as-of date. -#}

-- a table, not a view: it sums every cost driver, and int_customers_costed (a view) and the
-- key and share tests of both would each sum them again (3 s apiece at 1,000,000 customers);
-- with increments, only the customers whose drivers changed are summed again
{{ config(**increments_config('affected_customers', 'customer_id')) }}

with cost_drivers as (
    select * from {{ ref('int_cost_drivers_costed') }}
    where {{ changed_rows('affected_customers', 'customer_id') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        cost_drivers.customer_id,
        cost_drivers.activity,
        cast(sum(cost_drivers.cost) as decimal(18, 4)) as cost
    from cost_drivers
    cross join as_of
    where cost_drivers.driver_date <= as_of.as_of_date
    group by cost_drivers.customer_id, cost_drivers.activity
)

select * from final
