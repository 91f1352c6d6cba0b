{#- One row per value decile (docs/rules.md section 5), aggregated from customer_value so totals agree to the cent. -#}
with customers as (
    select * from {{ ref('customer_value') }}
),

deciles as (
    select
        value_decile,
        count(*) as customers,
        sum(revenue) as revenue,
        sum(gross_margin) as gross_margin,
        sum(cost_to_serve) as cost_to_serve,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(case when is_unprofitable then 1 else 0 end) as unprofitable_customers
    from customers
    group by value_decile
),

shared as (
    select
        *,
        sum(margin_after_cost_to_serve) over () as total_margin,
        sum(margin_after_cost_to_serve) over (
            order by value_decile rows between unbounded preceding and current row
        ) as cumulative_margin
    from deciles
),

final as (
    select
        cast(value_decile as integer) as value_decile,
        cast(customers as integer) as customers,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(cost_to_serve as decimal(18, 2)) as cost_to_serve,
        cast(margin_after_cost_to_serve as decimal(18, 2)) as margin_after_cost_to_serve,
        cast(case when total_margin > 0 then cast(margin_after_cost_to_serve as double) / total_margin end as double)
            as share_of_total_margin,
        cast(case when total_margin > 0 then cast(cumulative_margin as double) / total_margin end as double)
            as cumulative_share_of_total_margin,
        cast(unprofitable_customers as integer) as unprofitable_customers
    from shared
)

select * from final
