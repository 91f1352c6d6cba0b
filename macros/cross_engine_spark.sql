{#-
    What the project needs to run on other engines beyond the variants in cross_engine.sql:
    engine capabilities, raw files on engines that have no file-reading table functions, and,
    for Apache Spark (dbt-spark, also the base of dbt-databricks), overrides of dbt's own
    dispatched macros. The project's seeds, model contracts and SQL use ANSI type names
    (varchar); Spark has no length-less varchar, so dbt's casts to a declared type translate it.
-#}

{#-
    True when this run fits the Python lifetime-value models (docs/rules.md section 6): the engine runs
    dbt Python models (dbt-duckdb does, in-process; dbt-spark's session and thrift methods do
    not) and the var `predict_clv` is true. When false, customer_lifetime_value,
    clv_model_params and the intermediate int_customers_predicted and int_clv_models_fitted are
    disabled and customer_value keeps its predicted columns null.
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


{#-
    Makes the raw files of `raw_data_path` readable as the `raw` source (on-run-start hook).
    DuckDB needs nothing: the source's `external_location` reads the files directly. Spark
    registers each `<raw_data_path>/<table>.<raw_file_format>` as an external (unmanaged)
    table `raw.<table>` over the file; dropping it never touches the file. CSV columns are
    read as text with a header row, empty fields as null, quotes doubled as in RFC 4180.
-#}
{% macro register_raw_files() %}
    {{ return(adapter.dispatch('register_raw_files', 'customer_value')()) }}
{% endmacro %}

{% macro default__register_raw_files() %}
{% endmacro %}

{% macro spark__register_raw_files() %}
    {%- if execute and var('raw_data_path') is not none and raw_layout() == 'lines' -%}
        {{ exceptions.raise_compiler_error(
            "raw_layout lines is not available on Spark yet: build the line file on DuckDB, or export"
            ~ " the five tables (docs/rules.md, line layout)") }}
    {%- endif -%}
    {%- if execute and var('raw_data_path') is not none -%}
        {%- set file_format = raw_file_format() -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for table_name in raw_table_contracts() -%}
            {%- set path = raw_file_path(table_name) -%}
            {%- do run_query('drop table if exists raw.' ~ table_name) -%}
            {%- do run_query(
                'create table raw.' ~ table_name ~ ' using ' ~ file_format
                ~ " options (path '" ~ (path | replace("'", "\\'")) ~ "'"
                ~ (", header 'true', escape '\"', multiLine 'true'" if file_format == 'csv' else '')
                ~ ')'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}


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
