{#-
    Engine-specific SQL lives here, behind adapter.dispatch, so models stay portable.
    Each macro has an ANSI `default__` and variants for the engines that need one.
-#}

{#- Cast that yields null instead of failing on a value that does not convert. -#}
{% macro safe_cast(expression, data_type) %}
    {{ return(adapter.dispatch('safe_cast', 'customer_value')(expression, data_type)) }}
{% endmacro %}

{% macro default__safe_cast(expression, data_type) -%}
    cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro duckdb__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}


{#- True when the whole text matches a regular expression. -#}
{% macro matches_pattern(expression, pattern) %}
    {{ return(adapter.dispatch('matches_pattern', 'customer_value')(expression, pattern)) }}
{% endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__matches_pattern(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}


{#- The raw row as JSON text, keys in contract order: what `rejected_rows.raw_record` shows. -#}
{% macro raw_record_json(column_names) %}
    {{ return(adapter.dispatch('raw_record_json', 'customer_value')(column_names)) }}
{% endmacro %}

{% macro default__raw_record_json(column_names) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}' value {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar(4000))
{%- endmacro %}

{% macro duckdb__raw_record_json(column_names) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}', {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro spark__raw_record_json(column_names) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}


{#- The text type of the engine, for raw columns. -#}
{% macro text_type() %}
    {{ return(adapter.dispatch('text_type', 'customer_value')()) }}
{% endmacro %}

{% macro default__text_type() %}varchar{% endmacro %}

{% macro spark__text_type() %}string{% endmacro %}
