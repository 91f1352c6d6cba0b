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


{#- A text literal: a quote doubled (ANSI, DuckDB), or a quote and a backslash escaped by a backslash (Spark). -#}
{% macro sql_text(value) %}
    {{ return(adapter.dispatch('sql_text', 'customer_value')(value)) }}
{% endmacro %}

{% macro default__sql_text(value) -%}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}

{% macro spark__sql_text(value) -%}
    {{ return("'" ~ (value | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") }}
{%- endmacro %}


{#- A struct of named fields; `fields`: a list of (name, SQL expression) pairs, in order. -#}
{% macro struct_of(fields) %}
    {{ return(adapter.dispatch('struct_of', 'customer_value')(fields)) }}
{% endmacro %}

{% macro default__struct_of(fields) -%}
    struct_pack({% for name, expression in fields %}{{ name }} := {{ expression }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct({% for name, expression in fields %}'{{ name }}', {{ expression }}{{ ", " if not loop.last }}{% endfor %})
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
    raw column names); the values of `pii_columns` are shown redacted (redacted_pii).
-#}
{% macro raw_record_json(column_names, column_prefix='', pii_columns=[]) %}
    {{ return(adapter.dispatch('raw_record_json', 'customer_value')(column_names, column_prefix, pii_columns)) }}
{% endmacro %}

{% macro default__raw_record_json(column_names, column_prefix='', pii_columns=[]) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}' value {{ redacted_pii(column_prefix ~ name) if name in pii_columns else column_prefix ~ name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    ) as varchar(4000))
{%- endmacro %}

{% macro duckdb__raw_record_json(column_names, column_prefix='', pii_columns=[]) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}', {{ redacted_pii(column_prefix ~ name) if name in pii_columns else column_prefix ~ name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro spark__raw_record_json(column_names, column_prefix='', pii_columns=[]) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ redacted_pii(column_prefix ~ name) if name in pii_columns else column_prefix ~ name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}


{#-
    A personal value as public models may show it (docs/rules.md section 8):
    "<redacted:sha256:" + the first 12 hex digits of sha256(lower(trim(value))) + ">",
    null when the value is null. Two rejected rows of one person still match.
-#}
{% macro redacted_pii(expression) %}
    {{ return(adapter.dispatch('redacted_pii', 'customer_value')(expression)) }}
{% endmacro %}

{% macro default__redacted_pii(expression) -%}
    ('<redacted:sha256:' || substr(sha256(lower(trim({{ expression }}))), 1, 12) || '>')
{%- endmacro %}

{% macro spark__redacted_pii(expression) -%}
    ('<redacted:sha256:' || substr(sha2(lower(trim({{ expression }})), 256), 1, 12) || '>')
{%- endmacro %}


{#-
    A 64-bit fingerprint of a value, for grouping large sets cheaply where equal fingerprints
    are then checked exactly (key_copies). The ANSI default is the value itself.
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


{#- The text type of the engine, for raw columns. -#}
{% macro text_type() %}
    {{ return(adapter.dispatch('text_type', 'customer_value')()) }}
{% endmacro %}

{% macro default__text_type() %}varchar{% endmacro %}

{% macro spark__text_type() %}string{% endmacro %}


{#-
    A raw line's text with every comma-separated field that looks like an e-mail address
    redacted (redacted_pii): a malformed line's columns are not known, so its personal data
    is recognised by its shape.
-#}
{% macro redacted_email_fields(expression) %}
    {{ return(adapter.dispatch('redacted_email_fields', 'customer_value')(expression)) }}
{% endmacro %}

{% macro default__redacted_email_fields(expression) -%}
    array_to_string(list_transform(
        string_split({{ expression }}, ','),
        field -> case
            when regexp_matches(field, '[^@\s]+@[^@\s]+\.[^@\s]+') then {{ redacted_pii('field') }}
            else field
        end
    ), ',')
{%- endmacro %}

{% macro spark__redacted_email_fields(expression) -%}
    array_join(transform(
        split({{ expression }}, ','),
        field -> case
            when field rlike '[^@\\s]+@[^@\\s]+\\.[^@\\s]+' then {{ redacted_pii('field') }}
            else field
        end
    ), ',')
{%- endmacro %}


{#-
    A text parsed with a strftime pattern (vars raw_timestamp_format, raw_date_format) as a
    timestamp or date, null when it does not match the whole text. Spark's patterns are Java's
    DateTimeFormatter patterns: spark_datetime_pattern translates the strftime pattern once;
    Spark must run with spark.sql.legacy.timeParserPolicy CORRECTED (profiles.yml), or a text
    Spark's pre-3.0 parser would have read differently raises an error instead of giving null.
-#}
{% macro parse_with_format(expression, format, column_type) %}
    {{ return(adapter.dispatch('parse_with_format', 'customer_value')(expression, format, column_type)) }}
{% endmacro %}

{% macro default__parse_with_format(expression, format, column_type) -%}
    cast(try_strptime({{ expression }}, '{{ format | replace("'", "''") }}') as {{ column_type }})
{%- endmacro %}

{% macro spark__parse_with_format(expression, format, column_type) -%}
    cast(try_to_timestamp({{ expression }}, {{ sql_text(spark_datetime_pattern(format)) }}) as {{ column_type }})
{%- endmacro %}


{#-
    A strftime pattern as a Java DateTimeFormatter pattern (Spark). A number field next to
    another field with nothing between (%Y%m%d) is read at its fixed width (MM, dd), since
    Java cannot split adjacent numbers of varying width; otherwise it is read with one or two
    digits, as strftime reads it (M/d/yyyy for %m/%d/%Y reads 1/5/2024 and 01/05/2024). Text
    between fields is quoted. A field without a Java equivalent stops the build with one line.
-#}
{% macro spark_datetime_pattern(format) %}
    {%- set fields = {'Y': 'yyyy', 'y': 'yy', 'm': 'M', 'd': 'd', 'H': 'H', 'I': 'h', 'M': 'm', 'S': 's',
        'f': 'SSSSSS', 'b': 'MMM', 'B': 'MMMM', 'p': 'a'} -%}
    {%- set fixed_width = {'m': 'MM', 'd': 'dd', 'H': 'HH', 'I': 'hh', 'M': 'mm', 'S': 'ss'} -%}
    {%- set tokens = [] -%}
    {%- set state = namespace(percent=false) -%}
    {%- for char in format -%}
        {%- if state.percent and char == '-' -%}
            {#- %-m: no zero padding, what a one-letter Java field reads anyway -#}
        {%- elif state.percent and char == '%' -%}
            {%- do tokens.append(['text', '%']) -%}{%- set state.percent = false -%}
        {%- elif state.percent and char in fields -%}
            {%- do tokens.append(['field', char]) -%}{%- set state.percent = false -%}
        {%- elif state.percent -%}
            {{ exceptions.raise_compiler_error(
                "raw_timestamp_format / raw_date_format '" ~ format ~ "': %" ~ char ~ " has no Spark pattern;"
                ~ " the fields Spark reads are %Y %y %m %d %H %I %M %S %f %b %B %p (and %-m, %-d, %-H, %%)") }}
        {%- elif char == '%' -%}
            {%- set state.percent = true -%}
        {%- else -%}
            {%- do tokens.append(['text', char]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set state.pattern = '' -%}
    {%- set state.text = '' -%}
    {%- for kind, value in tokens -%}
        {%- if kind == 'text' -%}
            {%- set state.text = state.text ~ value -%}
        {%- endif -%}
        {%- if state.text and (kind == 'field' or loop.last) -%}
            {%- set state.pattern = state.pattern ~ "'" ~ state.text | replace("'", "''") ~ "'" -%}
            {%- set state.text = '' -%}
        {%- endif -%}
        {%- if kind == 'field' -%}
            {%- set touches_field = (not loop.first and loop.previtem[0] == 'field')
                or (not loop.last and loop.nextitem[0] == 'field') -%}
            {%- set state.pattern = state.pattern
                ~ (fixed_width[value] if touches_field and value in fixed_width else fields[value]) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(state.pattern) }}
{% endmacro %}
