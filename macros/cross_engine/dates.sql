{#-
    Date arithmetic as short SQL on every engine, behind adapter.dispatch: dbt's own dateadd
    renders a long expression on Spark, and Spark's metastore refuses a view whose text grows
    past 32,700 characters. Both return a date.
-#}

{#- date_expression plus `days` whole days (a number or an integer expression). -#}
{% macro add_days(date_expression, days) %}
    {{ return(adapter.dispatch('add_days', 'customer_value')(date_expression, days)) }}
{% endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast({{ dbt.dateadd('day', days, date_expression) }} as date)
{%- endmacro %}

{% macro spark__add_days(date_expression, days) -%}
    date_add({{ date_expression }}, {{ days }})
{%- endmacro %}


{#- date_expression plus `months` calendar months, clamped to the month's last day. -#}
{% macro add_months(date_expression, months) %}
    {{ return(adapter.dispatch('add_months', 'customer_value')(date_expression, months)) }}
{% endmacro %}

{% macro default__add_months(date_expression, months) -%}
    cast({{ dbt.dateadd('month', months, date_expression) }} as date)
{%- endmacro %}

{% macro spark__add_months(date_expression, months) -%}
    add_months({{ date_expression }}, {{ months }})
{%- endmacro %}


{#- Whole days from start_date to end_date (both dates): dbt's datediff renders one long line. -#}
{% macro days_between(start_date, end_date) %}
    {{ return(adapter.dispatch('days_between', 'customer_value')(start_date, end_date)) }}
{% endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}
