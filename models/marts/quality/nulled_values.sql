{#-
    Every optional value that was given but could not be used, one row each (docs/rules.md,
    section 13): the value became null (0 for an amount) and its row was staged. Values of
    personal-data columns are shown redacted, as in rejected_rows.
-#}
{#- The raw tables whose base model has a castable optional column (nulled_column). -#}
{%- set nulling_tables = ['customers', 'orders', 'order_items'] %}

with
{%- for table_name in nulling_tables %}

{{ table_name }}_nulled as (
    select
        cast('{{ table_name }}' as {{ text_type() }}) as source_table,
        cast({{ raw_table_contracts()[table_name].key }} as {{ text_type() }}) as source_key,
        nulled_column as column_name,
        nulled_raw_value as raw_value,
        nulled_detail as detail
    from {{ ref('base_shop__' ~ table_name) }}
    where nulled_column is not null and rejection_reason is null
),
{%- endfor %}

{# Keys of the staged rows of every table: a salvaged field is listed when its row was staged. #}
staged_keys as (
    {%- for table_name, contract in raw_table_contracts().items() %}
    select
        cast('{{ table_name }}' as {{ text_type() }}) as source_table,
        cast({{ contract.key }} as {{ text_type() }}) as source_key
    from {{ ref('base_shop__' ~ table_name) }}
    where rejection_reason is null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

{# Fields of lines with bytes not valid in the file's encoding (the rest of the line was read);
   identical copies of one line (duplicate_key) are listed once. #}
salvaged as (
    select
        salvaged_values.source_table,
        salvaged_values.source_key,
        salvaged_values.column_name,
        min(salvaged_values.raw_value) as raw_value,
        min(salvaged_values.detail) as detail
    from {{ ref('base_shop__salvaged_values') }} as salvaged_values
    inner join staged_keys
        on
            salvaged_values.source_table = staged_keys.source_table
            and salvaged_values.source_key = staged_keys.source_key
    group by salvaged_values.source_table, salvaged_values.source_key, salvaged_values.column_name
),

unioned as (
    {%- for table_name in nulling_tables %}
    select * from {{ table_name }}_nulled
    union all
    {%- endfor %}
    select * from salvaged
),

redacted as (
    select
        source_table,
        source_key,
        column_name,
        case
            {%- for table_name in raw_table_contracts() %}
            {%- for column_name in contract_pii_columns(table_name) %}
            when source_table = '{{ table_name }}' and column_name = '{{ column_name }}'
                then {{ redacted_pii('raw_value') }}
            {%- endfor %}
            {%- endfor %}
            else raw_value
        end as raw_value,
        detail
    from unioned
),

final as (
    select
        source_table,
        source_key,
        column_name,
        raw_value,
        detail
    from redacted
)

select * from final
