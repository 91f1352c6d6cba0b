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


{#-
    The raw row as JSON text, keys in contract order: what `rejected_rows.raw_record` shows.
    `column_prefix` is prepended to each column name to find its value (the keys stay the
    raw column names).
-#}
{% macro raw_record_json(column_names, column_prefix='') %}
    {{ return(adapter.dispatch('raw_record_json', 'customer_value')(column_names, column_prefix)) }}
{% endmacro %}

{% macro default__raw_record_json(column_names, column_prefix='') -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}' value {{ column_prefix ~ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar(4000))
{%- endmacro %}

{% macro duckdb__raw_record_json(column_names, column_prefix='') -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}', {{ column_prefix ~ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro spark__raw_record_json(column_names, column_prefix='') -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ column_prefix ~ name }}{{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}


{#-
    A 64-bit fingerprint of a value, for grouping large sets cheaply where equal fingerprints
    are then checked exactly (classify_raw_rows). The ANSI default is the value itself.
-#}
{% macro key_fingerprint(expression) %}
    {{ return(adapter.dispatch('key_fingerprint', 'customer_value')(expression)) }}
{% endmacro %}

{% macro default__key_fingerprint(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro duckdb__key_fingerprint(expression) -%}
    hash({{ expression }})
{%- endmacro %}

{% macro spark__key_fingerprint(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}


{#-
    A fingerprint of a row from a list of SQL expressions (a 64-bit hash where the engine has
    one), for finding changed rows cheaply. The ANSI default concatenates the values as text.
-#}
{% macro row_fingerprint(expressions) %}
    {{ return(adapter.dispatch('row_fingerprint', 'customer_value')(expressions)) }}
{% endmacro %}

{% macro default__row_fingerprint(expressions) -%}
    concat(
        {%- for expression in expressions %}
        coalesce(cast({{ expression }} as varchar(4000)), '\\N'){{ ", '|'," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro duckdb__row_fingerprint(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__row_fingerprint(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}


{#- An aggregate (over a table's rows) that changes when any of the given columns of any row changes, as text. -#}
{% macro table_fingerprint(columns) %}
    {{ return(adapter.dispatch('table_fingerprint', 'customer_value')(columns)) }}
{% endmacro %}

{% macro default__table_fingerprint(columns) -%}
    cast(count(*) as varchar(40))
{%- endmacro %}

{% macro duckdb__table_fingerprint(columns) -%}
    cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash({{ columns | join(', ') }})), 0) as varchar)
{%- endmacro %}

{% macro spark__table_fingerprint(columns) -%}
    cast(count(*) as string) || ':' || cast(coalesce(sum(cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0))), 0) as string)
{%- endmacro %}


{#- An expression that stops the query with `message` when it is evaluated. -#}
{% macro raise_error(message) %}
    {{ return(adapter.dispatch('raise_error', 'customer_value')(message)) }}
{% endmacro %}

{% macro default__raise_error(message) -%}
    cast('{{ message | replace("'", "''") }}' as integer)
{%- endmacro %}

{% macro duckdb__raise_error(message) -%}
    error('{{ message | replace("'", "''") }}')
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error('{{ message | replace("'", "\\'") }}')
{%- endmacro %}


{#- The start of this dbt invocation as a timestamp (UTC): when its rows were computed. -#}
{% macro run_started_at_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}


{#-
    The materialization of the models that grow incrementally (the classification models and
    the two staged facts): `incremental` where it runs well, `table` elsewhere. DuckDB has
    delete+insert; dbt-spark on Parquet tables has only append and insert_overwrite, so on
    Spark these models are rebuilt in full (same results, see benchmarks/README.md).
-#}
{% macro incremental_if_supported() %}
    {{ return(adapter.dispatch('incremental_if_supported', 'customer_value')()) }}
{% endmacro %}

{% macro default__incremental_if_supported() %}
    {{ return('table') }}
{% endmacro %}

{% macro duckdb__incremental_if_supported() %}
    {{ return('incremental') }}
{% endmacro %}


{#- The text type of the engine, for raw columns. -#}
{% macro text_type() %}
    {{ return(adapter.dispatch('text_type', 'customer_value')()) }}
{% endmacro %}

{% macro default__text_type() %}varchar{% endmacro %}

{% macro spark__text_type() %}string{% endmacro %}
