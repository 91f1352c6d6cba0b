{#-
    Nothing lost in staging: raw rows (lines that could not be read included) = staged rows + rejected rows for one raw table
    (docs/rules.md section 2). Apply to a staging model with the raw table's name; fails with
    the three counts when they do not add up.
-#}
{% test reconciles_with_raw(model, source_table) %}

with raw_rows as (
    select {{ raw_row_count(source_table) }} as row_count
),

staged_rows as (
    select count(*) as row_count from {{ model }}
),

rejected as (
    select count(*) as row_count
    from {{ ref('rejected_rows') }}
    where source_table = '{{ source_table }}'
)

select
    raw_rows.row_count as raw_rows,
    staged_rows.row_count as staged_rows,
    rejected.row_count as rejected_rows
from raw_rows
cross join staged_rows
cross join rejected
where raw_rows.row_count <> staged_rows.row_count + rejected.row_count

{% endtest %}
