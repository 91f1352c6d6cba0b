{#-
    customer_value's annual tiers (docs/rules.md section 9) against the history's last migration:
    counting customer_value by (previous_annual_value_tier, annual_value_tier) gives exactly
    tier_migration's rows at the as-of date, and is_top_lost counts the customers of the moves
    from top to anything else. Two models built separately must agree. (With a single period
    there is no migration and nothing to compare.)
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

history as (
    select * from {{ ref('customer_value_history') }}
),

latest_period as (
    select max(period_end) as period_end from history
),

migration as (
    select tier_migration.*
    from {{ ref('tier_migration') }} as tier_migration
    inner join latest_period
        on tier_migration.period_end = latest_period.period_end
),

moves as (
    select
        previous_annual_value_tier as previous_tier,
        annual_value_tier as value_tier,
        count(*) as customers,
        sum(case when is_top_lost then 1 else 0 end) as top_lost
    from customers
    group by previous_annual_value_tier, annual_value_tier
),

compared as (
    select
        moves.customers as customer_value_customers,
        migration.customers as migration_customers,
        moves.top_lost,
        coalesce(moves.previous_tier, migration.previous_tier) as previous_tier,
        coalesce(moves.value_tier, migration.value_tier) as value_tier,
        case
            when migration.previous_tier = 'top' and migration.value_tier <> 'top' then migration.customers else 0
        end as expected_top_lost
    from moves
    full outer join migration
        on moves.previous_tier = migration.previous_tier and moves.value_tier = migration.value_tier
)

select *
from compared
where
    (select count(distinct history.period_end) from history) > 1
    and (
        not coalesce(customer_value_customers = migration_customers, false)
        or not coalesce(top_lost = expected_top_lost, false)
    )
