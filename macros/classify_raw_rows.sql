{#-
    The one staging mechanism (spec section 2), applied to every raw table from its
    contract in raw_table_contracts(): every raw row comes out exactly once, typed, with
    `rejection_reason` null (it is staged) or the first rule it breaks:
      missing_key, duplicate_key, conflicting_duplicate, invalid_value, orphan, no_rate.
    `rejection_detail` names the column or rule; `raw_record` is the raw row as JSON text
    (rejected rows only: a staged row is its typed columns).

    Built for large exports (benchmarks/README.md). Repeated keys are found with one
    aggregation over key fingerprints; only the few rows of a repeated key are ranked and
    compared as JSON, every other row is the one copy of its key by definition.

    A plain full build every run: switching sources, erasures and merges in a new export
    therefore give exactly the result of a first build.
-#}
{% macro classify_raw_rows(table_name) %}
{%- set contract = raw_table_contracts()[table_name] -%}
{%- set key = contract.key -%}
{%- set raw_names = raw_table_columns(table_name) -%}
{%- set parents = contract.get('parents', []) -%}
{%- set rate_card = contract.get('rate_card') -%}
{%- set raw_record = raw_record_json(raw_names, 'raw_', contract_pii_columns(table_name)) -%}
{%- set columns_by_name = {} -%}
{%- for column in contract.columns -%}{%- do columns_by_name.update({column.name: column}) -%}{%- endfor -%}
{#- Expressions over a raw relation aliased `raw`. -#}
{%- set trimmed_key = "nullif(trim(cast(raw." ~ key ~ " as " ~ text_type() ~ ")), '')" -%}
{%- set raw_key_fingerprint = key_fingerprint(trimmed_key) -%}
{%- set raw_input = raw_relation(table_name) %}

with

{#-
    Keys that occur more than once, found by their fingerprint (a 64-bit hash on engines that
    have one): a fingerprint shared by two different keys only sends their rows down the exact
    path below, so a collision costs time, never correctness.
#}
repeated_fingerprints as (
    select {{ raw_key_fingerprint }} as repeated_fingerprint
    from {{ raw_input }} as raw
    where {{ trimmed_key }} is not null
    group by {{ raw_key_fingerprint }}
    having count(*) > 1
),

{#- The rows of a key seen once (or empty): the first and only copy of their key. #}
single_copies as (
    select
        {%- for name in raw_names %}
        cast(raw.{{ name }} as {{ text_type() }}) as raw_{{ name }},
        {%- endfor %}
        cast(null as {{ text_type() }}) as raw_record,
        1 as key_copy_number,
        1 as key_versions
    from {{ raw_input }} as raw
    left join repeated_fingerprints
        on {{ raw_key_fingerprint }} = repeated_fingerprints.repeated_fingerprint
    where repeated_fingerprints.repeated_fingerprint is null
),

{#- The rows of a repeated key (few): the exact path, comparing whole rows as JSON. #}
repeated_rows as (
    select
        {%- for name in raw_names %}
        cast(raw.{{ name }} as {{ text_type() }}) as raw_{{ name }},
        {%- endfor %}
        {{ trimmed_key }} as repeated_key
    from {{ raw_input }} as raw
    inner join repeated_fingerprints
        on {{ raw_key_fingerprint }} = repeated_fingerprints.repeated_fingerprint
),

repeated_records as (
    select
        repeated_rows.*,
        {#- Copies are compared on the text as exported; raw_record is what rejected_rows shows. #}
        {{ raw_record_json(raw_names, 'raw_') }} as row_text,
        {{ raw_record }} as raw_record
    from repeated_rows
),

repeated_key_versions as (
    select
        repeated_key,
        count(distinct row_text) as key_versions
    from repeated_records
    group by repeated_key
),

{#- Every raw row once, with its copy number among the rows of its key and the key's number of distinct rows. #}
raw_rows as (
    select * from single_copies
    union all
    select
        {%- for name in raw_names %}
        repeated_records.raw_{{ name }},
        {%- endfor %}
        repeated_records.raw_record,
        row_number() over (
            partition by repeated_records.repeated_key order by repeated_records.row_text
        ) as key_copy_number,
        coalesce(repeated_key_versions.key_versions, 1) as key_versions
    from repeated_records
    left join repeated_key_versions
        on repeated_records.repeated_key = repeated_key_versions.repeated_key
),

trimmed as (
    select
        raw_rows.*,
        nullif(trim(raw_{{ key }}), '') as {{ key }},
        {%- for column in contract.columns %}
        {{ raw_text(column, 'raw_' ~ column.name) }} as {{ column.name }}_text
        {{- "," if not loop.last }}
        {%- endfor %}
    from raw_rows
),

typed as (
    select
        trimmed.*,
        {%- for column in contract.columns %}
        {{ raw_value(column, column.name ~ '_text') }} as {{ column.name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from trimmed
),
{%- for column in contract.columns if column.get('accepted_from') %}

accepted_{{ column.name }} as (
    select distinct {{ column.accepted_from.column }} as accepted_value
    from {{ ref(column.accepted_from.model) }}
),
{%- endfor %}
{%- if rate_card %}
{%- set activity_column = columns_by_name[rate_card.activity] %}
{%- set date_column = columns_by_name[rate_card.date] %}

{#- The (activity, date) pairs of the raw rows, then those with a valid rate: few, whatever the number of rows. #}
driver_dates as (
    select distinct
        {{ raw_value(activity_column, raw_text(activity_column, 'cast(raw.' ~ rate_card.activity ~ ' as ' ~ text_type() ~ ')')) }}
            as activity,
        cast({{ raw_value(date_column, raw_text(date_column, 'cast(raw.' ~ rate_card.date ~ ' as ' ~ text_type() ~ ')')) }}
            as date) as driver_date
    from {{ raw_input }} as raw
),

rated_driver_dates as (
    select distinct
        driver_dates.activity,
        driver_dates.driver_date
    from driver_dates
    inner join {{ ref('service_cost_rates') }} as rate
        on
            driver_dates.activity = rate.activity
            and {{ rate_is_valid_on('rate', 'driver_dates.driver_date') }}
),
{%- endif %}

checked as (
    select
        typed.*,
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
    {#- JSON text for rejected rows only: a staged row is its typed columns. #}
    case when rejection_reason is not null then coalesce(raw_record, {{ raw_record }}) end as raw_record,
    rejection_reason,
    rejection_detail
from classified
{% endmacro %}


{#- A raw column's trimmed text, null when empty, lower-cased when the contract says so. -#}
{% macro raw_text(column, expression) %}
    {%- set text = "nullif(trim(" ~ expression ~ "), '')" -%}
    {{- "lower(" ~ text ~ ")" if column.get('lowercase') else text -}}
{% endmacro %}


{#- A contract column's typed value from its trimmed text: the default when empty, null when it does not convert. -#}
{% macro raw_value(column, text_expression) %}
    cast(case
            when {{ text_expression }} is null then {{ column.get('default', 'null') }}
            else {{ cast_raw_text(text_expression, column.get('type', 'text')) }}
        end as {{ raw_column_sql_type(column.get('type', 'text')) }})
{%- endmacro %}


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

