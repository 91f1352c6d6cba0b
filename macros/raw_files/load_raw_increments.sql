{#-
    Daily increments (docs/rules.md, section 15): var raw_increments_path names a folder of day
    folders (`YYYY-MM-DD/`), each holding any of the five tables' files (same names and formats
    as a raw_data_path folder) with new or changed rows, and optionally `erasures.csv`
    (customer_id) and `customer_merges.csv` (from_customer_id, to_customer_id).

    The build keeps what the days added up to in the schema `raw_state`, one table per raw
    table plus the unreadable lines and salvaged fields, and records each loaded day in
    raw_state.loaded_days. Each build loads only the day folders not loaded yet, in date order,
    then the `raw` source is a view of the state, so staging, quarantine and marts run as on a
    snapshot. A day is applied in three steps:
    1. its rows: a row whose key (trimmed) was delivered on an earlier day replaces every row of
       that key; rows without a key, and the rows of one key within the day, are all kept (the
       quarantine judges them as in a snapshot); its unreadable lines are kept;
    2. its erasures: the customer, their orders, the lines of those orders, their service
       events and signals, and the unreadable lines that name them are removed;
    3. its merges, in file order: orders, service events and signals of from_customer_id pass
       to to_customer_id; the from customer's row is removed when the to customer has one,
       else it takes the to customer's id.
    Each key a day changes, and the customers and orders its rows name before and after, are
    recorded in raw_state.touched_keys: the models after the loading process only those
    (process_increments.sql). A day folder loaded before is not read again. A day older than the last loaded one stops
    the build with one line: its rows would have to go under the later days' rows; rebuild the
    state with `--full-refresh`, which reloads every day folder in order. So does a change of
    raw_increments_path.
-#}
{% macro register_raw_increments() %}
    {%- set root = (var('raw_increments_path') | string | replace("\\", "/")).rstrip('/') -%}
    {%- set days = raw_increment_days(root) -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- do run_query('create schema if not exists raw_state') -%}
    {#- a state of an earlier layout (before the trimmed ids, the kept settings and seeds) is rebuilt -#}
    {%- set state_exists = run_query(
        "select count(*) from information_schema.columns where table_schema = 'raw_state' and table_name || '.' || column_name"
        ~ " in ('processed_days.seeds', 'kept_settings.settings', 'orders.trimmed_order_id')"
        ).rows[0][0] == 3 -%}
    {%- set loaded = [] -%}
    {%- if state_exists and not flags.FULL_REFRESH and kept_settings_unchanged() -%}
        {%- for row in run_query(
            "select day_folder from raw_state.loaded_days where increments_path = " ~ sql_text(root)
            ~ " order by day_folder").rows -%}
            {%- do loaded.append(row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not loaded -%}
        {%- do create_raw_state() -%}
    {%- else -%}
        {%- do forget_processed_touches() -%}
    {%- endif -%}

    {%- set new_days = days.keys() | reject('in', loaded) | list -%}
    {%- if loaded and new_days and new_days[0] < loaded[-1] -%}
        {{ exceptions.raise_compiler_error(
            "Raw increments " ~ root ~ ": day folder " ~ new_days[0] ~ " is older than the last loaded day "
            ~ loaded[-1] ~ "; its rows would have to go under the later days' rows. Run the build once with"
            ~ " --full-refresh to reload every day folder in order (docs/rules.md, section 15)") }}
    {%- endif -%}
    {#- On a rebuilt state every model processes everything: no touched key is recorded, and the
        days' rows are added and replace each other in one pass (resolve_pending_rows). -#}
    {%- set rebuilding = not loaded -%}
    {%- if rebuilding -%}
        {%- do create_pending_rows() -%}
    {%- endif -%}
    {#- Parquet files have no unreadable lines: on a rebuilt state the days' files of a table are
        read in one statement, up to each day with erasures or merges and up to the last day. -#}
    {%- set in_batches = rebuilding and raw_file_format() == 'parquet' -%}
    {%- set batch = namespace(first=0) -%}
    {%- for day in new_days -%}
        {%- if in_batches and (loop.last or 'erasures.csv' in days[day] or 'customer_merges.csv' in days[day]) -%}
            {%- do set_aside_parquet_days(root, new_days[batch.first:loop.index], days) -%}
            {%- set batch.first = loop.index -%}
        {%- endif -%}
        {%- do apply_raw_increment(root, day, days[day], record_touches=not rebuilding, pending=rebuilding,
            rows_set_aside=in_batches) -%}
    {%- endfor -%}
    {%- if rebuilding -%}
        {%- do resolve_pending_rows(drop=true) -%}
    {%- else -%}
        {%- do record_future_dated_keys() -%}
    {%- endif -%}

    {%- for table_name in raw_table_contracts() -%}
        {#- with the trimmed key, which finds the changed rows (process_increments.sql) -#}
        {%- do replace_raw_relation(table_name, 'view', 'select ' ~ raw_table_columns(table_name) | join(', ')
            ~ ', trimmed_' ~ raw_table_contracts()[table_name].key ~ ' from raw_state.' ~ table_name) -%}
    {%- endfor -%}
    {%- do replace_raw_relation('malformed_lines', 'table', 'select * from raw_state.malformed_lines') -%}
    {%- do replace_raw_relation('salvaged_values', 'table', 'select * from raw_state.salvaged_values') -%}
    {#- A statement, not run_query: it opens the transaction the hook commits, also on a build
        with no new day folder. #}
    {%- call statement('raw_increments_registered') -%}
        select 1
    {%- endcall -%}
    {%- do log("raw_increments_path: " ~ new_days | length ~ " new day folder(s) loaded, "
        ~ (loaded | length) ~ " loaded before", info=true) -%}
{% endmacro %}


{#-
    The day folders of the increments folder, in date order, each with the names of its files.
    A folder not named YYYY-MM-DD, no day folder at all, or a day folder holding none of the
    files a day can hold stops the build with one line; other files beside those are logged as
    ignored.
-#}
{% macro raw_increment_days(root) %}
    {%- set known = ['erasures.csv', 'customer_merges.csv'] -%}
    {%- for table_name in raw_table_contracts() -%}{%- do known.append(table_name ~ '.' ~ raw_file_format()) -%}{%- endfor -%}
    {%- set listed = run_query(
        "select " ~ day_folder_of('file') ~ " as folder, regexp_extract(file, '[^/]+$') as file_name"
        ~ " from glob(" ~ sql_text(root ~ '/*/*') ~ ") order by folder, file_name") -%}
    {%- set days = {} -%}
    {%- for row in listed.rows -%}
        {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', row[0]) -%}
            {{ exceptions.raise_compiler_error(
                "Raw increments " ~ root ~ ": folder " ~ row[0] ~ " is not a day folder named YYYY-MM-DD"
                ~ " (docs/rules.md, section 15)") }}
        {%- endif -%}
        {%- do days.setdefault(row[0], []).append(row[1]) -%}
    {%- endfor -%}
    {%- if not days -%}
        {{ exceptions.raise_compiler_error(
            "Raw increments " ~ root ~ ": no day folder (YYYY-MM-DD/ with the tables' files) found"
            ~ " (docs/rules.md, section 15)") }}
    {%- endif -%}
    {%- for day, file_names in days.items() -%}
        {%- set ignored = file_names | reject('in', known) | list -%}
        {%- if ignored | length == file_names | length -%}
            {{ exceptions.raise_compiler_error(
                "Raw increments " ~ root ~ ": day folder " ~ day ~ " holds none of the files " ~ known | join(", ")
                ~ " (found " ~ file_names | join(", ") ~ "; docs/rules.md, section 15)") }}
        {%- elif ignored -%}
            {%- do log("raw_increments_path: day folder " ~ day ~ ": ignored file(s) " ~ ignored | join(", "), info=true) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(days) }}
{% endmacro %}


{#- The empty state: the raw tables (contract columns as text, their trimmed ids beside them),
    unreadable lines, salvaged fields, the loaded days, the keys each day touched, the last
    day each incremental model processed (none yet: every model processes everything once) and
    the vars it is built with (kept_settings). -#}
{% macro create_raw_state() %}
    {%- for table_name in raw_table_contracts() -%}
        {%- set trimmed_ids = [] -%}
        {%- for column in state_id_columns(table_name) -%}
            {%- do trimmed_ids.append('cast(null as varchar) as trimmed_' ~ column) -%}
        {%- endfor -%}
        {%- do run_query('create or replace table raw_state.' ~ table_name ~ ' as select *, '
            ~ trimmed_ids | join(', ') ~ ', cast(null as varchar) as day_folder from ('
            ~ empty_raw_table_select(table_name) ~ ') as empty_table') -%}
    {%- endfor -%}
    {%- do create_unreadable_lines_tables('raw_state') -%}
    {%- do run_query(
        'create or replace table raw_state.loaded_days (increments_path varchar, day_folder varchar,'
        ~ ' loaded_at timestamp)') -%}
    {%- do run_query(
        'create or replace table raw_state.touched_keys (day_folder varchar, kind varchar, key_value varchar)') -%}
    {%- do run_query(
        'create or replace table raw_state.processed_days (model_name varchar, day_folder varchar, seeds varchar)') -%}
    {%- do run_query('create or replace table raw_state.kept_settings as select ' ~ sql_text(kept_settings()) ~ ' as settings') -%}
{% endmacro %}


{#-
    The vars the kept rows depend on, as JSON: how the day files are read and their values
    typed and judged, the as-of date, the history's periods and the tiers kept in it. The
    other vars (lifetime value, upgrade flags, the tests' thresholds, publication, the line
    layout of a raw_data_path export) only feed what every build computes in full.
-#}
{% macro kept_settings() %}
    {%- set settings = {} -%}
    {%- for name in ['raw_file_format', 'raw_file_encoding', 'raw_csv_delimiter', 'raw_decimal_separator',
        'raw_timestamp_format', 'raw_date_format', 'raw_status_map', 'as_of_date', 'top_tier_deciles',
        'history_months', 'value_window_days'] -%}
        {%- do settings.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ return(tojson(settings, sort_keys=true)) }}
{% endmacro %}


{#- Whether the state was built with the vars of this build (kept_settings); when not, logs
    which changed: the state and every model are then built again, as with --full-refresh. -#}
{% macro kept_settings_unchanged() %}
    {%- set kept = fromjson(run_query('select settings from raw_state.kept_settings').rows[0][0]) -%}
    {%- set current = fromjson(kept_settings()) -%}
    {%- set changed = [] -%}
    {%- for name, value in current.items() if kept.get(name) != value -%}
        {%- do changed.append(name ~ ' ' ~ tojson(kept.get(name)) ~ ' -> ' ~ tojson(value)) -%}
    {%- endfor -%}
    {%- if changed -%}
        {%- do log("raw_increments_path: var(s) the kept rows depend on changed (" ~ changed | join(', ')
            ~ "): the state and every model are built again from every day folder", info=true) -%}
    {%- endif -%}
    {{ return(not changed) }}
{% endmacro %}


{#- The id columns of a table (its key, and the customer and order it names) that the state also
    keeps trimmed, as trimmed_<column> (null when empty): finding the rows of a key then
    compares stored text instead of trimming every row of the state. -#}
{% macro state_id_columns(table_name) %}
    {%- set contract = raw_table_contracts()[table_name] -%}
    {{ return([contract.key] + ['customer_id', 'order_id'] | select('in', contract.columns) | list) }}
{% endmacro %}


{#- Touched keys every incremental model has processed are not needed again. A model no longer in
    the project (removed, renamed) is forgotten first: its last day would hold them forever. -#}
{% macro forget_processed_touches() %}
    {%- set models = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
        {%- do models.append(sql_text(api.Relation.create(node.database, node.schema, node.alias) | string)) -%}
    {%- endfor -%}
    {%- if models -%}
        {%- do run_query('delete from raw_state.processed_days where model_name not in (' ~ models | join(', ') ~ ')') -%}
    {%- endif -%}
    {%- do run_query(
        'delete from raw_state.touched_keys where day_folder <= (select min(day_folder) from raw_state.processed_days)') -%}
{% endmacro %}


{#-
    Records in raw_state.touched_keys, for `day`, the keys of the rows of `table_name` that
    `rows_sql` selects (kind: the table's name) and the customers and orders they name (kinds
    customer_ref and order_ref). Called with a day's rows and with the rows they replace or
    remove, so both the old and the new customer of an order are touched.
-#}
{% macro record_touched_rows(day, table_name, rows_sql) %}
    {%- set contract = raw_table_contracts()[table_name] -%}
    {%- set kinds = [(table_name, contract.key)] -%}
    {%- for column, kind in [('customer_id', 'customer_ref'), ('order_id', 'order_ref')] -%}
        {%- if column == contract.key or column in contract.columns -%}
            {%- do kinds.append((kind, column)) -%}
        {%- endif -%}
    {%- endfor -%}
    insert into raw_state.touched_keys
    select distinct {{ sql_text(day) }}, kind, key_value
    from (
        {%- for kind, column in kinds %}
        select '{{ kind }}' as kind, nullif(trim({{ column }}), '') as key_value from ({{ rows_sql }}) as touched
        {{- " union all" if not loop.last }}
        {%- endfor %}
    ) as keys
    where key_value is not null;
{% endmacro %}


{#- Records, for `day`, the customers `customers_sql` selects (column customer_id) as touched
    themselves and as named by rows (an erasure or merge changes both). -#}
{% macro record_touched_customers(day, customers_sql) %}
    insert into raw_state.touched_keys
    select {{ sql_text(day) }}, kind, customer_id
    from ({{ customers_sql }}) as touched cross join (values ('customers'), ('customer_ref')) as kinds (kind);
{% endmacro %}


{#- One day folder applied to the state (the three steps at the top of this file); `day_files`:
    the names of its files; `rows_set_aside`: its rows are in the state already
    (set_aside_parquet_days). -#}
{% macro apply_raw_increment(root, day, day_files, record_touches, pending=false, rows_set_aside=false) %}
    {%- set folder = root ~ '/' ~ day -%}
    {%- set file_format = raw_file_format() -%}
    {%- do create_unreadable_lines_tables('raw') -%}

    {#- 1. the day's rows replace the rows of their keys -#}
    {%- for table_name, contract in raw_table_contracts().items() if not rows_set_aside -%}
        {%- set path = folder ~ '/' ~ table_name ~ '.' ~ file_format -%}
        {%- if (table_name ~ '.' ~ file_format) in day_files -%}
            {%- do land_raw_file(table_name, path) -%}
            {%- call statement('apply_raw_increment_' ~ table_name) -%}
                {%- if not pending %}
                create or replace temp table day_keys as
                select distinct trim({{ contract.key }}) as key_value
                from raw.{{ table_name }}
                where nullif(trim({{ contract.key }}), '') is not null;

                -- one scan of the state finds the replaced rows; the delete then goes by row id
                create or replace temp table replaced_rows as
                select rowid as state_row, * from raw_state.{{ table_name }}
                where trimmed_{{ contract.key }} in (select key_value from day_keys);
                {%- if record_touches %}
                {{ record_touched_rows(day, table_name, 'select * from raw.' ~ table_name) }}
                {{ record_touched_rows(day, table_name, 'select * from replaced_rows') }}
                {%- endif %}
                delete from raw_state.{{ table_name }} where rowid in (select state_row from replaced_rows);
                drop table replaced_rows;

                delete from raw_state.salvaged_values
                where source_table = '{{ table_name }}'
                    and trim(source_key) in (select key_value from day_keys);

                drop table day_keys;
                {%- endif %}

                {{ add_landed_rows(table_name, sql_text(day)) }}
            {%- endcall -%}
        {%- endif -%}
    {%- endfor -%}
    {%- call statement('apply_raw_increment_lines') -%}
        insert into raw_state.malformed_lines
        select source_table, {{ sql_text(day ~ '/') }} || source_file, line_number, problem, line_text, byte_position
        from raw.malformed_lines;

        {%- if pending %}
        insert into raw_state.pending_salvaged_values select *, {{ sql_text(day) }} from raw.salvaged_values;
        {%- else %}
        insert into raw_state.salvaged_values select * from raw.salvaged_values;
        {%- endif %}
    {%- endcall -%}

    {#- 2. erasures, 3. merges -#}
    {%- for kind, columns in [('erasures', ['customer_id']), ('customer_merges', ['from_customer_id', 'to_customer_id'])] -%}
        {%- set path = folder ~ '/' ~ kind ~ '.csv' -%}
        {%- if (kind ~ '.csv') in day_files -%}
            {%- set header = raw_csv_header(path) -%}
            {%- do check_raw_columns(path, header, columns) -%}
            {%- if pending -%}
                {%- do resolve_pending_rows() -%}
            {%- endif -%}
            {%- set listed -%}
                select {% for name in columns %}trim({{ name }}) as {{ name }}{{ ", " if not loop.last }}{% endfor %}
                from read_csv({{ sql_text(path) }}, header = true, auto_detect = false,
                    columns = { {{- raw_csv_text_columns(header) -}} },
                    delim = {{ sql_text(var('raw_csv_delimiter', ',')) }}, quote = '"', escape = '"')
                where nullif(trim({{ columns[0] }}), '') is not null
            {%- endset -%}
            {%- if kind == 'erasures' -%}
                {%- do erase_raw_customers(listed, day, record_touches) -%}
            {%- else -%}
                {%- for row in run_query(listed).rows -%}
                    {%- do merge_raw_customers(row[0], row[1] or '', day, record_touches) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if record_touches -%}
        {%- do record_judged_keys(day) -%}
    {%- endif -%}
    {%- do run_query(
        "insert into raw_state.loaded_days values (" ~ sql_text(root) ~ ", " ~ sql_text(day) ~ ", current_timestamp)") -%}
{% endmacro %}


{#-
    On a rebuilt state, the rows of the Parquet files of `days` (each day's file names in
    `files_by_day`) go into the state with their day_folder, one statement per table and schema
    (the files of a table usually share one); each file is checked as a snapshot's would be.
-#}
{% macro set_aside_parquet_days(root, days, files_by_day) %}
    {%- for table_name in raw_table_contracts() -%}
        {%- set quoted = [] -%}
        {%- for day in days if (table_name ~ '.parquet') in files_by_day[day] -%}
            {%- do quoted.append(sql_text(root ~ '/' ~ day ~ '/' ~ table_name ~ '.parquet')) -%}
        {%- endfor -%}
        {%- set by_schema = {} -%}
        {%- if quoted -%}
            {%- for row in run_query(
                "select file_name, string_agg(name || ':' || coalesce(duckdb_type, type, ''), ',' order by column_id)"
                ~ " from parquet_schema([" ~ quoted | join(', ') ~ "]) group by file_name order by file_name").rows -%}
                {%- do by_schema.setdefault(row[1], []).append(row[0]) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set date_column = raw_table_contracts()[table_name].get('date_column') -%}
        {%- for paths in by_schema.values() -%}
            {%- do land_raw_parquet(table_name, paths, raw_table_columns(table_name)) -%}
            {%- if date_column -%}
                {%- do check_raw_dates('raw.' ~ table_name, date_column, paths[0], date_column, file_column='source_path') -%}
            {%- endif -%}
            {%- call statement('set_aside_' ~ table_name) -%}
                {{ add_landed_rows(table_name, day_folder_of('source_path')) }}
            {%- endcall -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}


{#- SQL: the rows landed in raw.<table> added to the state, with `day_sql` (a SQL expression) as
    their day_folder. -#}
{% macro add_landed_rows(table_name, day_sql) %}
    {%- set expected = raw_table_columns(table_name) | join(', ') -%}
    {%- set ids = state_id_columns(table_name) -%}
    insert into raw_state.{{ table_name }} ({{ expected }}, trimmed_{{ ids | join(', trimmed_') }}, day_folder)
    select {{ expected }},
        {%- for column in ids %} nullif(trim({{ column }}), ''),{% endfor %} {{ day_sql }}
    from raw.{{ table_name }};
{% endmacro %}


{#- SQL: the day folder's name in a file path (`path_sql`, a SQL expression: <root>/<day>/<file>). -#}
{% macro day_folder_of(path_sql) %}
    {{- return("regexp_extract(" ~ path_sql ~ ", '([^/]+)/[^/]+$', 1)") -}}
{% endmacro %}


{#- On a rebuilt state, the days' salvaged fields are set aside with their day_folder. -#}
{% macro create_pending_rows() %}
    {%- do run_query('create or replace table raw_state.pending_salvaged_values as'
        ~ ' select *, cast(null as varchar) as day_folder from raw_state.salvaged_values where false') -%}
{% endmacro %}


{#-
    On a rebuilt state the days' rows go into the state with their day_folder, none replaced
    yet; this applies the replacements as loading the days one by one would: the rows of a
    key's latest day replace the key's rows of earlier days, and their salvaged fields; rows
    without a key are all kept. Before a day's erasures or merges, and after the last day.
-#}
{% macro resolve_pending_rows(drop=false) %}
    {%- call statement('resolve_pending_rows') -%}
        {%- for table_name, contract in raw_table_contracts().items() %}
        create or replace temp table superseded as
        select trimmed_{{ contract.key }} as key_value, max(day_folder) as latest_day
        from raw_state.{{ table_name }}
        where trimmed_{{ contract.key }} is not null
        group by 1
        having min(day_folder) < max(day_folder);

        delete from raw_state.{{ table_name }} as state
        using superseded
        where state.trimmed_{{ contract.key }} = superseded.key_value and state.day_folder < superseded.latest_day;

        delete from raw_state.salvaged_values
        where source_table = '{{ table_name }}' and trim(source_key) in (select key_value from superseded);
        insert into raw_state.salvaged_values
        select * exclude (day_folder) from raw_state.pending_salvaged_values as pending
        where source_table = '{{ table_name }}' and not exists (
            select 1 from superseded
            where superseded.key_value = trim(pending.source_key) and pending.day_folder < superseded.latest_day
        );
        drop table superseded;
        {%- endfor %}
        {{ 'drop table' if drop else 'truncate' }} raw_state.pending_salvaged_values;
    {%- endcall -%}
{% endmacro %}


{#-
    Keys redone by every build until a date has come, recorded under the day `future` (after
    every day folder), anew on every build:
    - a row quarantined as dated after the day of the build (docs/rules.md section 13), and the
      keys judged against it: a later build stages it once its date has come, as a full build
      would;
    - the customer of a staged order or service event dated after the last build's as-of date:
      the kept per-customer sums (int_customers_totalled, int_customers_costed_by_activity)
      count it once the as-of date passes it.
-#}
{% macro record_future_dated_keys() %}
    {%- do run_query("delete from raw_state.touched_keys where day_folder = 'future'") -%}
    {%- for table_name, contract in raw_table_contracts().items() if contract.get('date_column') -%}
        {%- set relation = built_relation('base_shop__' ~ table_name) -%}
        {%- if relation is not none -%}
            {%- do run_query("insert into raw_state.touched_keys select distinct 'future', kind, key_value from "
                ~ relation ~ ", (values (" ~ sql_text(table_name) ~ ", " ~ contract.key ~ "), ('customer_ref', customer_id))"
                ~ " as keys (kind, key_value) where rejection_detail like '%" ~ after_build_day_text() ~ "%'"
                ~ " and key_value is not null") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if run_query("select count(*) from raw_state.touched_keys where day_folder = 'future'").rows[0][0] > 0 -%}
        {%- do record_judged_keys('future') -%}
    {%- endif -%}
    {%- set as_of = built_relation('int_as_of_date') -%}
    {#- the kept sums read orders and service events (signals are summed in full) -#}
    {%- for table_name in ['orders', 'service_events'] -%}
        {%- set relation = built_relation('base_shop__' ~ table_name) -%}
        {%- if as_of is not none and relation is not none -%}
            {%- do run_query("insert into raw_state.touched_keys select distinct 'future', 'customer_ref', customer_id from "
                ~ relation ~ " where rejection_reason is null and cast("
                ~ raw_table_contracts()[table_name].date_column ~ " as date) > (select as_of_date from " ~ as_of ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{#- The relation a model (or another node: `resource_type`) of this project was built as, none
    before its first build. -#}
{% macro built_relation(model_name, resource_type='model') %}
    {%- set node = graph.nodes.get(resource_type ~ '.customer_value.' ~ model_name) -%}
    {{ return(adapter.get_relation(node.database, node.schema, node.alias) if node else none) }}
{% endmacro %}


{#-
    Records, for `day`, the keys of the rows judged against what the day touched (docs/rules.md
    section 2), as the state stands after the day: orders of a touched customer, lines and
    service events of a touched order, service events and signals of a touched customer. A row
    added by a later day is touched by that day itself.
-#}
{% macro record_judged_keys(day) %}
    {%- set touched -%}
        select key_value from raw_state.touched_keys where day_folder = {{ sql_text(day) }} and kind =
    {%- endset -%}
    {%- call statement('record_judged_keys') -%}
        insert into raw_state.touched_keys
        select distinct {{ sql_text(day) }}, 'orders', trimmed_order_id from raw_state.orders
        where trimmed_customer_id in ({{ touched }} 'customers') and trimmed_order_id is not null;

        insert into raw_state.touched_keys
        select distinct {{ sql_text(day) }}, 'order_items', trimmed_order_item_id from raw_state.order_items
        where trimmed_order_id in ({{ touched }} 'orders') and trimmed_order_item_id is not null;

        -- an event judged again may count for its customer again: its customer is touched too.
        -- Two lookups, not one `or`: DuckDB evaluates `in` lists joined by `or` row by row.
        insert into raw_state.touched_keys
        select distinct {{ sql_text(day) }}, kind, key_value
        from (
            select trimmed_event_id, trimmed_customer_id from raw_state.service_events
            where trimmed_customer_id in ({{ touched }} 'customers')
            union all
            select trimmed_event_id, trimmed_customer_id from raw_state.service_events
            where trimmed_order_id in ({{ touched }} 'orders')
        ) as judged,
            (values ('service_events', trimmed_event_id), ('customer_ref', trimmed_customer_id)) as keys (kind, key_value)
        where key_value is not null;

        insert into raw_state.touched_keys
        select distinct {{ sql_text(day) }}, 'customer_signals', trimmed_signal_id from raw_state.customer_signals
        where trimmed_customer_id in ({{ touched }} 'customers') and trimmed_signal_id is not null;
    {%- endcall -%}
{% endmacro %}


{#- Removes the customers listed by `erased_sql` (a select of customer_id) and every row of
    theirs from the state (step 2), in one statement per table. -#}
{% macro erase_raw_customers(erased_sql, day, record_touches) %}
    {%- set erased_rows = {
        'order_items': 'select * from raw_state.order_items where trimmed_order_id in (select trimmed_order_id'
            ~ ' from raw_state.orders where trimmed_customer_id in (select customer_id from erased_customers))',
    } -%}
    {%- for table_name in ['orders', 'service_events', 'customer_signals', 'customers'] -%}
        {%- do erased_rows.update({table_name: 'select * from raw_state.' ~ table_name
            ~ ' where trimmed_customer_id in (select customer_id from erased_customers)'}) -%}
    {%- endfor -%}
    {%- call statement('erase_raw_customers') -%}
        create or replace temp table erased_customers as select distinct customer_id from ({{ erased_sql }}) as listed;
        {%- if record_touches %}
        {%- for table_name, rows_sql in erased_rows.items() %}
        {{ record_touched_rows(day, table_name, rows_sql) }}
        {%- endfor %}
        {{ record_touched_customers(day, 'select customer_id from erased_customers') }}
        {%- endif %}

        delete from raw_state.order_items
        where trimmed_order_id in (
            select trimmed_order_id from raw_state.orders
            where trimmed_customer_id in (select customer_id from erased_customers)
        );
        {%- for table_name in ['orders', 'service_events', 'customer_signals', 'customers'] %}
        delete from raw_state.{{ table_name }} where trimmed_customer_id in (select customer_id from erased_customers);
        {%- endfor %}
        delete from raw_state.salvaged_values where trim(source_key) in (select customer_id from erased_customers);
        delete from raw_state.malformed_lines
        where list_has_any(
            list_transform(string_split(line_text, {{ sql_text(var('raw_csv_delimiter', ',')) }}), field -> trim(field, ' "')),
            (select list(customer_id) from erased_customers)
        );

        drop table erased_customers;
    {%- endcall -%}
{% endmacro %}


{#- Passes a customer's rows to another customer (step 3). -#}
{% macro merge_raw_customers(from_id, to_id, day, record_touches) %}
    {%- if to_id == '' or to_id == from_id -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set from_customer = sql_text(from_id) -%}
    {%- set to_customer = sql_text(to_id) -%}
    {%- call statement('merge_raw_customers') -%}
        {%- if record_touches %}
        {%- for table_name in ['orders', 'service_events', 'customer_signals', 'customers'] %}
        {{ record_touched_rows(day, table_name, 'select * from raw_state.' ~ table_name
            ~ ' where trimmed_customer_id in (' ~ from_customer ~ ', ' ~ to_customer ~ ')') }}
        {%- endfor %}
        {{ record_touched_customers(day, 'select * from (values (' ~ from_customer ~ '), (' ~ to_customer ~ ')) as merged (customer_id)') }}
        {%- endif %}
        {%- for table_name in ['orders', 'service_events', 'customer_signals'] %}
        update raw_state.{{ table_name }} set customer_id = {{ to_customer }}, trimmed_customer_id = {{ to_customer }}
        where trimmed_customer_id = {{ from_customer }};
        {%- endfor %}
        delete from raw_state.customers
        where trimmed_customer_id = {{ from_customer }}
            and exists (select 1 from raw_state.customers where trimmed_customer_id = {{ to_customer }});
        update raw_state.customers set customer_id = {{ to_customer }}, trimmed_customer_id = {{ to_customer }}
        where trimmed_customer_id = {{ from_customer }};
    {%- endcall -%}
{% endmacro %}
