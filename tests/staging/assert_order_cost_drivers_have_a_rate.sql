{#-
    Configuration check (error severity, docs/rules.md section 2): every order-derived cost driver
    (order_processing, delivery, return_handling) has a rate valid on its date. A gap in the rate card is a
    configuration error, not bad data, so orders are never rejected for it; the build
    fails instead and says which activity and which dates the rate card does not cover.
-#}
{{ config(severity='error') }}

{%- set uncovered_sql %}
select
    activity,
    min(driver_date) as first_uncovered_date,
    max(driver_date) as last_uncovered_date,
    count(*) as uncovered_drivers
from {{ ref('fct_cost_to_serve') }}
where driver_source = 'order' and cost_per_unit is null
group by activity
{%- endset %}

{%- set built_facts = load_relation(ref('fct_cost_to_serve')) if execute else none %}
{%- if built_facts is not none %}
{%- for row in run_query(uncovered_sql) %}
{%- do log("service_cost_rates has no " ~ row[0] ~ " rate for " ~ row[3]
    ~ " order-derived drivers dated " ~ row[1] ~ " to " ~ row[2], info=true) %}
{%- endfor %}
{%- endif %}

{{ uncovered_sql }}
