{#-
    The whale curve agrees with customer_value (docs/rules.md section 5): exactly 100 percentiles; at
    p = 100 it includes every customer and, when the total margin > 0, its cumulative margin
    share is 1.0; at every p the margin share is customer_value.cumulative_margin_share of the
    customer at value_rank customers_included (the two models compute it apart), and the
    revenue share the running revenue of the best customers_included customers, recomputed
    here from customer_value, over the population's revenue (null when that total <= 0).
-#}
with curve as (
    select * from {{ ref('whale_curve') }}
),

customers as (
    select * from {{ ref('customer_value') }}
),

running as (
    select
        value_rank,
        cumulative_margin_share,
        sum(revenue) over (order by value_rank rows between unbounded preceding and current row)
            as cumulative_revenue,
        sum(revenue) over () as total_revenue
    from customers
),

expected as (
    select
        value_rank,
        cumulative_margin_share as margin_share,
        case when total_revenue > 0 then cast(cumulative_revenue as double) / total_revenue end as revenue_share
    from running
),

population as (
    select
        count(*) as customers,
        sum(margin_after_cost_to_serve) as total_margin
    from customers
),

curve_size as (
    select count(*) as percentiles from curve
)

select
    curve.customer_percentile,
    curve.customers_included,
    curve.cumulative_revenue_share,
    expected.revenue_share as expected_revenue_share,
    curve.cumulative_margin_share,
    expected.margin_share as expected_margin_share,
    curve_size.percentiles
from curve
cross join population
cross join curve_size
left join expected
    on curve.customers_included = expected.value_rank
where
    curve_size.percentiles <> 100
    or (curve.customer_percentile = 100 and curve.customers_included <> population.customers)
    or (
        curve.customer_percentile = 100
        and population.total_margin > 0
        and not coalesce(abs(curve.cumulative_margin_share - 1.0) < 1e-9, false)
    )
    or not coalesce(
        abs(curve.cumulative_margin_share - expected.margin_share) < 1e-9,
        curve.cumulative_margin_share is null and expected.margin_share is null
    )
    or not coalesce(
        abs(curve.cumulative_revenue_share - expected.revenue_share) < 1e-9,
        curve.cumulative_revenue_share is null and expected.revenue_share is null
    )
