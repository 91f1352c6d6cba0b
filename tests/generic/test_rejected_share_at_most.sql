{#-
    Data-quality limit: the share of each raw table's rows (and unreadable lines) that staging
    rejected stays at or below `max_share` (the var max_rejected_share, at error severity: an
    export that is mostly broken stops the build). Applied to quarantine_summary, whose rows
    with counts_toward_limit are the rejected rows that count. When a table is over the limit
    the test stops with one error line (data_failure) naming the table, its share, the limit
    and its three largest reasons with their counts, worst table first (of two as bad, the one
    with fewer orphans, which are the other's consequence); the quarantine itself
    is then in the diagnostics folder (write_quarantine_diagnostics). Guest sales (reason
    no_customer) are not bad rows: they count neither as rejected nor in the table's rows, so
    the share is (shares that count) / (1 - the guest sales' share) (docs/rules.md, guest sales).
-#}
{% test rejected_share_at_most(model, max_share) %}

with guest_sales as (
    select
        source_table,
        sum(share_of_table) as guest_share
    from {{ model }}
    where reason = 'no_customer'
    group by source_table
),

counted as (
    select
        quarantine.source_table,
        quarantine.reason,
        quarantine.rows,
        quarantine.share_of_table / (1 - coalesce(guest_sales.guest_share, 0)) as share_of_table,
        row_number() over (
            partition by quarantine.source_table order by quarantine.rows desc, quarantine.reason
        ) as reason_rank
    from {{ model }} as quarantine
    left join guest_sales
        on quarantine.source_table = guest_sales.source_table
    where quarantine.counts_toward_limit
),

per_table as (
    select
        source_table,
        sum(rows) as rejected_rows,
        sum(share_of_table) as rejected_share,
        sum(case when reason = 'orphan' then share_of_table else 0 end) as orphan_share,
        max(case when reason_rank = 1 then reason || ' ' || cast(rows as {{ text_type() }}) end) as reason_1,
        max(case when reason_rank = 2 then ', ' || reason || ' ' || cast(rows as {{ text_type() }}) end) as reason_2,
        max(case when reason_rank = 3 then ', ' || reason || ' ' || cast(rows as {{ text_type() }}) end) as reason_3
    from counted
    group by source_table
),

over_limit as (
    select
        *,
        'Raw table ' || source_table || ': '
        || cast(round(rejected_share * 100, 1) as {{ text_type() }}) || '% of its rows rejected ('
        || cast(rejected_rows as {{ text_type() }}) || '), above the limit max_rejected_share = '
        || cast(round({{ max_share }} * 100, 1) as {{ text_type() }}) || '%; largest reasons: '
        || reason_1 || coalesce(reason_2, '') || coalesce(reason_3, '')
        || '. The rows are in {{ quarantine_diagnostics_dir() }}/rejected_rows.parquet' as message
    from per_table
    where rejected_share > {{ max_share }}
),

ranked as (
    select
        *,
        {#- worst first; of two as bad, the one whose rows are not orphans of the other: the cause #}
        row_number() over (order by rejected_share desc, orphan_share, source_table) as table_rank,
        count(*) over () as tables_over_limit
    from over_limit
),

messaged as (
    select
        *,
        message || case
            when tables_over_limit > 1
                then ' (and ' || cast(tables_over_limit - 1 as {{ text_type() }}) || ' more table(s) over the limit)'
            else ''
        end as first_line
    from ranked
    where table_rank = 1
)

{#- The error is raised in the filter: dbt counts the test's rows without reading its columns. #}
select
    source_table,
    rejected_rows,
    rejected_share,
    first_line
from messaged
where {{ data_failure('first_line') }} is null

{% endtest %}
