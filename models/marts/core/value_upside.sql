{#-
    What moving customers up is worth, per value tier (docs/rules.md, section 10), aggregated from
    customer_value so the sums agree with it to the cent.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

tiers as (
    select
        value_tier,
        count(*) as customers,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(case when has_upgrade_potential then 1 else 0 end) as customers_with_upgrade_potential,
        coalesce(sum(upside_to_next_decile), 0) as upside_to_next_decile,
        sum(loss_avoidable) as loss_avoidable
    from customers
    group by value_tier
),

shared as (
    select
        *,
        sum(margin_after_cost_to_serve) over () as total_margin
    from tiers
),

final as (
    select
        cast(value_tier as {{ text_type() }}) as value_tier,
        cast(customers as integer) as customers,
        cast(margin_after_cost_to_serve as decimal(18, 2)) as margin_after_cost_to_serve,
        cast(customers_with_upgrade_potential as integer) as customers_with_upgrade_potential,
        cast(upside_to_next_decile as decimal(18, 2)) as upside_to_next_decile,
        cast(loss_avoidable as decimal(18, 2)) as loss_avoidable,
        cast(
            case
                when margin_after_cost_to_serve > 0
                    then cast(upside_to_next_decile as double) / cast(margin_after_cost_to_serve as double)
            end as double
        ) as upside_share_of_tier_margin,
        cast(
            case
                when total_margin > 0 then cast(upside_to_next_decile as double) / cast(total_margin as double)
            end as double
        ) as upside_share_of_total_margin
    from shared
)

select * from final
