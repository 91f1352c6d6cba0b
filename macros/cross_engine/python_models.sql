{#-
    True when this run fits the Python lifetime-value models (docs/rules.md section 6): the engine runs
    dbt Python models (dbt-duckdb does, in-process; dbt-spark's session and thrift methods do
    not) and the var `predict_clv` is true. When false, customer_lifetime_value and
    clv_model_params are disabled and customer_value keeps its predicted columns null.
    Model YAML cannot call macros: the CLV models' `enabled` config repeats this condition as
    "{{ target.type == 'duckdb' and var('predict_clv') }}"; keep the two in step.
-#}
{% macro clv_enabled() %}
    {{ return(python_models_available() and var('predict_clv', true)) }}
{% endmacro %}

{% macro python_models_available() %}
    {{ return(adapter.dispatch('python_models_available', 'customer_value')()) }}
{% endmacro %}

{% macro default__python_models_available() %}
    {{ return(false) }}
{% endmacro %}

{% macro duckdb__python_models_available() %}
    {{ return(true) }}
{% endmacro %}
