{#-
    DuckDB's on-run-start step for `raw_layout: lines` (docs/rules.md, line layout): the file
    (or every file of the folder) named by raw_data_path holds a row per invoice line. Its
    lines land as raw.lines (the mapped columns as text, with file and line number), and the
    raw tables of the five-table contract are derived from them in the same raw.* shape, so
    staging, quarantine and marts run unchanged:

    - raw.order_items: one row per line (order_item_id: the mapped column, else the line's
      number in its file, `<file name>:<line>` when the folder has several files);
    - raw.orders: one row per (order_id, customer_id, status) of the lines, dated at the
      order's earliest line: an order whose lines name two customers gives two rows with one
      key, a conflicting_duplicate; a credit note (order_id like credit_note_pattern, or all
      its quantities negative) has status refunded;
    - raw.customers: one row per customer_id, from the customer's first line (signup date:
      the mapped column, else the date of that line);
    - raw.service_events, raw.customer_signals: empty (a line export has none).

    Lines the reader cannot parse go to raw.malformed_lines as order_items lines. A mapping
    naming a column the header lacks, a missing required mapping, or no unit cost (neither a
    mapped column nor unit_cost_ratio) stops the build before any model runs with one line.
-#}
{% macro raw_line_column_names() %}
    {{ return({
        'required': ['customer_id', 'ordered_at', 'unit_price'],
        'defaulted': ['order_id', 'quantity', 'order_item_id'],
        'optional': ['product_id', 'product_category', 'unit_cost', 'discount_amount', 'status',
                     'region', 'email', 'signup_date'],
    }) }}
{% endmacro %}


{#- One error line about the line file. -#}
{% macro raw_lines_error(path, problem) %}
    {{ exceptions.raise_compiler_error("Raw line file " ~ path ~ ": " ~ problem ~ " (docs/rules.md, line layout)") }}
{% endmacro %}


{#- The var raw_line_columns checked: contract name -> the file's column (lower-cased name, or a number). -#}
{% macro raw_line_mapping(path) %}
    {%- set names = raw_line_column_names() -%}
    {%- set allowed = names.required + names.defaulted + names.optional -%}
    {%- set mapping = var('raw_line_columns', none) or {} -%}
    {%- if mapping is not mapping -%}
        {{ raw_lines_error(path, "raw_line_columns must map contract names to the file's column names") }}
    {%- endif -%}
    {%- set checked = {} -%}
    {%- for name, column in mapping.items() -%}
        {%- if name not in allowed -%}
            {{ raw_lines_error(path, "raw_line_columns maps '" ~ name ~ "', which is not one of " ~ allowed | join(", ")) }}
        {%- endif -%}
        {%- if column is not none and (column | string | trim) != '' -%}
            {%- do checked.update({name: column if column is number else (column | string | trim | lower)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for name in names.required if name not in checked -%}{%- do missing.append(name) -%}{%- endfor -%}
    {%- if missing -%}
        {{ raw_lines_error(path, "raw_line_columns does not map " ~ missing | join(", ")
            ~ "; it must map customer_id, ordered_at and unit_price to the file's column names") }}
    {%- endif -%}
    {%- if 'unit_cost' not in checked and var('unit_cost_ratio', none) is none -%}
        {{ raw_lines_error(path, "the file has no unit cost: map unit_cost in raw_line_columns, or set the var"
            ~ " unit_cost_ratio (unit cost as a share of unit_price, e.g. 0.6)") }}
    {%- endif -%}
    {{ return(checked) }}
{% endmacro %}


{#- The files of raw_data_path: the file itself, or the files of the folder. -#}
{% macro raw_line_files(path) %}
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


{#- The fields of a header (or of a first data line) split as the reader splits them. -#}
{% macro split_raw_fields(text) %}
    {%- set delimiter = var('raw_csv_delimiter', ',') -%}
    {%- set fields = text.split() if delimiter == ' ' else text.split(delimiter) -%}
    {%- set names = [] -%}
    {%- for field in fields -%}
        {%- set name = field.strip().strip('"').strip().lower() -%}
        {%- do names.append(name if name not in names else name ~ '_' ~ loop.index) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{#- The first line of a text file, as read in the var raw_file_encoding. -#}
{% macro raw_first_line(path) %}
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


{#- The SQL text of a mapped contract column of the read lines (alias `source`), null when unmapped. -#}
{% macro raw_line_field(mapping, name, columns) -%}
    {%- if name not in mapping -%}
        cast(null as varchar)
    {%- elif mapping[name] is number -%}
        source.column{{ mapping[name] }}
    {%- else -%}
        source."{{ columns[mapping[name]] }}"
    {%- endif -%}
{%- endmacro %}


{% macro duckdb__register_raw_lines() %}
    {%- set path = (var('raw_data_path') | string | replace("\\", "/")) -%}
    {%- set mapping = raw_line_mapping(path) -%}
    {%- set files = raw_line_files(path) -%}
    {%- set parquet_files = [] -%}
    {%- for file in files if file.lower().endswith('.parquet') -%}{%- do parquet_files.append(file) -%}{%- endfor -%}
    {%- set is_parquet = parquet_files | length == files | length -%}
    {%- set insertion_order = run_query("select current_setting('preserve_insertion_order')").rows[0][0] -%}
    {%- set has_header = (mapping.values() | select('number') | list | length) == 0 -%}
    {%- set delimiter = var('raw_csv_delimiter', ',') -%}
    {%- set file_list = [] -%}
    {%- for file in files -%}{%- do file_list.append(sql_text(file)) -%}{%- endfor -%}
    {%- set file_sql = '[' ~ file_list | join(', ') ~ ']' -%}

    {#- The columns of the files: the header's names (every file the same), or column1..N. -#}
    {%- set columns = {} -%}
    {%- set ordered_columns = [] -%}
    {%- if is_parquet -%}
        {%- set described = run_query("describe select * from read_parquet(" ~ file_list[0] ~ ")") -%}
        {%- for row in described.rows -%}
            {%- do columns.update({row[0] | lower: row[0]}) -%}{%- do ordered_columns.append(row[0]) -%}
        {%- endfor -%}
        {%- if not has_header -%}
            {{ raw_lines_error(path, "a Parquet file has column names: map them by name in raw_line_columns") }}
        {%- endif -%}
    {%- else -%}
        {%- set first = split_raw_fields(raw_first_line(files[0])) -%}
        {%- if first | length == 0 -%}
            {{ raw_lines_error(files[0], "the file is empty") }}
        {%- endif -%}
        {%- if has_header -%}
            {%- for file in files[1:] -%}
                {%- if split_raw_fields(raw_first_line(file)) != first -%}
                    {{ raw_lines_error(file, "its header differs from the header of " ~ files[0]
                        ~ "; the files of a folder must share one header") }}
                {%- endif -%}
            {%- endfor -%}
            {%- for name in first -%}{%- do columns.update({name: name}) -%}{%- do ordered_columns.append(name) -%}{%- endfor -%}
        {%- else -%}
            {%- for name in first -%}{%- do ordered_columns.append('column' ~ loop.index) -%}{%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for name, column in mapping.items() -%}
        {%- if column is number and (column < 1 or column > ordered_columns | length) -%}
            {%- do missing.append(name ~ ' (column ' ~ column ~ ' of ' ~ ordered_columns | length ~ ')') -%}
        {%- elif column is not number and column not in columns -%}
            {%- do missing.append(name ~ ' (' ~ column ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ raw_lines_error(files[0], "raw_line_columns names column(s) the file does not have: " ~ missing | join(", ")
            ~ " (found " ~ ordered_columns | join(", ") ~ ")") }}
    {%- endif -%}

    {%- do run_query('create schema if not exists raw') -%}
    {%- do run_query(
        'create or replace table raw.malformed_lines (source_table varchar, line_number bigint,'
        ~ ' problem varchar, line_text varchar)') -%}
    {%- set first_line = 2 if has_header else 1 -%}
    {#- With several files, a malformed line's problem starts with its file's name. -#}
    {%- set file_prefix = "regexp_extract(file_name, '[^/]*$', 0) || ': ' || " if files | length > 1 else "" -%}

    {#- The read lines as `read_lines` (file_name, file_line: the line's number in its file, columns). -#}
    {%- call statement('land_raw_lines_read') -%}
        set preserve_insertion_order = true;
        {%- if is_parquet %}
        create or replace temp table read_lines as
        select
            filename as file_name,
            file_row_number + 2 as file_line,
            {%- for name in ordered_columns %}
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
            file_line,
            {{ file_prefix }}'wrong number of fields: ' || cast(len(fields) as varchar) || ' instead of {{ ordered_columns | length }}',
            line
        from numbered_text_lines
        where file_line >= {{ first_line }} and trim(line) <> '' and len(fields) <> {{ ordered_columns | length }};

        create or replace temp table read_lines as
        select
            file_name,
            file_line,
            {%- for name in ordered_columns %}
            fields[{{ loop.index }}] as "{{ name }}"{{ "," if not loop.last }}
            {%- endfor %}
        from numbered_text_lines
        where file_line >= {{ first_line }} and trim(line) <> '' and len(fields) = {{ ordered_columns | length }};
        {%- else %}
        create or replace temp table csv_lines as
        select
            row_number() over () as read_number,
            *
        from read_csv(
            {{ file_sql }},
            columns = { {%- for name in ordered_columns %}{{ sql_text(name) }}: 'varchar'{{ ", " if not loop.last }}{% endfor -%} },
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

        create or replace temp table rejected_lines as
        select
            scan.file_path as file_name,
            rejects.line as file_line,
            arg_min(cast(rejects.error_type as varchar) || ': ' || rejects.error_message, rejects.column_idx) as problem,
            trim(any_value(rejects.csv_line), chr(13) || chr(10)) as line_text
        from raw_rejects_lines as rejects
        inner join raw_rejects_lines_scan as scan
            on rejects.scan_id = scan.scan_id and rejects.file_id = scan.file_id
        group by scan.file_path, rejects.line;

        insert into raw.malformed_lines
        select 'order_items', file_line, {{ file_prefix }}problem, line_text from rejected_lines;

        {#- A parsed line's number in its file: its rank among the file's parsed lines, plus the
            header and the rejected lines before it (a rejected line's rank among the rejects
            says how many parsed lines precede it). #}
        create or replace temp table read_lines as
        with ranked as (
            select
                *,
                read_number - min(read_number) over (partition by filename) + 1 as parsed_rank
            from csv_lines
        ),

        reject_thresholds as (
            select
                file_name,
                file_line - {{ first_line - 1 }} - row_number() over (partition by file_name order by file_line) as parsed_before
            from rejected_lines
        )

        select
            ranked.filename as file_name,
            ranked.parsed_rank + {{ first_line - 1 }} + (
                select count(*) from reject_thresholds
                where reject_thresholds.file_name = ranked.filename
                    and reject_thresholds.parsed_before < ranked.parsed_rank
            ) as file_line,
            {%- for name in ordered_columns %}
            ranked."{{ name }}"{{ "," if not loop.last }}
            {%- endfor %}
        from ranked;

        drop table raw_rejects_lines;
        drop table raw_rejects_lines_scan;
        {%- endif %}
        set preserve_insertion_order = {{ 'true' if insertion_order else 'false' }};
    {%- endcall -%}

    {%- set read_columns = {} -%}
    {%- for name in ordered_columns -%}{%- do read_columns.update({name | lower: name | lower}) -%}{%- endfor -%}
    {%- set line_key = "cast(source.file_line as varchar)" if files | length == 1
        else "regexp_extract(source.file_name, '[^/]*$', 0) || ':' || cast(source.file_line as varchar)" -%}
    {%- set ordered_at_text = "nullif(trim(" ~ raw_line_field(mapping, 'ordered_at', read_columns) ~ "), '')" -%}
    {%- set ratio = var('unit_cost_ratio', none) -%}
    {%- set pattern = var('credit_note_pattern', '') or '' -%}

    {%- call statement('land_raw_lines_tables') -%}
        {%- for table_name in ['lines', 'customers', 'orders', 'order_items'] %}
        {{ drop_raw_relation(table_name) }}
        {%- endfor %}

        create table raw.lines as
        select
            source.file_name,
            source.file_line,
            {{ line_key }} as line_key,
            {%- for name in ['order_item_id', 'order_id', 'customer_id', 'ordered_at', 'quantity', 'unit_price',
                'product_id', 'product_category', 'unit_cost', 'discount_amount', 'status', 'region', 'email',
                'signup_date'] %}
            {{ raw_line_field(mapping, name, read_columns) }} as {{ name }},
            {%- endfor %}
            {{ cast_raw_text(ordered_at_text, 'timestamp') }} as ordered_at_parsed
        from read_lines as source;

        {#- One row per line; an unmapped order_id makes every line its own order. #}
        create view raw.order_items as
        select
            {{ 'order_item_id' if 'order_item_id' in mapping else 'line_key' }} as order_item_id,
            {{ 'order_id' if 'order_id' in mapping else 'line_key' }} as order_id,
            {{ 'product_id' if 'product_id' in mapping else "'unknown'" }} as product_id,
            product_category,
            {{ 'quantity' if 'quantity' in mapping else "'1'" }} as quantity,
            unit_price,
            {%- if 'unit_cost' in mapping %}
            unit_cost,
            {%- else %}
            cast(round({{ cast_raw_text("nullif(trim(unit_price), '')", 'money') }} * {{ ratio }}, 4) as varchar) as unit_cost,
            {%- endif %}
            discount_amount
        from raw.lines;

        create table raw.orders as
        with order_lines as (
            select
                trim({{ 'order_id' if 'order_id' in mapping else 'line_key' }}) as order_key,
                nullif(trim(customer_id), '') as customer_key,
                {{ "trim(status)" if 'status' in mapping else "'completed'" }} as status_text,
                ordered_at,
                ordered_at_parsed,
                quantity
            from raw.lines
        ),

        credit_notes as (
            select
                order_key,
                {%- if pattern != '' %}
                order_key like {{ sql_text(pattern) }}
                {%- else %}
                false
                {%- endif %}
                {%- if 'quantity' in mapping %}
                or bool_and(trim(quantity) like '-%')
                {%- endif %}
                as is_credit_note
            from order_lines
            group by order_key
        )

        select
            nullif(order_lines.order_key, '') as order_id,
            order_lines.customer_key as customer_id,
            coalesce(arg_min(order_lines.ordered_at, order_lines.ordered_at_parsed), min(order_lines.ordered_at)) as ordered_at,
            case when credit_notes.is_credit_note then 'refunded' else order_lines.status_text end as status,
            cast(null as varchar) as shipping_fee
        from order_lines
        inner join credit_notes
            on order_lines.order_key is not distinct from credit_notes.order_key
        group by
            order_lines.order_key,
            order_lines.customer_key,
            case when credit_notes.is_credit_note then 'refunded' else order_lines.status_text end;

        create table raw.customers as
        with customer_lines as (
            select
                trim(customer_id) as customer_id,
                {%- if 'signup_date' in mapping %}
                signup_date,
                {%- else %}
                strftime(ordered_at_parsed, '%Y-%m-%d') as signup_date,
                {%- endif %}
                region,
                email,
                row_number() over (
                    partition by trim(customer_id) order by ordered_at_parsed asc nulls last, file_name, file_line
                ) as line_rank
            from raw.lines
            where nullif(trim(customer_id), '') is not null
        )

        select
            customer_id,
            signup_date,
            region,
            cast(null as varchar) as acquisition_channel,
            email
        from customer_lines
        where line_rank = 1;

        {{ empty_raw_table_sql('service_events') }};
        {{ empty_raw_table_sql('customer_signals') }};
    {%- endcall -%}

    {%- set counts = run_query("select (select count(*) from raw.lines), (select count(*) from raw.malformed_lines)") -%}
    {%- if counts.rows[0][0] + counts.rows[0][1] == 0 -%}
        {{ raw_lines_error(path, "the file has no data lines") }}
    {%- endif -%}
    {%- do check_raw_dates(
        'raw.lines', 'ordered_at', path,
        mapping['ordered_at'] if mapping['ordered_at'] is not number else 'column ' ~ mapping['ordered_at']) -%}
    {%- do log("raw_data_path: " ~ counts.rows[0][0] ~ " invoice lines read from " ~ files | length ~ " file(s)"
        ~ (", " ~ counts.rows[0][1] ~ " unreadable" if counts.rows[0][1] > 0 else ""), info=true) -%}
{% endmacro %}


{#-
    Stops the build with one line when most non-empty values of a required date or timestamp
    column do not parse (docs/rules.md, formats): the file, the column, the formats tried,
    three example values and the var to set. Runs before any model, so it is the first error.
-#}
{% macro check_raw_dates(relation, text_column, path, column_label) %}
    {%- set found = run_query(
        "select count(value_text), count(value_parsed),"
        ~ " (list(distinct value_text) filter (where value_parsed is null))[1:3]"
        ~ " from (select value_text, " ~ cast_raw_text('value_text', 'timestamp') ~ " as value_parsed"
        ~ " from (select nullif(trim(" ~ text_column ~ "), '') as value_text from " ~ relation ~ "))") -%}
    {%- set given = found.rows[0][0] -%}
    {%- set parsed = found.rows[0][1] -%}
    {%- if given > 0 and parsed * 2 < given -%}
        {%- set tried = raw_formats('raw_timestamp_format') + raw_formats('raw_date_format') -%}
        {%- set examples = [] -%}
        {%- for value in found.rows[0][2] or [] -%}{%- do examples.append("'" ~ value ~ "'") -%}{%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Raw file " ~ path ~ ": column " ~ column_label ~ ": " ~ (given - parsed) ~ " of " ~ given
            ~ " values are not dates in the format tried (" ~ (tried | join(", ") if tried else "ISO %Y-%m-%d %H:%M:%S")
            ~ "), e.g. " ~ examples | join(", ")
            ~ "; set the var raw_timestamp_format (or raw_date_format) to the export's format, e.g. '%m/%d/%Y %H:%M'") }}
    {%- endif -%}
{% endmacro %}
