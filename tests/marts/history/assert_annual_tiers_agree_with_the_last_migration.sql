{#-
    customer_value's annual tiers (spec section 9) against the history's last migration:
    counting customer_value by (previous_annual_value_tier, annual_value_tier) gives exactly
    tier_migration's rows at the as-of date, and is_top_lost counts the customers of the moves
    from top to anything else. Two models built separately must agree. (With a single period
    there is no migration and nothing to compare.)
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

migration as (
    select * from {{ ref('tier_migration') }}
    where period_end = (select max(period_end) from {{ ref('customer_value_history') }})
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
        coalesce(moves.previous_tier, migration.previous_tier) as previous_tier,
        coalesce(moves.value_tier, migration.value_tier) as value_tier,
        moves.customers as customer_value_customers,
        migration.customers as migration_customers,
        moves.top_lost,
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
    (select count(distinct period_end) from {{ ref('customer_value_history') }}) > 1
    and (
        not coalesce(customer_value_customers = migration_customers, false)
        or not coalesce(top_lost = expected_top_lost, false)
    )
