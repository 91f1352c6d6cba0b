{#-
    Pareto check: how much of the margin after cost to serve do the best 10% of customers
    earn? A share above 1.0 means the top decile earns more than the whole business keeps
    (the rest of the population gives part of it away). Also the revenue share, for contrast.
    Compile with `dbt compile -s top_decile_share_of_margin` and run the SQL in target/.
-#}
with deciles as (
    select * from {{ ref('customer_value_deciles') }}
),

totals as (
    select
        sum(customers) as customers,
        sum(revenue) as revenue,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve
    from deciles
),

final as (
    select
        deciles.value_decile,
        deciles.customers,
        deciles.revenue,
        deciles.margin_after_cost_to_serve,
        deciles.share_of_total_margin,
        cast(deciles.customers as double) / totals.customers as share_of_customers,
        case when totals.revenue > 0 then cast(deciles.revenue as double) / totals.revenue end as share_of_total_revenue
    from deciles
    cross join totals
    where deciles.value_decile = 1
)

select * from final
