{#-
    quarantine_summary with the day of the build as a date: MetricFlow wants a time dimension
    for every measure, and a quarantine is a picture of one build.
-#}
with quarantine as (
    select * from {{ ref('quarantine_summary') }}
),

final as (
    select
        source_table || '/' || reason as quarantine_entry,
        {{ build_day() }} as built_on,
        source_table,
        reason,
        counts_toward_limit,
        rows as quarantined_rows
    from quarantine
)

select * from final
