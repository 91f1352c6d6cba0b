{#-
    An optional value that is given but does not cast (docs/rules.md, section 13) does not
    reject its row: the value becomes null (for an amount: 0, what an empty value means) and
    the row is listed in nulled_values. Inside a base_shop__<table> model's `checked` CTE
    (which selects from `typed`, holding `<column>_text`, the typed `<column>` and
    `raw_<column>`), this gives the three columns nulled_values reads: nulled_column,
    nulled_raw_value (the text as exported) and nulled_detail (what the value is not).
-#}
{% macro nulled_value_columns(column_name, column_type) -%}
    {%- set nulled = 'typed.' ~ column_name ~ '_text is not null and typed.' ~ column_name ~ ' is null' -%}
    case when {{ nulled }} then '{{ column_name }}' end as nulled_column,
        case when {{ nulled }} then typed.raw_{{ column_name }} end as nulled_raw_value,
        case when {{ nulled }} then {{ not_of_type(column_name, column_type) }} end as nulled_detail
{%- endmacro %}
