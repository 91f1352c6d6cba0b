{#-
    A data test that stops with its own message (docs/rules.md, section 13): the query raises
    an error whose text is `message_expression`, evaluated only for the rows it returns, so a
    passing test raises nothing. Engines without such a function return the message as a row.
-#}
{% macro data_failure(message_expression) %}
    {{ return(adapter.dispatch('data_failure', 'customer_value')(message_expression)) }}
{% endmacro %}

{% macro default__data_failure(message_expression) -%}
    {{ message_expression }}
{%- endmacro %}

{% macro duckdb__data_failure(message_expression) -%}
    error({{ message_expression }})
{%- endmacro %}

{% macro spark__data_failure(message_expression) -%}
    raise_error({{ message_expression }})
{%- endmacro %}
