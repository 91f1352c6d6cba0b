{#-
    The period ends of the history (docs/rules.md section 9): the last var history_months calendar
    month ends on or before the as-of date, plus the as-of date itself when it is not a month
    end, each with the start of its value window (var value_window_days; the window is
    (window_start_date, period_end]) and the period end before it.
-#}
{%- set history_months = var('history_months') %}
{%- set window_days = var('value_window_days') %}

with as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

-- the first day of the month after the latest month end on or before the as-of date
anchored as (
    select
        as_of_date,
        cast({{ dbt.date_trunc('month', add_days('as_of_date', 1)) }} as date) as anchor_date
    from as_of
),

months_back as (
    {%- for months in range(history_months) %}
    select {{ months }} as months_back{{ " union all" if not loop.last }}
    {%- endfor %}
),

candidates as (
    select {{ add_days(add_months('anchored.anchor_date', '-months_back.months_back'), -1) }} as period_end
    from anchored
    cross join months_back
    union all
    select as_of_date as period_end
    from anchored
),

periods as (
    select distinct period_end
    from candidates
),

final as (
    select
        periods.period_end,
        {{ add_days('periods.period_end', -window_days) }} as window_start_date,
        lag(periods.period_end) over (order by periods.period_end) as previous_period_end,
        periods.period_end = as_of.as_of_date as is_as_of_period
    from periods
    cross join as_of
)

select * from final
