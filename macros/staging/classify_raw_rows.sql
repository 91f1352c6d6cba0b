{#-
    Small shared mechanics of the base_shop__<table> models (docs/rules.md section 2). Each model
    writes its own columns, casts and rules in SQL; these macros hold what every table does
    the same way: key copies, trimming, safe typed casts, raw_record and first-match reasons.
-#}


{#-
    CTEs ending in `raw_rows`: every raw row of a table once, its columns as text named
    raw_<column>, with key_copy_number (its rank among the rows of its trimmed key) and
    key_versions (the key's number of distinct rows), and raw_record (redacted JSON, filled
    for rows of a repeated key only). Built for large exports (benchmarks/README.md):
    repeated keys are found with one aggregation over key fingerprints (a 64-bit hash on
    engines that have one; a collision only sends rows down the exact path), and only the few
    rows of a repeated key are ranked and compared as JSON.
-#}
{% macro key_copies(table_name) %}
{%- set key = raw_table_contracts()[table_name].key -%}
{%- set raw_names = raw_table_columns(table_name) -%}
{%- set trimmed_key = "nullif(trim(cast(raw." ~ key ~ " as " ~ text_type() ~ ")), '')" -%}
{%- set fingerprint = key_fingerprint(trimmed_key) -%}
{#- with increments, only the rows of changed keys and the rows without a key (process_increments.sql) -#}
{%- set changed = changed_rows(table_name, 'raw.trimmed_' ~ key) -%}
{%- set raw_input = raw_relation(table_name) if changed == 'true' else 'changed_raw_rows' -%}
{%- if changed != 'true' %}
{#- the state's raw view holds each row's key trimmed (load_raw_increments.sql) -#}
changed_raw_rows as materialized (
    select * from {{ raw_relation(table_name) }} as raw
    where {{ changed }} or raw.trimmed_{{ key }} is null
),
{% endif -%}
repeated_fingerprints as (
    select {{ fingerprint }} as repeated_fingerprint
    from {{ raw_input }} as raw
    where {{ trimmed_key }} is not null
    group by {{ fingerprint }}
    having count(*) > 1
),

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
        on {{ fingerprint }} = repeated_fingerprints.repeated_fingerprint
    where repeated_fingerprints.repeated_fingerprint is null
),

repeated_rows as (
    select
        {%- for name in raw_names %}
        cast(raw.{{ name }} as {{ text_type() }}) as raw_{{ name }},
        {%- endfor %}
        {{ trimmed_key }} as repeated_key
    from {{ raw_input }} as raw
    inner join repeated_fingerprints
        on {{ fingerprint }} = repeated_fingerprints.repeated_fingerprint
),

repeated_records as (
    select
        repeated_rows.*,
        {#- Copies are compared on the text as exported; raw_record is what rejected_rows shows. #}
        {{ raw_record_json(raw_names, 'raw_') }} as row_text,
        {{ raw_record_json(raw_names, 'raw_', contract_pii_columns(table_name)) }} as raw_record
    from repeated_rows
),

repeated_key_versions as (
    select
        repeated_key,
        count(distinct row_text) as key_versions
    from repeated_records
    group by repeated_key
),

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
)
{%- endmacro %}


{#- A raw text trimmed, null when empty. -#}
{% macro trimmed_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- A raw text trimmed and lower-cased, null when empty (status, activity, signal values). -#}
{% macro lowered_text(expression) -%}
    lower(nullif(trim({{ expression }}), ''))
{%- endmacro %}


{#- Typed casts of a trimmed text: `default` when the text is empty, null when it does not convert. -#}
{% macro typed_value(text_expression, column_type, default='null') -%}
    cast(case
            when {{ text_expression }} is null then {{ default }}
            else {{ cast_raw_text(text_expression, column_type) }}
        end as {{ raw_column_sql_type(column_type) }})
{%- endmacro %}

{% macro typed_date(text_expression, default='null') -%}
    {{ typed_value(text_expression, 'date', default) }}
{%- endmacro %}

{% macro typed_timestamp(text_expression, default='null') -%}
    {{ typed_value(text_expression, 'timestamp', default) }}
{%- endmacro %}

{% macro typed_amount(text_expression, default='null') -%}
    {{ typed_value(text_expression, 'money', default) }}
{%- endmacro %}

{% macro typed_whole_number(text_expression, default='null') -%}
    {{ typed_value(text_expression, 'whole_number', default) }}
{%- endmacro %}


{#- SQL type of a raw column type. -#}
{% macro raw_column_sql_type(column_type) %}
    {{- return({
        'date': 'date',
        'timestamp': 'timestamp',
        'money': 'decimal(18, 4)',
        'number': 'decimal(18, 4)',
        'whole_number': 'integer',
    }[column_type]) -}}
{% endmacro %}


{#- The rejection detail of a value that did not convert to its type, as a SQL literal. -#}
{% macro not_of_type(column_name, column_type) %}
    {%- set description = {
        'date': 'an ISO date (YYYY-MM-DD)',
        'timestamp': 'an ISO timestamp (YYYY-MM-DD HH:MM:SS) or date',
        'money': 'an amount',
        'number': 'a number',
        'whole_number': 'a whole number',
    }[column_type] -%}
    '{{ column_name }}: not {{ description }}'
{%- endmacro %}


{#-
    The rejection reason, first match wins (docs/rules.md section 2): missing_key, conflicting_duplicate,
    duplicate_key, then (guest_sales: orders and their lines) the model's no_customer_detail,
    then its own invalid_detail, orphan_detail and no_rate_detail.
-#}
{% macro rejection_reason(key, guest_sales=false) -%}
    case
        when {{ key }} is null then 'missing_key'
        when key_versions > 1 then 'conflicting_duplicate'
        when key_copy_number > 1 then 'duplicate_key'
        {%- if guest_sales %}
        when no_customer_detail is not null then 'no_customer'
        {%- endif %}
        when invalid_detail is not null then 'invalid_value'
        when orphan_detail is not null then 'orphan'
        when no_rate_detail is not null then 'no_rate'
    end
{%- endmacro %}


{#- The detail of rejection_reason(key): the key's problem, else the first rule detail. -#}
{% macro rejection_detail(key, guest_sales=false) -%}
    case
        when {{ key }} is null then '{{ key }}: empty'
        when key_versions > 1
            then '{{ key }}: ' || cast(key_versions as {{ text_type() }})
            || ' different rows share this key'
        when key_copy_number > 1 then '{{ key }}: identical copy of a kept row'
        else coalesce({{ 'no_customer_detail, ' if guest_sales }}invalid_detail, orphan_detail, no_rate_detail)
    end
{%- endmacro %}


{#- The raw row as redacted JSON text for a rejected row; null for a staged row (its typed columns say it all). -#}
{% macro rejected_raw_record(table_name) -%}
    case when rejection_reason is not null
        then coalesce(raw_record, {{ raw_record_json(raw_table_columns(table_name), 'raw_', contract_pii_columns(table_name)) }})
    end
{%- endmacro %}
