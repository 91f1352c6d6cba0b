{#-
    The whale curve agrees with customer_value: 100 percentiles; at p = 100 it includes every
    customer and, when total margin > 0, its cumulative margin share is 1.0; at every p its
    margin share equals customer_value.cumulative_margin_share of the last customer included.
-#}
with curve as (
    select * from {{ ref('whale_curve') }}
),

customers as (
    select * from {{ ref('customer_value') }}
),

population as (
    select
        count(*) as customers,
        sum(margin_after_cost_to_serve) as total_margin
    from customers
)

select
    curve.customer_percentile,
    curve.customers_included,
    curve.cumulative_margin_share
from curve
cross join population
left join customers
    on curve.customers_included = customers.value_rank
where
    (curve.customer_percentile = 100 and curve.customers_included <> population.customers)
    or (curve.customer_percentile = 100 and population.total_margin > 0 and abs(curve.cumulative_margin_share - 1.0) > 1e-9)
    or abs(coalesce(curve.cumulative_margin_share, -1) - coalesce(customers.cumulative_margin_share, -1)) > 1e-9
    or (select count(*) from curve) <> 100
