{#-
    Processing only what the new day folders changed (docs/rules.md section 15). With
    raw_increments_path, the models that hold the rows of the raw tables (the base_shop__ models,
    the priced orders, the costed drivers and the two facts) are incremental: a build deletes
    their rows of the keys the new days changed and inserts those keys again, computed from the
    state, so each model ends as a full build of the state would. The changed keys come from
    raw_state.touched_keys (recorded by the loading, load_raw_increments.sql) after the last day
    folder the model has processed (raw_state.processed_days); a model that has processed no day
    of this state, as after a rebuild of the state, redoes every key. Without increments these
    models are plain tables.
-#}

{#- The config of a model kept by key: incremental with increments, else a table. `kind` names
    the keys (changed_keys); `key_column` the model's column of them. The model's rows of the
    changed keys are deleted before it appends them again, and its rows without a key when it
    keeps them (the base models redo those every time). -#}
{% macro increments_config(kind, key_column, keeps_rows_without_key=false) %}
    {{ return(increments_config_deleting(
        "{{ changed_rows('" ~ kind ~ "', '" ~ key_column ~ "') }}"
        ~ (" or " ~ key_column ~ " is null" if keeps_rows_without_key else ""))) }}
{% endmacro %}


{#- The config of a model the increments keep: with increments, incremental, and a build first
    deletes the rows where `condition` holds (a SQL condition, rendered in the pre-hook, so it
    may call changed_rows), then appends what the model selects; else a table. -#}
{% macro increments_config_deleting(condition) %}
    {{ return(increments_config_running("delete from {{ this }} where " ~ condition)) }}
{% endmacro %}


{#- The same, with `deletes` (the SQL of the pre-hook's delete statements) run before a build
    appends. -#}
{% macro increments_config_running(deletes) %}
    {%- if var('raw_increments_path') is none -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': "{% if is_incremental() %}" ~ deletes ~ "{% endif %}",
        'post_hook': "{{ record_processed_day() }}",
    }) }}
{% endmacro %}


{#- The last day folder this model has processed, none when it must redo every key: also when
    the seeds it is computed from have changed since (upstream_seeds). -#}
{% macro processed_through() %}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query(
        "select max(day_folder) from raw_state.processed_days where model_name = " ~ sql_text(this | string)
        ~ " and seeds = " ~ sql_text(upstream_seeds())
    ).rows[0][0]) }}
{% endmacro %}


{#-
    The content of the seeds the current model is computed from (its upstream seeds, e.g. the
    rates), as one text of fingerprints. Seeds are loaded by `dbt seed` or during `dbt build`,
    after the loading: a model compares what it reads when it runs.
-#}
{% macro upstream_seeds() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set upstream = [model.unique_id] -%}
    {%- for position in range(graph.nodes | length) if position < upstream | length -%}
        {%- for parent in graph.nodes[upstream[position]].depends_on.nodes
            if parent in graph.nodes and parent not in upstream -%}
            {%- do upstream.append(parent) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set fingerprints = [] -%}
    {%- for node_id in upstream | sort if graph.nodes[node_id].resource_type == 'seed' -%}
        {%- set name = graph.nodes[node_id].name -%}
        {%- set relation = built_relation(name, 'seed') -%}
        {%- do fingerprints.append(sql_text(name) ~ " || ':' || " ~ (
            "(select md5(coalesce(string_agg(cast(seed as varchar), '|' order by cast(seed as varchar)), ''))"
            ~ " from " ~ relation ~ " as seed)" if relation is not none else "'none'")) -%}
    {%- endfor -%}
    {{ return(run_query("select " ~ (fingerprints | join(" || ',' || ") or "''")).rows[0][0]) }}
{% endmacro %}


{#- A SQL condition: `expression` (prefixed by `prefix`) is a key of `kind` changed since this
    model last ran; true when the model redoes every key. -#}
{% macro changed_rows(kind, expression, prefix=none) %}
    {%- set since = processed_through() -%}
    {%- if since is none -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set keys = changed_keys(kind, since) -%}
    {%- if prefix is not none -%}
        {%- set keys = 'select ' ~ sql_text(prefix) ~ ' || key_value from (' ~ keys ~ ') as changed' -%}
    {%- endif -%}
    {{ return(expression ~ ' in (' ~ keys ~ ')') }}
{% endmacro %}


{#-
    The keys (column key_value) of `kind` changed by the day folders after `since`: the keys the
    days touched, with the keys judged against them (record_judged_keys); affected_orders adds
    the orders whose lines or service events changed, affected_customers is the customers whose
    orders, lines or service events changed.
-#}
{% macro changed_keys(kind, since) %}
    {%- set touched = "select key_value from raw_state.touched_keys where day_folder > " ~ sql_text(since) -%}
    {%- if kind == 'affected_orders' -%}
        {{ return(touched ~ " and kind in ('orders', 'order_ref')") }}
    {%- elif kind == 'affected_customers' -%}
        {{ return(touched ~ " and kind = 'customer_ref' union select trimmed_customer_id from raw_state.orders"
            ~ " where trimmed_order_id in (" ~ changed_keys('affected_orders', since) ~ ")") }}
    {%- endif -%}
    {{ return(touched ~ " and kind = " ~ sql_text(kind)) }}
{% endmacro %}


{#- Post-hook: the model has processed every loaded day folder, with its upstream seeds as they are. -#}
{% macro record_processed_day() %}
    delete from raw_state.processed_days where model_name = {{ sql_text(this | string) }};
    insert into raw_state.processed_days
    select {{ sql_text(this | string) }}, max(day_folder), {{ sql_text(upstream_seeds()) }} from raw_state.loaded_days
{% endmacro %}


{#- Cost drivers come from orders and from service events: their config, and the SQL conditions
    of the changed drivers by the key of their source, one per source (DuckDB finds the rows of
    one `in` a list of keys by a join, but evaluates two of them joined by `or` row by row), or
    `true` when the model redoes every driver. -#}
{% macro cost_drivers_increments_config() %}
    {{ return(increments_config_running(
        "{% for condition in changed_cost_drivers() %}delete from {{ this }} where {{ condition }};{% endfor %}")) }}
{% endmacro %}

{% macro changed_cost_drivers() %}
    {%- if processed_through() is none -%}
        {{ return(['true']) }}
    {%- endif -%}
    {{ return([
        "driver_source = 'order' and " ~ changed_rows('affected_orders', 'order_id'),
        "driver_source = 'service_event' and " ~ changed_rows('service_events', 'cost_driver_id', prefix='service_event|'),
    ]) }}
{% endmacro %}


{#-
    The history's periods by customer (int_customers_measured_by_period): with increments, a
    build keeps the rows of the closed periods (month ends still in the history, not the as-of
    date) of the customers whose facts did not change, and measures the rest.
-#}
{% macro measured_periods_increments_config() %}
    {{ return(increments_config_deleting(
        unkept_periods() ~ " or {{ changed_rows('affected_customers', 'customer_id') }}")) }}
{% endmacro %}


{#- The SQL condition of the rows of the periods a build measures again for every customer: the
    as-of date, and the month ends no longer in the history. -#}
{% macro unkept_periods() %}
    {{ return("period_end not in (select period_end from {{ ref('int_value_periods_enumerated') }}"
        ~ " where not is_as_of_period)") }}
{% endmacro %}


{#-
    A select of the rows of `facts` (a CTE with customer_id) with each period_end of the CTE
    `periods` whose window holds their `date_column` (on or before the period end, and after
    the window start when `windowed`): all periods, or with increments every customer's rows in
    the periods measured for all (is_measured_for_all) and the changed customers' rows in the
    kept periods.
-#}
{% macro facts_in_measured_periods(facts, date_column, windowed=true) %}
    {%- set join_periods -%}
        inner join periods
            on
                {{ facts }}.{{ date_column }} <= periods.period_end
                {%- if windowed %}
                and {{ facts }}.{{ date_column }} > periods.window_start_date
                {%- endif %}
    {%- endset -%}
    {%- set every_customer = 'select ' ~ facts ~ '.*, periods.period_end from ' ~ facts ~ ' ' ~ join_periods -%}
    {%- if processed_through() is none -%}
        {{ return(every_customer) }}
    {%- endif -%}
    {#- the changed customers' facts are chosen before the join: a filter after it would join
        every fact to every kept period first -#}
    {{ return(every_customer ~ "\n        where periods.is_measured_for_all\n        union all\n"
        ~ "        select " ~ facts ~ ".*, periods.period_end\n        from (select * from " ~ facts ~ " where "
        ~ changed_rows('affected_customers', 'customer_id') ~ ") as " ~ facts ~ "\n        " ~ join_periods
        ~ "\n        where not periods.is_measured_for_all") }}
{% endmacro %}


{#-
    The history mart (customer_value_history): with increments, a build ranks again only the
    periods without rows (new ones, the as-of date) and the periods where a changed customer's
    measures differ from the kept row; the others are kept.
-#}
{% macro history_increments_config() %}
    {%- set config = increments_config_deleting(unkept_periods() ~ "{{ ' or true' if processed_through() is none }}") -%}
    {%- if config.materialized == 'incremental' -%}
        {%- do config.update({'incremental_strategy': 'delete+insert', 'unique_key': 'period_end'}) -%}
    {%- endif -%}
    {{ return(config) }}
{% endmacro %}
