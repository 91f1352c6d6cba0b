{#- Comma-separated, alphabetically sorted aggregation of a text column (no spaces). -#}
{% macro string_agg_sorted(expression) %}
    {{ return(adapter.dispatch('string_agg_sorted', 'customer_value')(expression)) }}
{% endmacro %}

{% macro default__string_agg_sorted(expression) -%}
    listagg({{ expression }}, ',') within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__string_agg_sorted(expression) -%}
    string_agg({{ expression }}, ',' order by {{ expression }})
{%- endmacro %}

{% macro spark__string_agg_sorted(expression) -%}
    concat_ws(',', array_sort(collect_list({{ expression }})))
{%- endmacro %}
