{#-
    One row per day: MetricFlow's time spine (docs/rules.md, section 12), from before any plausible
    order to far ahead.
-#}
with days as (
    {{ dbt.date_spine('day', "cast('1990-01-01' as date)", "cast('2051-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
