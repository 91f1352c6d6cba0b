{#-
    Typed value of a trimmed raw text, null when it does not convert (spec section 2:
    dates are ISO YYYY-MM-DD, timestamps ISO YYYY-MM-DD HH:MM:SS or a date meaning midnight).
    The patterns keep engines from accepting other date spellings.
-#}
{% macro cast_raw_text(expression, column_type) %}
    {%- if column_type == 'date' -%}
        case when {{ matches_pattern(expression, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ safe_cast(expression, 'date') }} end
    {%- elif column_type == 'timestamp' -%}
        case when {{ matches_pattern(expression, '[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?') }}
            then {{ safe_cast(expression, 'timestamp') }} end
    {%- elif column_type in ('money', 'number') -%}
        {{ safe_cast(expression, 'decimal(18, 4)') }}
    {%- elif column_type == 'whole_number' -%}
        case when {{ safe_cast(expression, 'decimal(18, 4)') }}
            = floor({{ safe_cast(expression, 'decimal(18, 4)') }})
            then {{ safe_cast(expression, 'decimal(18, 0)') }} end
    {%- else -%}
        {{ expression }}
    {%- endif -%}
{% endmacro %}


{#-
    A rate row (alias `rate`) is valid on a date when the date is in its half-open interval
    [valid_from, valid_to); an empty bound is open (spec section 1).
-#}
{% macro rate_is_valid_on(rate, date_expression) -%}
    ({{ rate }}.valid_from is null or {{ date_expression }} >= {{ rate }}.valid_from)
    and ({{ rate }}.valid_to is null or {{ date_expression }} < {{ rate }}.valid_to)
{%- endmacro %}
