{#-
    Typed value of a trimmed raw text, null when it does not convert (docs/rules.md section 2:
    dates are ISO YYYY-MM-DD, timestamps ISO YYYY-MM-DD HH:MM:SS or a date meaning midnight;
    docs/rules.md, formats: a `T` between date and time and a zone suffix are ISO too, the
    zone is dropped and the time kept as written). The patterns keep engines from accepting
    other date spellings. The vars raw_timestamp_format and raw_date_format (strftime
    patterns, one or a list) are tried in order before ISO; raw_decimal_separator `,` reads
    a decimal comma. The SQL types are raw_column_sql_type's (classify_raw_rows.sql), the one
    type map of the raw column types.
-#}
{% macro cast_raw_text(expression, column_type) %}
    {%- if column_type == 'date' -%}
        {%- set formats = raw_formats('raw_date_format') -%}
        {%- if formats %}coalesce({% for format in formats %}{{ parse_with_format(expression, format, 'date') }}, {% endfor %}{% endif -%}
        case when {{ matches_pattern(expression, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ safe_cast(expression, raw_column_sql_type('date')) }} end
        {%- if formats %}){% endif -%}
    {%- elif column_type == 'timestamp' -%}
        {%- set formats = raw_formats('raw_timestamp_format') + raw_formats('raw_date_format') -%}
        {%- if formats %}coalesce({% for format in formats %}{{ parse_with_format(expression, format, 'timestamp') }}, {% endfor %}{% endif -%}
        case when {{ matches_pattern(expression, iso_timestamp_pattern()) }}
            then {{ safe_cast(iso_timestamp_text(expression), raw_column_sql_type('timestamp')) }} end
        {%- if formats %}){% endif -%}
    {%- elif column_type in ('money', 'number') -%}
        {{ safe_cast(decimal_text(expression), raw_column_sql_type(column_type)) }}
    {%- elif column_type == 'whole_number' -%}
        {%- set as_number = safe_cast(decimal_text(expression), raw_column_sql_type('number')) -%}
        case when {{ as_number }} = floor({{ as_number }})
            then {{ safe_cast(decimal_text(expression), 'decimal(18, 0)') }} end
    {%- else -%}
        {{ expression }}
    {%- endif -%}
{% endmacro %}


{#- An ISO timestamp: a date, optionally a blank or `T`, the time, and a zone suffix (Z, +02:00). -#}
{% macro iso_timestamp_pattern() -%}
    {{- return('[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?') -}}
{%- endmacro %}


{#- The text of an ISO timestamp without `T` and zone: `YYYY-MM-DD HH:MM[:SS[.f]]`, or the date. -#}
{% macro iso_timestamp_text(expression) -%}
    case
        when length({{ expression }}) > 10
            then substr({{ expression }}, 1, 10) || ' '
            || regexp_extract(substr({{ expression }}, 12), '^[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?', 0)
        else {{ expression }}
    end
{%- endmacro %}


{#- A number's text with the decimal separator of the var raw_decimal_separator made a point. -#}
{% macro decimal_text(expression) -%}
    {%- set separator = var('raw_decimal_separator', '.') -%}
    {%- if separator == ',' -%}
        replace({{ expression }}, ',', '.')
    {%- elif separator == '.' -%}
        {{ expression }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("raw_decimal_separator must be '.' or ',', not '" ~ separator ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{#- The strftime patterns of a format var (raw_timestamp_format, raw_date_format): none, one or a list. -#}
{% macro raw_formats(var_name) %}
    {%- set value = var(var_name, none) -%}
    {%- if value is none or value == '' -%}
        {{ return([]) }}
    {%- elif value is string -%}
        {{ return([value]) }}
    {%- else -%}
        {{ return(value | list) }}
    {%- endif -%}
{% endmacro %}


{#-
    A rate row (alias `rate`) is valid on a date when the date is in its half-open interval
    [valid_from, valid_to); an empty bound is open (docs/rules.md section 1).
-#}
{% macro rate_is_valid_on(rate, date_expression) -%}
    ({{ rate }}.valid_from is null or {{ date_expression }} >= {{ rate }}.valid_from)
    and ({{ rate }}.valid_to is null or {{ date_expression }} < {{ rate }}.valid_to)
{%- endmacro %}
