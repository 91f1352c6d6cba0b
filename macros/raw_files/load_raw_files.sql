{#- The var raw_layout, tables or lines; anything else stops the build with one line. -#}
{% macro raw_layout() %}
    {%- set layout = var('raw_layout', 'tables') -%}
    {%- if layout not in ('tables', 'lines') -%}
        {{ exceptions.raise_compiler_error("raw_layout must be tables or lines, not '" ~ layout ~ "'") }}
    {%- endif -%}
    {{- return(layout) -}}
{% endmacro %}


{#- The var raw_file_format, parquet or csv; anything else stops the build with one line. -#}
{% macro raw_file_format() %}
    {%- set file_format = var('raw_file_format') -%}
    {%- if file_format not in ('parquet', 'csv') -%}
        {{ exceptions.raise_compiler_error("raw_file_format must be parquet or csv, not '" ~ file_format ~ "'") }}
    {%- endif -%}
    {{- return(file_format) -}}
{% endmacro %}


{#- The raw file of a table: <raw_data_path>/<table>.<raw_file_format>, with forward slashes. -#}
{% macro raw_file_path(table_name) %}
    {%- set folder = (var('raw_data_path') | string | replace("\\", "/")).rstrip('/') -%}
    {{- return(folder ~ '/' ~ table_name ~ '.' ~ raw_file_format()) -}}
{% endmacro %}


{#- Empty tables `<schema>.malformed_lines` (the lines a reader could not parse) and
    `<schema>.salvaged_values` (fields of lines with bytes not valid in the encoding). -#}
{% macro create_unreadable_lines_tables(schema) %}
    {%- do run_query(
        'create or replace table ' ~ schema ~ '.malformed_lines (source_table varchar, source_file varchar,'
        ~ ' line_number bigint, problem varchar, line_text varchar, byte_position bigint)') -%}
    {%- do run_query(
        'create or replace table ' ~ schema ~ '.salvaged_values (source_table varchar, line_number bigint,'
        ~ ' source_key varchar, column_name varchar, raw_value varchar, detail varchar)') -%}
{% endmacro %}


{#- Stops the build with one line: the file, what is wrong, what the contract expects. -#}
{% macro raw_file_error(path, problem, expected_columns) %}
    {{ exceptions.raise_compiler_error(
        "Raw file " ~ path ~ ": " ~ problem ~ "; the contract expects a header with the columns "
        ~ expected_columns | join(", ") ~ " (docs/rules.md section 1)") }}
{% endmacro %}


{#- An empty raw table's select: the contract columns as text, no rows (a missing optional file). -#}
{% macro empty_raw_table_select(table_name) -%}
    select
        {%- for name in raw_table_columns(table_name) %}
        cast(null as {{ text_type() }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
{%- endmacro %}


{#-
    The header's column names, lower-cased and trimmed (a byte order mark is dropped by the
    reader); a repeated name gets a _2, _3... suffix so it cannot hide the first one. The line
    is read by raw_first_line (macros/cross_engine/raw_line_reading.sql), by one thread: with preserve_insertion_order
    off (profiles.yml), `limit 1` of a parallel read of a large file may return a line from the
    middle instead of the first.
-#}
{% macro raw_csv_header(path) %}
    {%- set first_line = raw_first_line(path) -%}
    {%- set names = [] -%}
    {%- if first_line -%}
        {%- for field in first_line.split(var('raw_csv_delimiter', ',')) -%}
            {%- set name = field.strip().strip('"').strip().lower() -%}
            {%- do names.append(name if name not in names else name ~ '_' ~ loop.index) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}


{%- macro check_raw_columns(path, found, expected) -%}
    {%- if found | length == 0 -%}
        {{ raw_file_error(path, "the file is empty", expected) }}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for name in expected if name not in found -%}{%- do missing.append(name) -%}{%- endfor -%}
    {%- if missing -%}
        {{ raw_file_error(path, "missing column(s) " ~ missing | join(", ") ~ " (found " ~ found | join(", ") ~ ")", expected) }}
    {%- endif -%}
{%- endmacro -%}


{#- The read_csv column spec of a CSV header: every column read as text. -#}
{% macro raw_csv_text_columns(header) %}
    {%- set columns = [] -%}
    {%- for name in header -%}{%- do columns.append(sql_text(name) ~ ": 'varchar'") -%}{%- endfor -%}
    {{ return(columns | join(', ')) }}
{% endmacro %}


{#- Lands a raw file of raw_file_format as raw.<table> (its unreadable lines in
    raw.malformed_lines), then checks its required date column (check_raw_dates). -#}
{% macro land_raw_file(table_name, path) %}
    {%- set expected = raw_table_columns(table_name) -%}
    {%- if raw_file_format() == 'csv' -%}
        {%- do land_raw_csv(table_name, path, expected) -%}
    {%- else -%}
        {%- do land_raw_parquet(table_name, path, expected) -%}
    {%- endif -%}
    {%- set date_column = raw_table_contracts()[table_name].get('date_column') -%}
    {%- if date_column -%}
        {%- do check_raw_dates('raw.' ~ table_name, date_column, path, date_column) -%}
    {%- endif -%}
{% endmacro %}


{#-
    Lands a CSV file: its parsed lines as raw.<table>, the others in raw.malformed_lines.
    read_path and repair_pass: a repaired copy of the file read again (macro repair_raw_csv).
-#}
{% macro land_raw_csv(table_name, path, expected, read_path=none, repair_pass=0) %}
    {%- set header = raw_csv_header(path) -%}
    {%- do check_raw_columns(path, header, expected) -%}
    {%- set read_path = read_path or raw_csv_read_path(table_name, path, header | length) -%}
    {%- set rejects = 'raw_rejects_' ~ table_name -%}
    {%- set file_name = path.replace('\\', '/').rsplit('/', 1)[-1] -%}
    {%- call statement('land_raw_csv_' ~ table_name) -%}
        {{ drop_raw_relation(table_name) }}
        create or replace table raw.{{ table_name }} as
        select {{ expected | join(', ') }}
        from read_csv(
            {{ sql_text(read_path) }},
            columns = { {{ raw_csv_text_columns(header) }} },
            header = true,
            auto_detect = false,
            delim = {{ sql_text(var('raw_csv_delimiter', ',')) }},
            quote = '"',
            escape = '"',
            encoding = {{ sql_text(var('raw_file_encoding')) }},
            store_rejects = true,
            rejects_table = '{{ rejects }}',
            rejects_scan = '{{ rejects }}_scan'
        );

        {#- A line can break several rules; the first one the reader found is its problem. #}
        insert into raw.malformed_lines
        select
            '{{ table_name }}' as source_table,
            {{ sql_text(file_name) }} as source_file,
            line as line_number,
            arg_min(cast(error_type as varchar) || ': ' || error_message, column_idx) as problem,
            trim(any_value(csv_line), chr(13) || chr(10)) as line_text,
            min(line_byte_position) as byte_position
        from {{ rejects }}
        group by line;

        drop table {{ rejects }};
        drop table {{ rejects }}_scan;
    {%- endcall -%}
    {%- set quotes_landing = unterminated_quotes_sql(table_name, 'raw.malformed_lines',
        'source_table = ' ~ sql_text(table_name), 'line_number', sql_text(table_name) ~ ', ' ~ sql_text(file_name)) -%}
    {%- if quotes_landing -%}
        {%- do run_query(quotes_landing) -%}
    {%- endif -%}
    {%- do repair_raw_csv(table_name, path, read_path, header, expected, repair_pass) -%}
{% endmacro %}


{#-
    Lands a Parquet file: the contract columns as text, as a view. Parquet has no malformed
    lines, and a view costs nothing at millions of rows where a copy would be a second write.
    `paths`: one file, or a list of files of the same schema, read as one view that names each
    row's file in the column source_path.
-#}
{% macro land_raw_parquet(table_name, paths, expected) %}
    {%- set many = paths is not string -%}
    {%- set first_path = paths[0] if many else paths -%}
    {%- set described = run_query("describe select * from read_parquet(" ~ sql_text(first_path) ~ ")") -%}
    {%- set found = [] -%}
    {%- for row in described.rows -%}{%- do found.append(row[0] | lower) -%}{%- endfor -%}
    {%- do check_raw_columns(first_path, found, expected) -%}
    {%- set by_lower_name = {} -%}
    {%- for row in described.rows -%}{%- do by_lower_name.update({row[0] | lower: row[0]}) -%}{%- endfor -%}
    {%- set quoted = [] -%}
    {%- for path in (paths if many else [paths]) -%}{%- do quoted.append(sql_text(path)) -%}{%- endfor -%}
    {%- call statement('land_raw_parquet_' ~ table_name) -%}
        {{ drop_raw_relation(table_name) }}
        create or replace view raw.{{ table_name }} as
        select
            {%- for name in expected %}
            cast("{{ by_lower_name[name] }}" as varchar) as {{ name }}{{ "," if not loop.last or many }}
            {%- endfor %}
            {%- if many %}
            source_path
            {%- endif %}
        from read_parquet([{{ quoted | join(', ') }}]{{ ", filename = 'source_path'" if many }})
    {%- endcall -%}
{% endmacro %}
