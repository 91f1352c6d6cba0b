{#- One row per value tier (docs/rules.md section 5): keep the top, grow the middle, stop over-serving the tail. -#}
with customers as (
    select * from {{ ref('customer_value') }}
),

tiers as (
    select
        value_tier,
        count(*) as customers,
        sum(revenue) as revenue,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(case when has_upgrade_potential then 1 else 0 end) as customers_with_upgrade_potential
    from customers
    group by value_tier
),

shared as (
    select
        *,
        sum(customers) over () as total_customers,
        sum(margin_after_cost_to_serve) over () as total_margin
    from tiers
),

final as (
    select
        cast(value_tier as {{ text_type() }}) as value_tier,
        cast(customers as integer) as customers,
        cast(cast(customers as double) / total_customers as double) as share_of_customers,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(margin_after_cost_to_serve as decimal(18, 2)) as margin_after_cost_to_serve,
        cast(case when total_margin > 0 then cast(margin_after_cost_to_serve as double) / total_margin end as double)
            as share_of_total_margin,
        cast(customers_with_upgrade_potential as integer) as customers_with_upgrade_potential
    from shared
)

select * from final
