{#-
    The on-run-start step for `raw_layout: lines` on every engine (docs/rules.md, line layout):
    the file (or every file of the folder) named by raw_data_path holds a row per invoice line. Its
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

    Only listing and reading the files differ between engines (dispatched macros in
    macros/cross_engine/raw_line_reading.sql); the checks and the derivation below are one SQL
    for DuckDB and Spark, so the same export gives the same raw tables on both.
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



{#- `, cast(null as <text>) as <column>` for each contract column of `table_name` (macro
    raw_table_contracts) a line export does not fill: `filled` are those it derives. -#}
{% macro raw_line_unfilled_columns(table_name, filled) -%}
    {%- for name in raw_table_columns(table_name) if name not in filled -%}
        , cast(null as {{ text_type() }}) as {{ name }}
    {%- endfor -%}
{%- endmacro %}


{#- The SQL text of a mapped contract column of the read lines (alias `source`), null when unmapped. -#}
{% macro raw_line_field(mapping, name) -%}
    {%- if name not in mapping -%}
        cast(null as {{ text_type() }})
    {%- elif mapping[name] is number -%}
        source.column{{ mapping[name] }}
    {%- else -%}
        source.{{ adapter.quote(mapping[name]) }}
    {%- endif -%}
{%- endmacro %}


{#- Replaces raw.<table_name> (a table or a view of an earlier run) by `kind` (table or view) as `select_sql`. -#}
{% macro replace_raw_relation(table_name, kind, select_sql) %}
    {%- set drop_sql = drop_raw_relation(table_name) -%}
    {%- if drop_sql | trim -%}
        {%- do run_query(drop_sql) -%}
    {%- endif -%}
    {%- do run_query('create ' ~ kind ~ ' raw.' ~ table_name ~ ' as ' ~ select_sql) -%}
{% endmacro %}


{#- The on-run-start step of raw_layout lines on every engine (see the top of this file). -#}
{% macro register_raw_lines() %}
    {%- set path = (var('raw_data_path') | string | replace("\\", "/")) -%}
    {%- set mapping = raw_line_mapping(path) -%}
    {%- set files = raw_line_files(path) -%}
    {%- set parquet_files = [] -%}
    {%- for file in files if file.lower().endswith('.parquet') -%}{%- do parquet_files.append(file) -%}{%- endfor -%}
    {%- set is_parquet = parquet_files | length == files | length -%}
    {%- set has_header = (mapping.values() | select('number') | list | length) == 0 -%}

    {#- The columns of the files: the header's names (every file the same), or column1..N. -#}
    {%- set columns = {} -%}
    {%- set ordered_columns = [] -%}
    {%- if is_parquet -%}
        {%- for name in raw_parquet_columns(files[0]) -%}
            {%- do columns.update({name | lower: name}) -%}{%- do ordered_columns.append(name) -%}
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
    {%- do read_raw_lines(path, files, ordered_columns, has_header, is_parquet) -%}
    {%- do land_raw_line_tables(mapping, files) -%}
    {%- do release_raw_line_reads() -%}

    {%- set counts = run_query("select (select count(*) from raw.lines), (select count(*) from raw.malformed_lines)") -%}
    {%- if counts.rows[0][0] + counts.rows[0][1] == 0 -%}
        {{ raw_lines_error(path, "the file has no data lines") }}
    {%- endif -%}
    {%- do check_raw_dates(
        'raw.lines', 'ordered_at', path,
        mapping['ordered_at'] if mapping['ordered_at'] is not number else 'number ' ~ mapping['ordered_at'],
        'ordered_at_parsed') -%}
    {%- do log("raw_data_path: " ~ counts.rows[0][0] ~ " invoice lines read from " ~ files | length ~ " file(s)"
        ~ (", " ~ counts.rows[0][1] ~ " unreadable" if counts.rows[0][1] > 0 else ""), info=true) -%}
{% endmacro %}


{#-
    raw.lines and the raw tables derived from it (see the top of this file), from the relation
    `read_lines` that read_raw_lines left: the same SQL on every engine.
-#}
{% macro land_raw_line_tables(mapping, files) %}
    {%- set text = text_type() -%}
    {%- set line_key = "cast(source.file_line as " ~ text ~ ")" if files | length == 1
        else "regexp_extract(source.file_name, '[^/]*$', 0) || ':' || cast(source.file_line as " ~ text ~ ")" -%}
    {%- set ordered_at_text = "nullif(trim(" ~ raw_line_field(mapping, 'ordered_at') ~ "), '')" -%}
    {%- set ratio = var('unit_cost_ratio', none) -%}
    {%- set pattern = var('credit_note_pattern', '') or '' -%}

    {%- for table_name in ['order_items', 'orders', 'customers'] -%}
        {%- set drop_sql = drop_raw_relation(table_name) -%}
        {%- if drop_sql | trim -%}{%- do run_query(drop_sql) -%}{%- endif -%}
    {%- endfor -%}

    {%- set lines_sql -%}
        select
            source.file_name,
            source.file_line,
            {{ line_key }} as line_key,
            {%- for name in ['order_item_id', 'order_id', 'customer_id', 'ordered_at', 'quantity', 'unit_price',
                'product_id', 'product_category', 'unit_cost', 'discount_amount', 'status', 'region', 'email',
                'signup_date'] %}
            {{ raw_line_field(mapping, name) }} as {{ name }},
            {%- endfor %}
            {{ cast_raw_text(ordered_at_text, 'timestamp') }} as ordered_at_parsed
        from read_lines as source
    {%- endset -%}
    {%- do replace_raw_relation('lines', 'table', lines_sql) -%}

    {#- One row per line; an unmapped order_id makes every line its own order. #}
    {%- set order_items_sql -%}
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
            cast(round({{ cast_raw_text("nullif(trim(unit_price), '')", 'money') }} * {{ ratio }}, 4) as {{ text }}) as unit_cost,
            {%- endif %}
            discount_amount
            {{- raw_line_unfilled_columns('order_items', ['order_item_id', 'order_id', 'product_id', 'product_category',
                'quantity', 'unit_price', 'unit_cost', 'discount_amount']) }}
        from raw.lines
    {%- endset -%}
    {%- do replace_raw_relation('order_items', 'view', order_items_sql) -%}

    {#- Grouped by (order, customer, status word) first, then by the status after credit notes:
        the second grouping reads one row per group, not one per line. #}
    {%- set orders_sql -%}
        with order_groups as (
            select
                trim({{ 'order_id' if 'order_id' in mapping else 'line_key' }}) as order_key,
                nullif(trim(customer_id), '') as customer_key,
                {{ "trim(status)" if 'status' in mapping else "'completed'" }} as status_text,
                min(ordered_at_parsed) as first_parsed,
                min_by(ordered_at, ordered_at_parsed) as first_parsed_text,
                min(ordered_at) as first_text,
                {%- if 'quantity' in mapping %}
                bool_and(trim(quantity) like '-%') as all_negative
                {%- else %}
                false as all_negative
                {%- endif %}
            from raw.lines
            group by 1, 2, 3
        ),

        credit_notes as (
            select
                *,
                {%- if pattern != '' %}
                order_key like {{ sql_text(pattern) }}
                {%- else %}
                false
                {%- endif %}
                or bool_and(all_negative) over (partition by order_key) as is_credit_note
            from order_groups
        )

        select
            nullif(order_key, '') as order_id,
            customer_key as customer_id,
            coalesce(min_by(first_parsed_text, first_parsed), min(first_text)) as ordered_at,
            case when is_credit_note then 'refunded' else status_text end as status
            {{- raw_line_unfilled_columns('orders', ['order_id', 'customer_id', 'ordered_at', 'status']) }}
        from credit_notes
        group by
            order_key,
            customer_key,
            case when is_credit_note then 'refunded' else status_text end
    {%- endset -%}
    {%- do replace_raw_relation('orders', 'table', orders_sql) -%}

    {#- A customer's first line: the earliest parsed date (unparsed last), then file and line.
        An aggregate by customer, not a window over every line: a fifth of the time. #}
    {%- set first_line_fields = [
        ('signup_date', 'signup_date' if 'signup_date' in mapping
            else 'cast(cast(ordered_at_parsed as date) as ' ~ text ~ ')'),
        ('region', 'region'),
        ('email', 'email'),
    ] -%}
    {%- set line_order = [
        ('unparsed', 'ordered_at_parsed is null'),
        ('parsed', "coalesce(ordered_at_parsed, timestamp '0001-01-01 00:00:00')"),
        ('file_name', 'file_name'),
        ('file_line', 'file_line'),
    ] -%}
    {%- set customers_sql -%}
        with first_lines as (
            select
                trim(customer_id) as customer_id,
                min_by({{ struct_of(first_line_fields) }}, {{ struct_of(line_order) }}) as first_line
            from raw.lines
            where nullif(trim(customer_id), '') is not null
            group by trim(customer_id)
        )

        select
            customer_id,
            first_line.signup_date as signup_date,
            first_line.region as region,
            first_line.email as email
            {{- raw_line_unfilled_columns('customers', ['customer_id', 'signup_date', 'region', 'email']) }}
        from first_lines
    {%- endset -%}
    {%- do replace_raw_relation('customers', 'table', customers_sql) -%}

    {%- for table_name in ['service_events', 'customer_signals'] -%}
        {%- do replace_raw_relation(table_name, 'table', empty_raw_table_select(table_name)) -%}
    {%- endfor -%}
{% endmacro %}


{#-
    Stops the build with one line when most non-empty values of a required date or timestamp
    column do not parse (docs/rules.md, formats): the file, the column, the formats tried,
    three example values and the var to set. Runs before any model, so it is the first error.
    `parsed_column`: a column of `relation` that already holds the parsed values. `file_column`:
    a column of `relation` naming each row's file, when it holds several files; each file is
    judged on its own and the first one that fails is named instead of `path`.
-#}
{% macro check_raw_dates(relation, text_column, path, column_label, parsed_column=none, file_column=none) %}
    {%- set parsed_sql = parsed_column or cast_raw_text('value_text', 'timestamp') -%}
    {%- set file_sql = file_column or sql_text(path) -%}
    {%- set parsed_values = "select " ~ file_sql ~ " as file_path, value_text, " ~ parsed_sql ~ " as value_parsed"
        ~ " from (select *, nullif(trim(" ~ text_column ~ "), '') as value_text from " ~ relation ~ ") as raw_values" -%}
    {%- set failed = run_query(
        "select min(file_path), count(value_text), count(value_parsed) from (" ~ parsed_values ~ ") as parsed_values"
        ~ (" group by file_path" if file_column else "")
        ~ " having count(value_parsed) * 2 < count(value_text) order by 1 limit 1") -%}
    {%- if failed.rows -%}
        {%- set file_path, given, parsed = failed.rows[0] -%}
        {%- set tried = raw_formats('raw_timestamp_format') + raw_formats('raw_date_format') -%}
        {%- set examples = [] -%}
        {%- for row in run_query(
            "select distinct value_text from (" ~ parsed_values ~ ") as parsed_values"
            ~ " where file_path = " ~ sql_text(file_path)
            ~ " and value_text is not null and value_parsed is null order by value_text limit 3").rows -%}
            {%- do examples.append("'" ~ row[0] ~ "'") -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Raw file " ~ file_path ~ ": column " ~ column_label ~ ": " ~ (given - parsed) ~ " of " ~ given
            ~ " values are not dates in the format tried (" ~ (tried | join(", ") if tried else "ISO %Y-%m-%d %H:%M:%S")
            ~ "), e.g. " ~ examples | join(", ")
            ~ "; set the var raw_timestamp_format (or raw_date_format) to the export's format, e.g. '%m/%d/%Y %H:%M'") }}
    {%- endif -%}
{% endmacro %}
