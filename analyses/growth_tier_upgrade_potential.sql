{#-
    How many growth-tier customers could move up, and why? Per upgrade reason: the growth
    customers with that reason (a customer with two reasons counts under both), their revenue
    and margin, and how far their average margin is from the top tier's lowest margin. A last row
    `any reason` counts each customer once.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

reasons as (
    select * from {{ ref('int_customers_flagged_by_upgrade_reason') }}
),

growth as (
    select *
    from customers
    where value_tier = 'growth'
),

top_tier_floor as (
    select min(margin_after_cost_to_serve) as lowest_top_margin
    from customers
    where value_tier = 'top'
),

per_reason as (
    select
        reasons.upgrade_reason,
        count(*) as customers,
        sum(growth.revenue) as revenue,
        sum(growth.margin_after_cost_to_serve) as margin_after_cost_to_serve,
        avg(growth.margin_after_cost_to_serve) as average_margin_after_cost_to_serve
    from reasons
    inner join growth
        on reasons.customer_id = growth.customer_id
    group by reasons.upgrade_reason
),

any_reason as (
    select
        'any reason' as upgrade_reason,
        count(*) as customers,
        sum(revenue) as revenue,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        avg(margin_after_cost_to_serve) as average_margin_after_cost_to_serve
    from growth
    where has_upgrade_potential
),

final as (
    select
        combined.upgrade_reason,
        combined.customers,
        combined.revenue,
        combined.margin_after_cost_to_serve,
        combined.average_margin_after_cost_to_serve,
        cast(combined.customers as double) / (select count(*) from growth) as share_of_growth_tier,
        top_tier_floor.lowest_top_margin - combined.average_margin_after_cost_to_serve
            as average_gap_to_top_tier
    from (
        select * from per_reason
        union all
        select * from any_reason
    ) as combined
    cross join top_tier_floor
)

select * from final
order by case when upgrade_reason = 'any reason' then 1 else 0 end asc, customers desc, upgrade_reason asc
