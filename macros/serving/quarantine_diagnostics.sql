{#-
    on-run-end (docs/rules.md, section 13): every build, passed or failed, writes the
    quarantine (rejected_rows, nulled_values, quarantine_summary) as Parquet files to the
    diagnostics folder, so a failed build can be understood without opening the build
    database. Only a table this run built is written; a file of a table the run did not build
    is removed rather than left stale. DuckDB only.
-#}
{% macro write_quarantine_diagnostics(results) %}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set built = {} -%}
    {%- for result in results if result.node.resource_type == 'model'
        and result.node.name in ('rejected_rows', 'nulled_values', 'quarantine_summary') -%}
        {%- do built.update({result.node.name: (result.status | string) == 'success'}) -%}
    {%- endfor -%}
    {%- if not built -%}
        {{ return('') }}
    {%- endif -%}
    {%- set folder = run_query(
        "select raw_diagnostics_prepare(" ~ dbt.string_literal(quarantine_diagnostics_dir()) ~ ")"
    ).columns[0].values()[0] -%}
    {%- set written = [] -%}
    {%- for name, success in built.items() -%}
        {%- set relation = adapter.get_relation(database=target.database, schema=target.schema, identifier=name) -%}
        {%- if success and relation is not none -%}
            {%- call statement('diagnostics_' ~ name) -%}
                copy {{ relation }} to {{ dbt.string_literal(folder ~ '/' ~ name ~ '.parquet') }} (format parquet)
            {%- endcall -%}
            {%- do written.append(name ~ '.parquet') -%}
        {%- else -%}
            {%- do run_query("select raw_diagnostics_remove(" ~ dbt.string_literal(folder ~ '/' ~ name ~ '.parquet') ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log('Quarantine written to ' ~ folder ~ ': ' ~ (written | join(', ') if written else 'nothing (not built)'), info=true) }}
    {#- A failed rejected-share limit: its line again, as the last word of the run before dbt's summary. -#}
    {%- for result in results if result.node.name == 'rejected_share_within_max_rejected_share'
        and (result.status | string) in ('error', 'fail') -%}
        {%- for line in (result.message or '').splitlines() if 'Raw table ' in line -%}
            {{ log('Build stopped on data: ' ~ line[line.index('Raw table '):], info=true) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- The diagnostics folder: `diagnostics` beside the build database file (build/diagnostics). -#}
{% macro quarantine_diagnostics_dir() %}
    {%- set database_path = (target.get('path') or 'build/customer_value.duckdb') | replace("\\", "/") -%}
    {%- set parent = database_path.rsplit('/', 1)[0] if '/' in database_path else '.' -%}
    {{- return(parent ~ '/diagnostics') -}}
{% endmacro %}
