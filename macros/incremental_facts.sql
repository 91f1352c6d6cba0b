{#-
    How the staged facts grow (fct_orders, fct_cost_to_serve): by customer. Every fact row keeps
    `computed_at`, the start of the run that computed it, so the latest computed_at is when the
    fact last caught up with staging. An incremental run recomputes every customer with a
    classified row (staged or rejected) in `changed_models` classified after that: all their
    rows are deleted (pre-hook, which also removes customers left with no row at all) and their
    current rows appended. The strategy is `append` because the pre-hook has already deleted:
    dbt-duckdb's delete+insert would delete again, by a join over the whole table, and find
    nothing. A customer is the unit because
    every fact row belongs to one, and every measure of the marts is per customer.

    `changed_models`: list of {model, customer_id} where customer_id is a column of the model,
    or {model, order_id} for rows that reach their customer through base_shop__orders.
-#}
{% macro customers_changed_since_last_run(changed_models) %}
    {%- set last_run = "(select coalesce(max(computed_at), cast('1900-01-01' as timestamp)) from " ~ this ~ ")" -%}
    {%- for changed in changed_models %}
    {%- if changed.get('customer_id') %}
    select {{ changed.customer_id }} as customer_id
    from {{ ref(changed.model) }}
    where classified_at > {{ last_run }} and {{ changed.customer_id }} is not null
    {%- else %}
    select orders.customer_id
    from {{ ref(changed.model) }} as changed
    inner join {{ ref('base_shop__orders') }} as orders
        on changed.{{ changed.order_id }} = orders.order_id
    where changed.classified_at > {{ last_run }} and orders.customer_id is not null
    {%- endif %}
    {{ "union" if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- The config of an incremental fact: its changed customers forgotten, then their rows appended. -#}
{% macro incremental_fact_config(changed_models) %}
    {{ return({
        'materialized': incremental_if_supported(),
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': ["{{ forget_changed_customers(" ~ changed_models ~ ") }}"],
    }) }}
{%- endmacro %}


{#-
    The first CTE of an incremental fact, `changed_customers`, on incremental runs only. It also
    refs, at parse time, every model the incremental branch reads, so dbt knows the dependency
    (and unit tests need no fixture for them).
-#}
{% macro changed_customers_cte(changed_models) %}
    {%- if not execute %}
    -- depends_on: {% for changed in changed_models %}{{ ref(changed.model) }}, {% endfor %}{{ ref('base_shop__orders') }}
    {%- endif %}
    {%- if is_incremental() %}
changed_customers as (
    {{ customers_changed_since_last_run(changed_models) }}
),
    {%- endif %}
{%- endmacro %}


{#-
    The rows of a staged model that an incremental fact recomputes: those whose `key` is in
    `key_source` (by default the changed customers); every row on a full refresh.
-#}
{% macro rows_of_changed_customers(model, key='customer_id', key_source='changed_customers') %}
    select * from {{ ref(model) }}
    {%- if is_incremental() %}
    where {{ key }} in (select {{ key_source }}.{{ key }} from {{ key_source }})
    {%- endif %}
{%- endmacro %}


{#- Pre-hook of an incremental fact: forget every row of the customers it recomputes (see above). -#}
{% macro forget_changed_customers(changed_models) %}
    {%- if is_incremental() %}
    delete from {{ this }}
    where customer_id in (
        {{ customers_changed_since_last_run(changed_models) }}
    )
    {%- endif %}
{%- endmacro %}
