{#-
    Custom schemas are used as given (seeds, staging, intermediate) instead of dbt's
    default <target_schema>_<custom>, so BI tools find the marts in the target schema
    and everything else in a schema named after its layer.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
