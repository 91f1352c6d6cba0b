{#-
    Makes the raw files of `raw_data_path` readable as the `raw` source (on-run-start hook).
    The dispatcher and every engine's version are in this file. A line export (`raw_layout:
    lines`) is landed on both engines by register_raw_lines (macros/raw_files/load_raw_lines.sql,
    its engine parts in raw_line_reading.sql). In the tables layout DuckDB checks and lands each
    file (duckdb__register_raw_files below, helpers in macros/raw_files/). Spark
    registers each `<raw_data_path>/<table>.<raw_file_format>` as an external (unmanaged)
    table `raw.<table>` over the file; dropping it never touches the file. CSV columns are
    read as text with a header row, separated by the var raw_csv_delimiter, empty fields as
    null, quotes doubled as in RFC 4180.
-#}
{% macro register_raw_files() %}
    {#- dbt seed loads the project's own CSV seeds and reads no raw file: a large export is not
        read (a line export not derived) for it. #}
    {%- if flags.WHICH == 'seed' -%}
        {{ return('') }}
    {%- endif -%}
    {%- if execute and var('raw_data_path') is not none and var('raw_increments_path') is not none -%}
        {{ exceptions.raise_compiler_error(
            "raw_data_path and raw_increments_path are both set: give a snapshot or daily increments, not both"
            ~ " (docs/rules.md, section 15)") }}
    {%- endif -%}
    {{ return(adapter.dispatch('register_raw_files', 'customer_value')()) }}
{% endmacro %}

{% macro default__register_raw_files() %}
{% endmacro %}

{% macro spark__register_raw_files() %}
    {%- if execute and var('raw_increments_path') is not none -%}
        {{ exceptions.raise_compiler_error(
            "raw_increments_path: daily increments are loaded on DuckDB only; on Spark, give the snapshot"
            ~ " they add up to as raw_data_path (docs/rules.md, section 15)") }}
    {%- elif execute and var('raw_data_path') is not none and raw_layout() == 'lines' -%}
        {%- do register_raw_lines() -%}
    {%- elif execute and var('raw_data_path') is not none -%}
        {%- set file_format = raw_file_format() -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for table_name in raw_table_contracts() -%}
            {%- set path = raw_file_path(table_name) -%}
            {%- do run_query(drop_raw_relation(table_name)) -%}
            {%- do run_query(
                'create table raw.' ~ table_name ~ ' using ' ~ file_format
                ~ " options (path " ~ sql_text(path)
                ~ (", header 'true', escape '\"', multiLine 'true', sep " ~ sql_text(var('raw_csv_delimiter', ','))
                    if file_format == 'csv' else '')
                ~ ')'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}


{#-
    DuckDB's on-run-start step for raw_data_path builds (docs/rules.md section 7): checks every raw
    file before any model runs, then lands it as the table raw.<table> (contract columns, as
    text) and every line the CSV reader could not parse in raw.malformed_lines.

    A missing required file (customers, orders, order_items), a missing contract column, an
    empty file, or a required file with no data row stops the build with one line naming the
    file, what is missing and what the contract expects. A missing or header-only optional file
    (service_events, customer_signals) lands as an empty table and is logged. Header names match the contract ignoring case and
    surrounding blanks; extra columns are ignored; the column order does not matter.

    CSV files are read separated by the var raw_csv_delimiter (default a comma), fields quoted with ", in the encoding of the var
    raw_file_encoding, with no guessing of the dialect (a guess on a broken file fails the
    whole read). The reader keeps the lines it cannot parse (wrong number of fields, bytes
    not valid in the encoding, an unterminated quote) as rejects instead of failing; the
    rejects table lives only on the reading connection, so they are copied to
    raw.malformed_lines in the same step.
-#}
{% macro duckdb__register_raw_files() %}
    {%- if execute and var('raw_increments_path') is not none -%}
        {%- do register_raw_increments() -%}
        {%- do run_query('commit') -%}
    {%- elif execute and var('raw_data_path') is not none and raw_layout() == 'lines' -%}
        {%- do forget_raw_state() -%}
        {%- do register_raw_lines() -%}
        {%- do run_query('commit') -%}
    {%- elif execute and var('raw_data_path') is not none -%}
        {%- do forget_raw_state() -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- do create_unreadable_lines_tables('raw') -%}
        {%- for table_name, contract in raw_table_contracts().items() -%}
            {%- set path = raw_file_path(table_name) -%}
            {%- set expected = raw_table_columns(table_name) -%}
            {%- set exists = run_query("select count(*) from glob(" ~ sql_text(path) ~ ")").rows[0][0] > 0 -%}
            {%- if not exists and contract.get('optional') -%}
                {%- do log("raw_data_path: no " ~ path ~ "; " ~ table_name ~ " is optional and is built empty", info=true) -%}
                {%- do replace_raw_relation(table_name, 'table', empty_raw_table_select(table_name)) -%}
            {%- elif not exists -%}
                {{ raw_file_error(path, "the file is missing", expected) }}
            {%- else -%}
                {%- do land_raw_file(table_name, path) -%}
                {%- set counts = run_query(
                    "select (select count(*) from raw." ~ table_name ~ "),"
                    ~ " (select count(*) from raw.malformed_lines where source_table = '" ~ table_name ~ "')") -%}
                {%- if counts.rows[0][0] + counts.rows[0][1] == 0 and contract.get('optional') -%}
                    {%- do log("raw_data_path: " ~ path ~ " has no data rows; " ~ table_name ~ " is built empty", info=true) -%}
                {%- elif counts.rows[0][0] + counts.rows[0][1] == 0 -%}
                    {{ raw_file_error(path, "the file has no data rows", expected) }}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {#- The hook runs in a transaction that dbt rolls back when the hook's SQL is empty. -#}
        {%- do run_query('commit') -%}
    {%- elif execute -%}
        {%- do forget_raw_state() -%}
        {%- do run_query('commit') -%}
    {%- endif -%}
{% endmacro %}


{#- A build from a snapshot or the demo replaces every model: the state of the daily increments
    no longer matches them, so a later increments build rebuilds it (docs/rules.md section 15). -#}
{% macro forget_raw_state() %}
    {%- call statement('forget_raw_state') -%}
        drop schema if exists raw_state cascade
    {%- endcall -%}
{% endmacro %}
