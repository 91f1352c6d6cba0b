{#-
    customer_value and each customer's share of the population's margin after cost to serve.
    A share of the total is not additive over a group unless it is per row: summing these
    shares over any grouping gives that group's share_of_total_margin (docs/rules.md section 5), which
    MetricFlow cannot compute from the group's rows alone.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

population as (
    select
        *,
        sum(margin_after_cost_to_serve) over () as total_margin
    from customers
),

final as (
    select
        customer_id,
        first_ordered_at,
        value_tier,
        value_decile,
        service_level,
        rfm_segment,
        service_priority,
        revenue,
        gross_margin,
        cost_to_serve,
        margin_after_cost_to_serve,
        is_unprofitable,
        has_upgrade_potential,
        -- lifetime-value predictions (null where the models are off)
        is_top_at_risk,
        expected_revenue_{{ var('clv_horizon_months') }}m as expected_revenue,
        predicted_clv,
        cast(
            case when total_margin > 0 then cast(margin_after_cost_to_serve as double) / total_margin end as double
        ) as share_of_total_margin
    from population
)

select * from final
