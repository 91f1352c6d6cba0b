{#-
    The one staging mechanism (spec section 2), applied to every raw table from its
    contract in raw_table_contracts(): every raw row comes out exactly once, typed, with
    `rejection_reason` null (it is staged) or the first rule it breaks:
      missing_key, duplicate_key, conflicting_duplicate, invalid_value, orphan, no_rate.
    `rejection_detail` names the column or rule; `raw_record` is the raw row as JSON text.
-#}
{% macro classify_raw_rows(table_name) %}
{%- set contract = raw_table_contracts()[table_name] -%}
{%- set key = contract.key -%}
{%- set raw_names = raw_table_columns(table_name) -%}
{%- set parents = contract.get('parents', []) -%}
{%- set rate_card = contract.get('rate_card') -%}

with raw_rows as (
    select
        {%- for name in raw_names %}
        cast({{ name }} as {{ text_type() }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ raw_relation(table_name) }}
),

trimmed as (
    select
        {{ raw_record_json(raw_names) }} as raw_record,
        nullif(trim({{ key }}), '') as {{ key }},
        {%- for column in contract.columns %}
        {%- set text = "nullif(trim(" ~ column.name ~ "), '')" %}
        {{ "lower(" ~ text ~ ")" if column.get('lowercase') else text }} as {{ column.name }}_text
        {{- "," if not loop.last }}
        {%- endfor %}
    from raw_rows
),

typed as (
    select
        trimmed.*,
        {%- for column in contract.columns %}
        cast(case
            when {{ column.name }}_text is null then {{ column.get('default', 'null') }}
            else {{ cast_raw_text(column.name ~ '_text', column.get('type', 'text')) }}
        end as {{ raw_column_sql_type(column.get('type', 'text')) }}) as {{ column.name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from trimmed
),

key_versions as (
    select
        {{ key }},
        count(*) as key_copies,
        count(distinct raw_record) as key_versions
    from typed
    where {{ key }} is not null
    group by {{ key }}
),
{%- for column in contract.columns if column.get('accepted_from') %}

accepted_{{ column.name }} as (
    select distinct {{ column.accepted_from.column }} as accepted_value
    from {{ ref(column.accepted_from.model) }}
),
{%- endfor %}
{%- if rate_card %}

rated_driver_dates as (
    select distinct
        typed.{{ rate_card.activity }} as activity,
        cast(typed.{{ rate_card.date }} as date) as driver_date
    from typed
    inner join {{ ref('service_cost_rates') }} as rate
        on
            typed.{{ rate_card.activity }} = rate.activity
            and {{ rate_is_valid_on('rate', 'cast(typed.' ~ rate_card.date ~ ' as date)') }}
),
{%- endif %}

checked as (
    select
        typed.*,
        row_number() over (
            partition by typed.{{ key }} order by typed.raw_record
        ) as key_copy_number,
        key_versions.key_versions,
        case
            {%- for column in contract.columns %}
            {%- set name = 'typed.' ~ column.name %}
            {%- if column.get('required') %}
            when {{ name }}_text is null then '{{ column.name }}: required value is empty'
            {%- endif %}
            {%- if column.get('type', 'text') != 'text' %}
            when {{ name }}_text is not null and {{ name }} is null
                then '{{ column.name }}: not {{ raw_type_description(column.type) }}'
            {%- endif %}
            {%- if column.get('accepted') %}
            when {{ name }} not in ('{{ column.accepted | join("', '") }}')
                then '{{ column.name }}: not one of {{ column.accepted | join(", ") }}'
            {%- endif %}
            {%- if column.get('accepted_from') %}
            when {{ name }} is not null and accepted_{{ column.name }}.accepted_value is null
                then '{{ column.name }}: not in {{ column.accepted_from.model }}'
            {%- endif %}
            {%- if column.get('minimum') is not none %}
            when {{ name }} < {{ column.minimum }} then '{{ column.name }}: below {{ column.minimum }}'
            {%- endif %}
            {%- if column.get('positive') %}
            when {{ name }} <= 0 then '{{ column.name }}: not greater than 0'
            {%- endif %}
            {%- endfor %}
            {%- for check in contract.get('checks', []) %}
            when not ({{ check.condition }}) then '{{ check.detail }}'
            {%- endfor %}
        end as invalid_detail,
        {%- if parents %}
        case
            {%- for parent in parents %}
            when typed.{{ parent.column }} is not null and parent_{{ loop.index }}.{{ parent.key }} is null
                then '{{ parent.column }}: not in {{ parent.model }}'
            {%- endfor %}
        end as orphan_detail,
        {%- else %}
        cast(null as {{ text_type() }}) as orphan_detail,
        {%- endif %}
        {%- if rate_card %}
        case
            when rated_driver_dates.activity is null
                then 'no ' || typed.{{ rate_card.activity }} || ' rate valid on '
                || cast(cast(typed.{{ rate_card.date }} as date) as {{ text_type() }})
        end as no_rate_detail
        {%- else %}
        cast(null as {{ text_type() }}) as no_rate_detail
        {%- endif %}
    from typed
    left join key_versions
        on typed.{{ key }} = key_versions.{{ key }}
    {%- for column in contract.columns if column.get('accepted_from') %}
    left join accepted_{{ column.name }}
        on typed.{{ column.name }} = accepted_{{ column.name }}.accepted_value
    {%- endfor %}
    {%- for parent in parents %}
    left join {{ ref(parent.model) }} as parent_{{ loop.index }}
        on typed.{{ parent.column }} = parent_{{ loop.index }}.{{ parent.key }}
    {%- endfor %}
    {%- if rate_card %}
    left join rated_driver_dates
        on
            typed.{{ rate_card.activity }} = rated_driver_dates.activity
            and cast(typed.{{ rate_card.date }} as date) = rated_driver_dates.driver_date
    {%- endif %}
),

classified as (
    select
        *,
        case
            when {{ key }} is null then 'missing_key'
            when key_versions > 1 then 'conflicting_duplicate'
            when key_copy_number > 1 then 'duplicate_key'
            when invalid_detail is not null then 'invalid_value'
            when orphan_detail is not null then 'orphan'
            when no_rate_detail is not null then 'no_rate'
        end as rejection_reason,
        case
            when {{ key }} is null then '{{ key }}: empty'
            when key_versions > 1
                then '{{ key }}: ' || cast(key_versions as {{ text_type() }})
                || ' different rows share this key'
            when key_copy_number > 1 then '{{ key }}: identical copy of a kept row'
            else coalesce(invalid_detail, orphan_detail, no_rate_detail)
        end as rejection_detail
    from checked
)

select
    {{ key }},
    {%- for column in contract.columns %}
    {{ column.name }},
    {%- endfor %}
    raw_record,
    rejection_reason,
    rejection_detail
from classified
{% endmacro %}


{#- SQL type of a contract column type. -#}
{% macro raw_column_sql_type(column_type) %}
    {{- return({
        'text': text_type(),
        'date': 'date',
        'timestamp': 'timestamp',
        'money': 'decimal(18, 4)',
        'number': 'decimal(18, 4)',
        'whole_number': 'integer',
    }[column_type]) -}}
{% endmacro %}


{#- How a contract column type reads in a rejection detail. -#}
{% macro raw_type_description(column_type) %}
    {{- return({
        'date': 'an ISO date (YYYY-MM-DD)',
        'timestamp': 'an ISO timestamp (YYYY-MM-DD HH:MM:SS) or date',
        'money': 'an amount',
        'number': 'a number',
        'whole_number': 'a whole number',
    }[column_type]) -}}
{% endmacro %}
