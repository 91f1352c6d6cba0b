{#-
    What staging set apart, per raw table and reason (docs/rules.md, section 13): the rows of
    rejected_rows, plus the staged rows with a nulled optional value (reason nulled_value), each
    with its share of the table's raw rows and whether it counts toward max_rejected_share.
-#}
{%- set raw_tables = raw_table_contracts() %}

with

rejected as (
    select * from {{ ref('rejected_rows') }}
),

nulled as (
    select * from {{ ref('nulled_values') }}
),

{# Raw rows of a table = staged + rejected rows (test reconciles_with_raw). #}
staged_counts as (
    {%- for table_name in raw_tables %}
    select
        cast('{{ table_name }}' as {{ text_type() }}) as source_table,
        count(*) as staged_rows
    from {{ ref('stg_shop__' ~ table_name) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rejected_counts as (
    select
        source_table,
        count(*) as rejected_rows
    from rejected
    group by source_table
),

raw_counts as (
    select
        staged_counts.source_table,
        staged_counts.staged_rows + coalesce(rejected_counts.rejected_rows, 0) as raw_rows
    from staged_counts
    left join rejected_counts
        on staged_counts.source_table = rejected_counts.source_table
),

quarantined as (
    select
        source_table,
        reason,
        count(*) as quarantined_rows
    from rejected
    group by source_table, reason
    union all
    {# A staged row with several nulled values counts once. #}
    select
        source_table,
        'nulled_value' as reason,
        count(distinct coalesce(source_key, '')) as quarantined_rows
    from nulled
    group by source_table
),

{# The public column name `rows` is a SQL keyword: it is named in the CTE's column list. #}
final (source_table, reason, rows, share_of_table, counts_toward_limit) as (
    select
        quarantined.source_table,
        quarantined.reason,
        cast(quarantined.quarantined_rows as integer) as quarantined_rows,
        cast(quarantined.quarantined_rows as double) / nullif(raw_counts.raw_rows, 0) as share_of_table,
        quarantined.reason not in ('nulled_value', 'no_customer') as counts_toward_limit
    from quarantined
    left join raw_counts
        on quarantined.source_table = raw_counts.source_table
)

select * from final
