{#-
    docs/rules.md, section 12: readers never open the build database. After a `dbt build` whose nodes
    all passed (on-run-end, given `results`), or when called with `dbt run-operation
    publish_marts`, the public marts are copied into a new DuckDB file and new Parquet files
    beside the serving ones, which are then renamed over them (python/serving_publication.py,
    loaded as a dbt-duckdb plugin, does the renames). A failed build publishes nothing.
-#}
{% macro publish_marts(results=none) %}
    {%- if not execute or target.type != 'duckdb' or not var('publish_marts') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if results is not none -%}
        {%- if flags.WHICH != 'build' -%}
            {{ return('') }}
        {%- endif -%}
        {%- set unsuccessful = [] -%}
        {%- for result in results if (result.status | string) in ('error', 'fail', 'skipped', 'runtime error') -%}
            {%- do unsuccessful.append(result.node.name) -%}
        {%- endfor -%}
        {%- if unsuccessful -%}
            {{ log('Marts not published: ' ~ unsuccessful | length ~ ' node(s) failed or were skipped ('
                ~ unsuccessful[:5] | join(', ') ~ '); readers keep the previous publication.', info=true) }}
            {{ return('') }}
        {%- endif -%}
    {%- endif -%}

    {%- set relations = serving_mart_relations() -%}
    {%- set publication_id = invocation_id -%}
    {%- set serving_dir = run_query(
        "select serving_prepare(" ~ dbt.string_literal(env_var('CUSTOMER_VALUE_SERVING_DIR', ''))
        ~ ", " ~ dbt.string_literal(target.path) ~ ")"
    ).columns[0].values()[0] -%}
    {%- set new_database = serving_dir ~ '/.customer_value.duckdb.' ~ publication_id ~ '.tmp' -%}

    {%- call statement('attach_publication') -%}
        attach {{ dbt.string_literal(new_database) }} as serving_publication
    {%- endcall -%}
    {%- for name, relation in relations.items() -%}
        {%- call statement('publish_' ~ name) -%}
            create table serving_publication.main.{{ name }} as select * from {{ relation }}
        {%- endcall -%}
    {%- endfor -%}
    {%- call statement('publication_record') -%}
        create table serving_publication.main.publication as
        {%- for name in relations %}
        select
            {{ dbt.string_literal(publication_id) }} as publication_id,
            cast(current_timestamp at time zone 'UTC' as timestamp) as published_at,
            {{ dbt.string_literal(name) }} as model_name,
            count(*) as row_count
        from serving_publication.main.{{ name }}
        {%- if not loop.last %}
        union all
        {%- endif -%}
        {%- endfor %}
    {%- endcall -%}
    {%- set published = (relations.keys() | list) + ['publication'] -%}
    {#- Parquet is written from the build database: reading the new file while it is being
        written back is slower, and the data is the same. -#}
    {%- for name in published -%}
        {%- call statement('parquet_' ~ name) -%}
            copy {{ relations.get(name, 'serving_publication.main.' ~ name) }}
            to {{ dbt.string_literal(serving_dir ~ '/parquet/.' ~ name ~ '.parquet.' ~ publication_id ~ '.tmp') }}
            (format parquet)
        {%- endcall -%}
    {%- endfor -%}
    {%- do adapter.commit() -%}
    {%- call statement('detach_publication', auto_begin=false) -%}
        detach serving_publication
    {%- endcall -%}
    {%- do run_query(
        "select serving_commit(" ~ dbt.string_literal(serving_dir) ~ ", " ~ dbt.string_literal(publication_id)
        ~ ", " ~ dbt.string_literal(published | join(',')) ~ ")"
    ) -%}
    {{ log('Published ' ~ relations | length ~ ' marts to ' ~ serving_dir ~ ' (publication ' ~ publication_id ~ ')', info=true) }}
    {{ return('') }}
{% endmacro %}


{#-
    The public marts this build has, by name: the models with `access: public` (the public
    marts of docs/rules.md, dbt_project.yml) that are enabled and exist in the database.
-#}
{% macro serving_mart_relations() %}
    {%- set relations = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.access == 'public' -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is not none -%}
            {%- do relations.update({node.name: relation}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(relations) }}
{% endmacro %}
