{#-
    tier_migration against customer_value_history (docs/rules.md section 9): for every period end but
    the first, the migration's customers and margin add up to the period's history rows and
    margin, and its previous margins to the previous period's margin (every customer of the
    previous period is still there, lapsed at worst); there are as many migration periods as
    history periods minus one.
-#}
with migration as (
    select * from {{ ref('tier_migration') }}
),

history as (
    select * from {{ ref('customer_value_history') }}
),

history_periods as (
    select
        period_end,
        count(*) as customers,
        sum(margin_after_cost_to_serve) as margin,
        lag(sum(margin_after_cost_to_serve)) over (order by period_end) as previous_margin,
        row_number() over (order by period_end) as period_number
    from history
    group by period_end
),

migration_periods as (
    select
        period_end,
        sum(customers) as customers,
        sum(margin_after_cost_to_serve) as margin,
        sum(previous_margin_after_cost_to_serve) as previous_margin
    from migration
    group by period_end
),

compared as (
    select
        history_periods.customers as history_customers,
        migration_periods.customers as migration_customers,
        history_periods.margin as history_margin,
        migration_periods.margin as migration_margin,
        history_periods.previous_margin as history_previous_margin,
        migration_periods.previous_margin as migration_previous_margin,
        coalesce(history_periods.period_end, migration_periods.period_end) as period_end
    from history_periods
    full outer join migration_periods
        on history_periods.period_end = migration_periods.period_end
    where history_periods.period_number is null or history_periods.period_number > 1
)

select *
from compared
where
    not coalesce(history_customers = migration_customers, false)
    or not coalesce(history_margin = migration_margin, false)
    or not coalesce(history_previous_margin = migration_previous_margin, false)
