{#-
    How customers moved between states from one period end to the next (docs/rules.md section 9): one
    row per period end (all but the first), previous state and state. previous_tier is `new`
    for customers without a row at the previous period end.
-#}
with history as (
    select * from {{ ref('customer_value_history') }}
),

periods as (
    select * from {{ ref('int_value_periods_enumerated') }}
),

paired as (
    {{ history_with_previous_state('history', 'periods') }}
),

final as (
    select
        cast(period_end as date) as period_end,
        cast(previous_value_tier as {{ text_type() }}) as previous_tier,
        cast(value_tier as {{ text_type() }}) as value_tier,
        cast(count(*) as integer) as customers,
        cast(sum(margin_after_cost_to_serve) as decimal(18, 2)) as margin_after_cost_to_serve,
        cast(sum(previous_margin_after_cost_to_serve) as decimal(18, 2)) as previous_margin_after_cost_to_serve
    from paired
    where previous_period_end is not null
    group by period_end, previous_value_tier, value_tier
)

select * from final
