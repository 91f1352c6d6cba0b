{#-
    Data-quality signal: the share of a raw table's rows (and unreadable lines) that staging
    rejected stays at or below `max_share` (the var max_rejected_share, at error severity: an
    export that is mostly broken stops the build). Guest sales (reason no_customer) are not bad
    rows: they count neither as rejected nor in the table's rows (docs/rules.md, guest sales).
    Each build logs what it rejected (log_rejected_rows_summary).
-#}
{% test rejected_share_at_most(model, source_table, max_share) %}

with raw_rows as (
    select {{ raw_row_count(source_table) }} as row_count
),

rejected as (
    select
        coalesce(sum(case when reason <> 'no_customer' then 1 else 0 end), 0) as row_count,
        coalesce(sum(case when reason = 'no_customer' then 1 else 0 end), 0) as guest_row_count
    from {{ ref('rejected_rows') }}
    where source_table = '{{ source_table }}'
)

select
    '{{ source_table }}' as source_table,
    rejected.row_count as rejected_rows,
    raw_rows.row_count - rejected.guest_row_count as raw_rows,
    cast(rejected.row_count as double) / (raw_rows.row_count - rejected.guest_row_count) as rejected_share
from raw_rows
cross join rejected
where rejected.row_count > {{ max_share }} * (raw_rows.row_count - rejected.guest_row_count)

{% endtest %}
