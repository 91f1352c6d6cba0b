{#-
    The export has a valid order to value, so the as-of date exists (docs/rules.md, sections 3
    and 13). When every order was rejected (or is dated after the build day), the build stops
    with one line saying so and where the quarantine is, instead of a null-date symptom.
-#}
with as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

missing as (
    select
        'No valid order to value: every order of the export was rejected or is dated after the day'
        || ' of the build. Why, per table and reason: {{ quarantine_diagnostics_dir() }}/quarantine_summary.parquet'
        || ' (the rows: rejected_rows.parquet)' as first_line
    from as_of
    where as_of_date is null
)

{#- The error is raised in the filter: dbt counts the test's rows without reading its columns. #}
select first_line
from missing
where {{ data_failure('first_line') }} is null
