{#- Every raw row or line that did not make it into staging, one row each, with its reason. -#}
{%- set raw_tables = raw_table_contracts() %}

with
{%- for table_name, contract in raw_tables.items() %}

{{ table_name }}_rejected as (
    select
        cast('{{ table_name }}' as {{ text_type() }}) as source_table,
        cast({{ contract.key }} as {{ text_type() }}) as source_key,
        rejection_reason as reason,
        rejection_detail as detail,
        raw_record
    from {{ ref('base_shop__' ~ table_name) }}
    where rejection_reason is not null
),
{%- endfor %}

{# Lines the CSV reader could not parse (docs/rules.md section 7): no key can be read from them. #}
malformed_lines as (
    select
        source_table,
        cast(null as {{ text_type() }}) as source_key,
        'malformed_line' as reason,
        problem as detail,
        raw_record
    from {{ ref('base_shop__malformed_lines') }}
),

unioned as (
    {%- for table_name in raw_tables %}
    select * from {{ table_name }}_rejected
    union all
    {%- endfor %}
    select * from malformed_lines
),

final as (
    select
        source_table,
        source_key,
        reason,
        detail,
        raw_record
    from unioned
)

select * from final
