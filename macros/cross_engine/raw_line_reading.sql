{#-
    Reading a line export (`raw_layout: lines`, docs/rules.md section 13) on each engine: what
    differs between DuckDB and Spark is how files are listed, how a file's first line and a
    Parquet file's column names are read, and how the lines are read and numbered. Everything
    after that (raw.lines and the raw tables derived from it, the date check) is the same SQL
    on both engines (macros/raw_files/load_raw_lines.sql).

    read_raw_lines leaves, on its engine's connection:
    - `read_lines`: a relation with `file_name`, `file_line` (the line's number in its file,
      the header being line 1) and one text column per column of the files, named by the
      header's lower-cased names (or column1..N for a file without a header);
    - raw.malformed_lines (source_table, source_file, line_number, problem, line_text,
      byte_position): the lines the reader could not split into the header's fields, as
      order_items lines; a line's problem starts with its file's name when the folder has
      several files.
-#}

{#- The files of raw_data_path: the file itself, or the files of the folder; none stops the build. -#}
{% macro raw_line_files(path) %}
    {{ return(adapter.dispatch('raw_line_files', 'customer_value')(path)) }}
{% endmacro %}

{% macro duckdb__raw_line_files(path) %}
    {%- set single = run_query("select file from glob(" ~ sql_text(path) ~ ") order by file") -%}
    {%- set files = [] -%}
    {%- if single.rows | length == 0 -%}
        {%- set listed = run_query("select file from glob(" ~ sql_text(path.rstrip('/') ~ '/*') ~ ") order by file") -%}
        {%- for row in listed.rows -%}{%- do files.append(row[0] | replace("\\", "/")) -%}{%- endfor -%}
    {%- else -%}
        {%- for row in single.rows -%}{%- do files.append(row[0] | replace("\\", "/")) -%}{%- endfor -%}
    {%- endif -%}
    {%- if files | length == 0 -%}
        {{ raw_lines_error(path, "no such file, or a folder without files") }}
    {%- endif -%}
    {{ return(files) }}
{% endmacro %}

{#- Spark lists a file or a folder (on any file system it reads) with the binaryFile source,
    which reads no file's content when only the path is selected. #}
{% macro spark__raw_line_files(path) %}
    {%- set listed = run_query("select path from binaryFile.`" ~ path | replace('`', '``') ~ "` order by path") -%}
    {%- set files = [] -%}
    {%- for row in listed.rows -%}{%- do files.append(row[0]) -%}{%- endfor -%}
    {%- if files | length == 0 -%}
        {{ raw_lines_error(path, "no such file, or a folder without files") }}
    {%- endif -%}
    {{ return(files) }}
{% endmacro %}


{#- The first line of a text file as read in the var raw_file_encoding ('' for an empty file). -#}
{% macro raw_first_line(path) %}
    {{ return(adapter.dispatch('raw_first_line', 'customer_value')(path)) }}
{% endmacro %}

{#- Read by one thread: with preserve_insertion_order off (profiles.yml), `limit 1` of a parallel
    read of a large file may return a line from the middle instead of the first. #}
{% macro duckdb__raw_first_line(path) %}
    {%- set first_line = run_query(
        "select line from read_csv(" ~ sql_text(path) ~ ", columns = {'line': 'varchar'}, header = false,"
        ~ " parallel = false, auto_detect = false, delim = chr(31), quote = '', escape = '',"
        ~ " ignore_errors = true, strict_mode = false,"
        ~ " encoding = " ~ sql_text(var('raw_file_encoding')) ~ ") limit 1") -%}
    {%- if first_line.rows | length == 0 or first_line.rows[0][0] is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(first_line.rows[0][0]) }}
{% endmacro %}

{#- The file read as one text column (no delimiter, no quoting); a byte order mark is dropped.
    `limit 1` reads the first of the file's blocks (Spark's first partition holds the block at
    the file's start), not the whole file. #}
{% macro spark__raw_first_line(path) %}
    {%- do run_query(
        "create or replace temporary view raw_line_first_lines (line string) using csv options ("
        ~ spark_raw_text_options(path) ~ ")") -%}
    {%- set first_line = run_query("select line from raw_line_first_lines limit 1") -%}
    {%- do run_query("drop view if exists raw_line_first_lines") -%}
    {%- if first_line.rows | length == 0 or first_line.rows[0][0] is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(first_line.rows[0][0]) }}
{% endmacro %}


{#- The column names of a Parquet file, in file order. -#}
{% macro raw_parquet_columns(path) %}
    {{ return(adapter.dispatch('raw_parquet_columns', 'customer_value')(path)) }}
{% endmacro %}

{% macro duckdb__raw_parquet_columns(path) %}
    {%- set names = [] -%}
    {%- for row in run_query("describe select * from read_parquet(" ~ sql_text(path) ~ ")").rows -%}
        {%- do names.append(row[0]) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{% macro spark__raw_parquet_columns(path) %}
    {%- do run_query(
        "create or replace temporary view raw_line_parquet_columns using parquet options (path "
        ~ sql_text(path) ~ ")") -%}
    {%- set names = [] -%}
    {%- for row in run_query("describe raw_line_parquet_columns").rows -%}
        {%- if row[0] and not row[0].startswith('#') and row[0] not in names -%}{%- do names.append(row[0]) -%}{%- endif -%}
    {%- endfor -%}
    {%- do run_query("drop view if exists raw_line_parquet_columns") -%}
    {{ return(names) }}
{% endmacro %}


{#-
    Reads the lines of `files` (all of raw_data_path `path`) as `read_lines` and lands the
    unreadable ones in raw.malformed_lines (see the top of this file). `columns`: the files'
    column names in file order (the header's names lower-cased, a Parquet file's names as
    written, or column1..N); `has_header`: the first line of each text file is the header.
-#}
{% macro read_raw_lines(path, files, columns, has_header, is_parquet) %}
    {{ return(adapter.dispatch('read_raw_lines', 'customer_value')(path, files, columns, has_header, is_parquet)) }}
{% endmacro %}

{#-
    DuckDB reads with read_csv (no dialect guessing, the var raw_csv_delimiter and
    raw_file_encoding); the lines it cannot parse are kept in its rejects table, named by their
    line number, and a parsed line's number is counted from its rank and the rejects before it.
    `raw_csv_delimiter: ' '`: runs of blanks separate fields, no quoting.
-#}
{% macro duckdb__read_raw_lines(path, files, columns, has_header, is_parquet) %}
    {%- set insertion_order = run_query("select current_setting('preserve_insertion_order')").rows[0][0] -%}
    {%- set delimiter = var('raw_csv_delimiter', ',') -%}
    {%- set first_line = 2 if has_header else 1 -%}
    {#- A CSV file is read from its prepared copy when it needs one (raw_csv_read_path: mixed line
        ends, unterminated quotes); `read_files` pairs each path read with the file it stands for,
        which names the lines. -#}
    {%- set read_paths = [] -%}
    {%- set read_files = [] -%}
    {%- for file in files -%}
        {%- set read_path = file if is_parquet or delimiter == ' '
            else raw_csv_read_path('lines.' ~ loop.index, file, columns | length, numbered=true) -%}
        {%- do read_paths.append(sql_text(read_path)) -%}
        {%- do read_files.append("(" ~ sql_text(read_path) ~ ", " ~ sql_text(file) ~ ")") -%}
    {%- endfor -%}
    {%- set file_sql = '[' ~ read_paths | join(', ') ~ ']' -%}
    {#- With several files, a malformed line's problem starts with its file's name. -#}
    {%- set file_prefix = "regexp_extract(file_name, '[^/]*$', 0) || ': ' || " if files | length > 1 else "" -%}

    {%- do run_query('create schema if not exists raw') -%}
    {%- do create_unreadable_lines_tables('raw') -%}

    {%- call statement('land_raw_lines_read') -%}
        set preserve_insertion_order = true;
        {%- if is_parquet %}
        create or replace temp view read_lines as
        select
            filename as file_name,
            file_row_number + 2 as file_line,
            {%- for name in columns %}
            cast("{{ name }}" as varchar) as "{{ name | lower }}"{{ "," if not loop.last }}
            {%- endfor %}
        from read_parquet({{ file_sql }}, filename = true, file_row_number = true);
        {%- elif delimiter == ' ' %}
        {#- Runs of blanks separate fields (a text export with aligned columns); no quoting. #}
        create or replace temp table text_lines as
        select
            filename as file_name,
            row_number() over () as read_number,
            line
        from read_csv(
            {{ file_sql }}, columns = {'line': 'varchar'}, header = false, parallel = false,
            auto_detect = false, delim = chr(31), quote = '', escape = '', filename = true,
            encoding = {{ sql_text(var('raw_file_encoding')) }}
        );

        create or replace temp table numbered_text_lines as
        select
            file_name,
            read_number - min(read_number) over (partition by file_name) + 1 as file_line,
            regexp_split_to_array(trim(line), '\s+') as fields,
            line
        from text_lines;

        insert into raw.malformed_lines
        select
            'order_items',
            regexp_extract(file_name, '[^/]*$', 0),
            file_line,
            {{ file_prefix }}'wrong number of fields: ' || cast(len(fields) as varchar) || ' instead of {{ columns | length }}',
            line,
            null
        from numbered_text_lines
        where file_line >= {{ first_line }} and trim(line) <> '' and len(fields) <> {{ columns | length }};

        create or replace temp view read_lines as
        select
            file_name,
            file_line,
            {%- for name in columns %}
            fields[{{ loop.index }}] as "{{ name }}"{{ "," if not loop.last }}
            {%- endfor %}
        from numbered_text_lines
        where file_line >= {{ first_line }} and trim(line) <> '' and len(fields) = {{ columns | length }};
        {%- else %}
        create or replace temp table csv_lines as
        select
            row_number() over () as read_number,
            *
        from read_csv(
            {{ file_sql }},
            columns = { {%- for name in columns %}{{ sql_text(name) }}: 'varchar'{{ ", " if not loop.last }}{% endfor -%} },
            header = {{ 'true' if has_header else 'false' }},
            auto_detect = false,
            parallel = false,
            delim = {{ sql_text(delimiter) }},
            quote = '"',
            escape = '"',
            filename = true,
            encoding = {{ sql_text(var('raw_file_encoding')) }},
            store_rejects = true,
            rejects_table = 'raw_rejects_lines',
            rejects_scan = 'raw_rejects_lines_scan'
        );

        create or replace temp table read_files (read_path varchar, file_name varchar);
        insert into read_files values {{ read_files | join(', ') }};

        create or replace temp table rejected_lines as
        select
            read_files.file_name,
            rejects.line as file_line,
            arg_min(cast(rejects.error_type as varchar) || ': ' || rejects.error_message, rejects.column_idx) as problem,
            trim(any_value(rejects.csv_line), chr(13) || chr(10)) as line_text,
            min(rejects.line_byte_position) as byte_position
        from raw_rejects_lines as rejects
        inner join raw_rejects_lines_scan as scan
            on rejects.scan_id = scan.scan_id and rejects.file_id = scan.file_id
        inner join read_files on scan.file_path = read_files.read_path
        group by read_files.file_name, rejects.line;

        {%- for file in files %}
        {{ unterminated_quotes_sql('lines.' ~ loop.index, 'rejected_lines', 'file_name = ' ~ sql_text(file), 'file_line', sql_text(file)) }}
        {%- endfor %}

        insert into raw.malformed_lines
        select 'order_items', regexp_extract(file_name, '[^/]*$', 0), file_line, {{ file_prefix }}problem, line_text, byte_position
        from rejected_lines;

        {#- A parsed line's number in its file: its rank among the file's parsed lines, plus the
            header and the rejected and empty lines before it (a skipped line's rank among them
            says how many parsed lines precede it). #}
        create or replace temp view read_lines as
        with ranked as (
            select
                csv_lines.*,
                read_files.file_name,
                read_number - min(read_number) over (partition by csv_lines.filename) + 1 as parsed_rank
            from csv_lines
            inner join read_files on csv_lines.filename = read_files.read_path
        ),

        {#- Empty lines are skipped by the reader without a reject: counted like rejects. #}
        skipped_lines as (
            select file_name, file_line from rejected_lines
            {%- for file in files %}
            union all
            {{ raw_csv_empty_lines_sql('lines.' ~ loop.index, file) }}
            {%- endfor %}
        ),

        reject_thresholds as (
            select
                file_name,
                file_line - {{ first_line - 1 }} - row_number() over (partition by file_name order by file_line) as parsed_before
            from skipped_lines
        )

        select
            ranked.file_name,
            ranked.parsed_rank + {{ first_line - 1 }} + (
                select count(*) from reject_thresholds
                where reject_thresholds.file_name = ranked.file_name
                    and reject_thresholds.parsed_before < ranked.parsed_rank
            ) as file_line,
            {%- for name in columns %}
            ranked."{{ name }}"{{ "," if not loop.last }}
            {%- endfor %}
        from ranked;

        drop table raw_rejects_lines;
        drop table raw_rejects_lines_scan;
        {%- endif %}
        set preserve_insertion_order = {{ 'true' if insertion_order else 'false' }};
    {%- endcall -%}
{% endmacro %}

{#-
    Spark reads the whole of raw_data_path (the file, or every file of the folder) with its CSV
    source: the var raw_csv_delimiter and raw_file_encoding, fields quoted with " (doubled
    inside, a line break allowed inside), no schema inference (every column text). A line that
    does not split into the header's number of fields, or has an unterminated quote, is kept
    whole in the corrupt record column (mode PERMISSIVE) and becomes a malformed line; its
    problem is worded as DuckDB's reader words it, so rejected_rows is the same on both
    engines. Lines are numbered in their file by the block of the file they were read from and
    their order in it (a blank-separated file is read in blocks, in parallel); the read is cached
    once, so both the lines and the malformed lines come from one pass over the files.
    `raw_csv_delimiter: ' '`: runs of blanks separate fields, no quoting. Parquet: the files'
    rows in order, numbered from 2 as on DuckDB.
-#}
{% macro spark__read_raw_lines(path, files, columns, has_header, is_parquet) %}
    {%- set delimiter = var('raw_csv_delimiter', ',') -%}
    {%- set first_line = 2 if has_header else 1 -%}
    {%- set file_prefix = "regexp_extract(file_name, '[^/]*$', 0) || ': ' || " if files | length > 1 else "" -%}
    {#- input_file_name() is a URI: spaces and other characters are %-escaped (a `+` stays itself). -#}
    {%- set file_name_sql = "url_decode(replace(input_file_name(), '+', '%2B'))" -%}
    {%- set numbered_from = "row_number() over (partition by input_file order by input_block, input_row)" -%}
    {%- set source_view -%}
        select
            *,
            {{ file_name_sql }} as input_file,
            input_file_block_start() as input_block,
            monotonically_increasing_id() as input_row
        from raw_line_file
    {%- endset -%}

    {%- do run_query('create schema if not exists raw') -%}
    {%- do run_query('drop table if exists raw.malformed_lines') -%}
    {%- if is_parquet -%}
        {%- do run_query(
            "create or replace temporary view raw_line_file using parquet options (path " ~ sql_text(path) ~ ")") -%}
        {%- set read_sql -%}
            select
                input_file as file_name,
                {{ numbered_from }} + 1 as file_line,
                {%- for name in columns %}
                cast({{ adapter.quote(name) }} as string) as {{ adapter.quote(name | lower) }},
                {%- endfor %}
                cast(null as string) as malformed_line_text,
                cast(null as string) as problem
            from ({{ source_view }}) as source
        {%- endset -%}
    {%- elif delimiter == ' ' -%}
        {%- do run_query(
            "create or replace temporary view raw_line_file (line string) using csv options ("
            ~ spark_raw_text_options(path) ~ ")") -%}
        {%- set read_sql -%}
            with numbered as (
                select
                    input_file as file_name,
                    {{ numbered_from }} as file_line,
                    split(trim(line), '\\s+') as fields,
                    line
                from ({{ source_view }}) as source
            )

            select
                file_name,
                file_line,
                {%- for name in columns %}
                case when size(fields) = {{ columns | length }} then element_at(fields, {{ loop.index }}) end as {{ adapter.quote(name) }},
                {%- endfor %}
                case when size(fields) <> {{ columns | length }} then line end as malformed_line_text,
                case when size(fields) <> {{ columns | length }}
                    then 'wrong number of fields: ' || cast(size(fields) as string) || ' instead of {{ columns | length }}'
                end as problem
            from numbered
            where file_line >= {{ first_line }} and trim(line) <> ''
        {%- endset -%}
    {%- else -%}
        {%- set field_names = [] -%}
        {%- for name in columns -%}{%- do field_names.append('column' ~ loop.index ~ ' string') -%}{%- endfor -%}
        {%- do run_query(
            "create or replace temporary view raw_line_file (" ~ field_names | join(', ') ~ ", malformed_line_text string)"
            ~ " using csv options (" ~ spark_raw_csv_options(path, has_header) ~ ")") -%}
        {#- The fields of a malformed line: split at each delimiter outside quotes. #}
        {%- set outside_quotes = '\\Q' ~ delimiter ~ '\\E(?=(?:[^"]*"[^"]*")*[^"]*$)' -%}
        {%- set field_count = "size(split(malformed_line_text, " ~ sql_text(outside_quotes) ~ ", -1))" -%}
        {%- set read_sql -%}
            select
                input_file as file_name,
                {{ numbered_from }} + {{ first_line - 1 }} as file_line,
                {%- for name in columns %}
                column{{ loop.index }} as {{ adapter.quote(name) }},
                {%- endfor %}
                malformed_line_text,
                case
                    when malformed_line_text is null then null
                    when (length(malformed_line_text) - length(replace(malformed_line_text, '"', ''))) % 2 = 1
                        then 'UNQUOTED VALUE: Value with unterminated quote found.'
                    when {{ field_count }} < {{ columns | length }}
                        then 'MISSING COLUMNS: Expected Number of Columns: {{ columns | length }} Found: ' || cast({{ field_count }} as string)
                    when {{ field_count }} > {{ columns | length }}
                        then 'TOO MANY COLUMNS: Expected Number of Columns: {{ columns | length }} Found: ' || cast({{ field_count }} as string)
                    else 'INVALID STATE: the line could not be split into fields'
                end as problem
            from ({{ source_view }}) as source
        {%- endset -%}
    {%- endif -%}

    {#- Every column is read (so the reader checks every field of every line), once. -#}
    {%- do run_query("cache table raw_line_reads as " ~ read_sql) -%}
    {%- do run_query(
        "create table raw.malformed_lines as select cast('order_items' as string) as source_table,"
        ~ " regexp_extract(file_name, '[^/]*$', 0) as source_file,"
        ~ " cast(file_line as bigint) as line_number, " ~ file_prefix ~ "problem as problem,"
        ~ " malformed_line_text as line_text, cast(null as bigint) as byte_position"
        ~ " from raw_line_reads where malformed_line_text is not null") -%}
    {%- set read_columns = [] -%}
    {%- for name in columns -%}{%- do read_columns.append(adapter.quote(name if not is_parquet else name | lower)) -%}{%- endfor -%}
    {%- do run_query(
        "create or replace temporary view read_lines as select file_name, file_line, " ~ read_columns | join(', ')
        ~ " from raw_line_reads where malformed_line_text is null") -%}
{% endmacro %}


{#- Frees what read_raw_lines kept once raw.lines is written (Spark's cached read). -#}
{% macro release_raw_line_reads() %}
    {{ return(adapter.dispatch('release_raw_line_reads', 'customer_value')()) }}
{% endmacro %}

{% macro default__release_raw_line_reads() %}
{% endmacro %}

{#- read_lines is a view over what DuckDB's read left (the Parquet files, or the temp tables of
    the CSV read): dropped once raw.lines is written. -#}
{% macro duckdb__release_raw_line_reads() %}
    {%- call statement('release_raw_line_reads') -%}
        drop view if exists read_lines;
        drop table if exists csv_lines;
        drop table if exists rejected_lines;
        drop table if exists read_files;
        drop table if exists numbered_text_lines;
        drop table if exists text_lines;
    {%- endcall -%}
{% endmacro %}

{% macro spark__release_raw_line_reads() %}
    {%- do run_query("drop view if exists read_lines") -%}
    {%- do run_query("uncache table if exists raw_line_reads") -%}
    {%- do run_query("drop view if exists raw_line_reads") -%}
    {%- do run_query("drop view if exists raw_line_file") -%}
{% endmacro %}


{#- Spark CSV options reading a line file of raw_data_path: delimiter, quote, encoding, the
    corrupt record column. multiLine: a quoted value may hold a line break, as on DuckDB
    (without it Spark splits such a line in two, and a half may pass as a valid line); each
    file is then read by one task, as the numbering of its lines needs anyway. -#}
{% macro spark_raw_csv_options(path, has_header) -%}
    path {{ sql_text(path) }}, header '{{ 'true' if has_header else 'false' }}',
    sep {{ sql_text(var('raw_csv_delimiter', ',')) }}, quote '"', escape '"',
    mode 'PERMISSIVE', columnNameOfCorruptRecord 'malformed_line_text', multiLine 'true',
    encoding {{ sql_text(spark_raw_encoding()) }}
{%- endmacro %}

{#- Spark CSV options reading each line of a file as one text column: no delimiter, no quoting.
    A file in UTF-16 or UTF-32 is read whole (multiLine): Spark splits other files into lines
    by their bytes. -#}
{% macro spark_raw_text_options(path) -%}
    {%- set encoding = spark_raw_encoding() -%}
    path {{ sql_text(path) }}, header 'false', sep '\u001f', quote '', encoding {{ sql_text(encoding) }},
    multiLine '{{ 'true' if encoding.startswith('utf-16') or encoding.startswith('utf-32') else 'false' }}'
{%- endmacro %}

{#- The var raw_file_encoding as Java names it (DuckDB's latin-1 is Java's ISO-8859-1). -#}
{% macro spark_raw_encoding() -%}
    {%- set encoding = var('raw_file_encoding') | string | lower -%}
    {{ return({'latin-1': 'iso-8859-1', 'latin1': 'iso-8859-1'}.get(encoding, encoding)) }}
{%- endmacro %}


{#- Drops raw.<table> whether an earlier run landed it as a table or a view; the SQL, or '' when there is none. -#}
{% macro drop_raw_relation(table_name) %}
    {{ return(adapter.dispatch('drop_raw_relation', 'customer_value')(table_name)) }}
{% endmacro %}

{% macro duckdb__drop_raw_relation(table_name) -%}
    {%- set found = run_query(
        "select table_type from information_schema.tables where table_schema = 'raw'"
        ~ " and table_name = '" ~ table_name ~ "'") -%}
    {%- if found.rows | length > 0 -%}
        {{ return('drop ' ~ ('view' if found.rows[0][0] == 'VIEW' else 'table') ~ ' raw.' ~ table_name ~ ';') }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- Spark's DROP TABLE refuses a view and DROP VIEW a table; SHOW VIEWS tells which it is. -#}
{% macro spark__drop_raw_relation(table_name) -%}
    {%- if run_query("show views in raw like '" ~ table_name ~ "'").rows | length > 0 -%}
        {{ return('drop view raw.' ~ table_name) }}
    {%- endif -%}
    {{ return('drop table if exists raw.' ~ table_name) }}
{%- endmacro %}
