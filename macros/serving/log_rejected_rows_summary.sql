{#-
    on-run-end: one log line per raw table and rejection reason with the number of rows
    quarantined in rejected_rows (the demo data has some on purpose), so a build reports what
    it rejected without a warning; max_rejected_share stays the error-severity limit.
-#}
{% macro log_rejected_rows_summary(results) %}
    {%- if execute -%}
        {%- set built = [] -%}
        {%- for result in results
            if result.node.name == 'rejected_rows' and result.node.resource_type == 'model'
            and result.status == 'success' -%}
            {%- do built.append(result.node) -%}
        {%- endfor -%}
        {%- if built -%}
            {%- set summary = run_query(
                "select source_table, reason, count(*) from " ~ built[0].relation_name
                ~ " group by source_table, reason order by source_table, reason") -%}
            {%- if summary.rows | length == 0 -%}
                {%- do log("Rejected rows: none", info=true) -%}
            {%- endif -%}
            {%- for row in summary.rows -%}
                {%- do log("Rejected rows: " ~ row[0] ~ ", " ~ row[1] ~ ": " ~ row[2] ~ " (rows in " ~ quarantine_diagnostics_dir() ~ "/rejected_rows.parquet)", info=true) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
