{#-
    Apache Spark (dbt-spark, also the base of dbt-databricks): overrides of dbt's own
    dispatched macros. The project's seeds, model contracts and SQL use ANSI type names
    (varchar); Spark has no length-less varchar, so dbt's casts to a declared type translate it.
-#}

{#- A declared data type as Spark SQL spells it: varchar or text without a length is `string`. -#}
{% macro spark_data_type(data_type) %}
    {%- set normalised = data_type | string | trim | lower -%}
    {%- if normalised in ('varchar', 'text', 'character varying')
        or normalised.startswith('varchar(') or normalised.startswith('character varying(') -%}
        {{- return('string') -}}
    {%- else -%}
        {{- return(data_type) -}}
    {%- endif -%}
{% endmacro %}

{#- dbt's cross-database cast: what contracts' empty schema and unit-test fixtures use. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_data_type(type) }})
{%- endmacro %}


{#-
    Seeds on Spark: dbt-spark's session method pastes seed values into the SQL as '<value>',
    so an empty cell loads as the text 'None' and a quote or backslash in a value breaks or
    changes it. This loads the same rows with every value as an escaped literal (null for an
    empty cell), for every dbt-spark connection method.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do column_types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_seed_literal(value) }} as {{ column_types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- One seed cell as a Spark SQL literal. -#}
{% macro spark_seed_literal(value) %}
    {%- if value is none -%}
        {{- return('null') -}}
    {%- elif value is sameas true or value is sameas false -%}
        {{- return('true' if value else 'false') -}}
    {%- elif value is number -%}
        {{- return(value | string) -}}
    {%- else -%}
        {{- return("'" ~ (value | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") -}}
    {%- endif -%}
{% endmacro %}
