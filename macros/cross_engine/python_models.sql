{#-
    True when this run fits the Python lifetime-value models (docs/rules.md section 6): the engine runs
    dbt Python models (dbt-duckdb does, in-process; dbt-spark's session and thrift methods do
    not) and the var `predict_clv` is true. When false, the lifetime-value models
    (int_clv_models_fitted, int_customers_predicted and the marts that publish them) are
    disabled and customer_value keeps its predicted columns null.
    Configs cannot call macros, so the CLV models' `enabled` is this condition as YAML:
    "{{ target.type == 'duckdb' and var('predict_clv') }}", written once for the four models
    (anchor &clv_config in models/marts/lifetime_value/_lifetime_value__models.yml) and in the
    three configs that depend on them, each pointing there (int_customers_summarised and two
    unit tests); dbt_project.yml cannot hold it (rendered with command-line vars only).
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
