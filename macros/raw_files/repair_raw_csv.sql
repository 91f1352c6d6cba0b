{#-
    What DuckDB's CSV reader cannot do alone (docs/rules.md, section 13), for land_raw_csv in
    on-run-start; python/raw_file_salvage.py does the file work, only for files that need it:

    - a file whose lines end in both LF and CRLF is read from a copy with LF line ends;
    - a line with an unterminated quote costs its own line only: the reader would swallow the
      lines after it (on a large file without a reject), so it reads a copy in which that line
      is a single blank, rejected where it stands, and the line is landed with its own text;
    - a line with bytes not valid in the encoding loses only its bad fields when they are
      optional columns: the rest of the line is landed as a raw row and the bad fields are
      listed in raw.salvaged_values (then nulled_values); otherwise it stays a malformed line.

    Each repair is one more read of the file; at most `raw_csv_repair_passes()`.
-#}

{#- The path land_raw_csv reads: the file, or its prepared copy (mixed line ends, unterminated
    quotes); `width`: the number of the header's fields. -#}
{% macro raw_csv_read_path(table_name, path, width, numbered=false) %}
    {{- return(run_query(
        "select raw_csv_prepare(" ~ sql_text(path) ~ ", " ~ sql_text(raw_csv_work_dir()) ~ ", "
        ~ sql_text(table_name) ~ ", " ~ sql_text(var('raw_file_encoding')) ~ ", "
        ~ sql_text(var('raw_csv_delimiter', ',')) ~ ", '" ~ width ~ "', " ~ ('true' if numbered else 'false') ~ ")"
    ).columns[0].values()[0]) -}}
{% endmacro %}


{#- The empty lines raw_csv_prepare listed for a numbered file (`file_key`: the name it was
    given), as SQL of (file_name, file_line) rows named `file_name`; none: an empty select. -#}
{% macro raw_csv_empty_lines_sql(file_key, file_name) %}
    {%- set listed = raw_csv_work_dir() ~ '/' ~ file_key ~ '.empty.csv' -%}
    {%- if run_query("select count(*) from glob(" ~ sql_text(listed) ~ ")").rows[0][0] == 0 -%}
        {{ return("select " ~ sql_text(file_name) ~ " as file_name, cast(null as bigint) as file_line where false") }}
    {%- endif -%}
    {{ return("select " ~ sql_text(file_name) ~ " as file_name, line_number as file_line from read_csv("
        ~ sql_text(listed) ~ ", header = true, auto_detect = false, columns = {'line_number': 'bigint'})") }}
{% endmacro %}


{#-
    The SQL that lands the lines raw_csv_prepare found with an unterminated quote (`file_key`:
    the name it was given), or '' when there are none. Those lines are single blanks in the
    copy the reader read, so the reader rejected them where they stand: in `malformed`, their
    rows (those matching `where`, by `line_column`) get the line's own text and problem.
    `source_values`: the SQL of the columns before the line number.
-#}
{% macro unterminated_quotes_sql(file_key, malformed, where, line_column, source_values) %}
    {%- set quotes = raw_csv_work_dir() ~ '/' ~ file_key ~ '.quotes.csv' -%}
    {%- if run_query("select count(*) from glob(" ~ sql_text(quotes) ~ ")").rows[0][0] == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set read_quotes = "read_csv(" ~ sql_text(quotes) ~ ", header = true, auto_detect = false, delim = ',',"
        ~ " quote = '\"', escape = '\"', columns = {'line_number': 'bigint', 'byte_position': 'bigint',"
        ~ " 'problem': 'varchar', 'line_text': 'varchar'})" -%}
    {%- set landing -%}
        delete from {{ malformed }}
        where {{ where }} and {{ line_column }} in (select line_number from {{ read_quotes }});

        insert into {{ malformed }}
        select {{ source_values }}, line_number, problem, line_text, byte_position
        from {{ read_quotes }};
    {%- endset -%}
    {{ return(landing) }}
{% endmacro %}


{#- Where copies and repair files go: `raw_landing` beside the build database file. -#}
{% macro raw_csv_work_dir() %}
    {{- return(quarantine_diagnostics_dir().rsplit('/', 1)[0] ~ '/raw_landing') -}}
{% endmacro %}


{% macro raw_csv_repair_passes() %}
    {{- return(5) -}}
{% endmacro %}


{#-
    The optional contract columns of each raw table (not the key, not required): a bad byte
    there costs the field, not the line (the key and the required columns cannot be guessed,
    so their line stays malformed).
-#}
{% macro raw_salvageable_columns(table_name) %}
    {%- set contract = raw_table_contracts()[table_name] -%}
    {{- return(contract.columns | reject('in', contract.required) | list) -}}
{% endmacro %}


{#-
    After land_raw_csv read `read_path` (pass `repair_pass`): repairs the lines that need it
    and reads the copy again, or, when none is left, lands the salvaged rows, their bad fields
    and the lines that could not be salvaged.
-#}
{% macro repair_raw_csv(table_name, path, read_path, header, expected, repair_pass) %}
    {%- set encoding = var('raw_file_encoding') -%}
    {%- set targets = run_query(
        "select line_number, byte_position, problem"
        ~ " from raw.malformed_lines where source_table = " ~ sql_text(table_name)
        ~ " and problem like 'INVALID ENCODING%'") -%}
    {%- if targets.rows | length > 0 and repair_pass < raw_csv_repair_passes()
        and encoding | lower not in ('utf-16', 'utf16') -%}
        {%- set listed = [] -%}
        {%- for row in targets.rows -%}
            {%- do listed.append({'line_number': row[0], 'byte_position': row[1], 'problem': row[2]}) -%}
        {%- endfor -%}
        {%- set copy = raw_csv_work_dir() ~ '/' ~ table_name ~ '.pass' ~ (repair_pass + 1) ~ '.csv' -%}
        {%- do run_query(
            "select raw_csv_repair(" ~ sql_text(read_path) ~ ", " ~ sql_text(copy) ~ ", "
            ~ sql_text(raw_csv_work_dir()) ~ ", " ~ sql_text(table_name) ~ ", " ~ sql_text(encoding) ~ ", "
            ~ sql_text(header | join(',')) ~ ", " ~ sql_text(expected | join(',')) ~ ", "
            ~ sql_text(raw_salvageable_columns(table_name) | join(',')) ~ ", " ~ sql_text(tojson(listed)) ~ ")") -%}
        {%- do run_query("delete from raw.malformed_lines where source_table = " ~ sql_text(table_name)) -%}
        {%- do land_raw_csv(table_name, path, expected, copy, repair_pass + 1) -%}
        {%- do run_query("select raw_diagnostics_remove(" ~ sql_text(copy) ~ ")") -%}
    {%- elif repair_pass > 0 -%}
        {%- do land_repaired_lines(table_name, path, expected) -%}
    {%- endif -%}
{% endmacro %}


{#- Lands what raw_csv_repair wrote: salvaged rows, their bad fields, unsalvageable lines. -#}
{% macro land_repaired_lines(table_name, path, expected) %}
    {%- set work_dir = raw_csv_work_dir() -%}
    {%- set found = {} -%}
    {%- for kind in ['rows', 'values', 'lines'] -%}
        {%- set file = work_dir ~ '/' ~ table_name ~ '.' ~ kind ~ '.csv' -%}
        {%- if run_query("select count(*) from glob(" ~ sql_text(file) ~ ")").rows[0][0] > 0 -%}
            {%- do found.update({kind: "read_csv(" ~ sql_text(file) ~ ", header = true, all_varchar = true, auto_detect = true,"
                ~ " delim = ',', quote = '\"', escape = '\"')"}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- call statement('land_repaired_' ~ table_name) -%}
        {%- if 'rows' in found %}
        insert into raw.{{ table_name }} ({{ expected | join(', ') }})
        select {{ expected | join(', ') }} from {{ found['rows'] }};
        {%- endif %}
        {%- if 'values' in found %}
        insert into raw.salvaged_values
        select {{ sql_text(table_name) }}, cast(line_number as bigint), source_key, column_name, raw_value, detail
        from {{ found['values'] }};
        {%- endif %}
        {%- if 'lines' in found %}
        insert into raw.malformed_lines
        select {{ sql_text(table_name) }}, {{ sql_text(path.replace('\\', '/').rsplit('/', 1)[-1]) }},
            cast(line_number as bigint), problem, line_text,
            cast(byte_position as bigint)
        from {{ found['lines'] }};
        {%- endif %}
        select 1
    {%- endcall -%}
{% endmacro %}
