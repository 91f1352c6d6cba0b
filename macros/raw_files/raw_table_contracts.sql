{#-
    The input contract of docs/rules.md section 1: per raw table its key, its other columns in export
    order, and whether its file is optional (a missing file is an empty table, docs/rules.md section 7).
    load_raw_files checks files against it; key_copies reads the columns. The types and
    rejection rules of section 2 are written in each base_shop__<table> model.
-#}
{% macro raw_table_contracts() %}
    {{ return({
        'customers': {
            'key': 'customer_id',
            'columns': ['signup_date', 'region', 'acquisition_channel', 'email'],
        },
        'orders': {
            'key': 'order_id',
            'columns': ['customer_id', 'ordered_at', 'status', 'shipping_fee'],
        },
        'order_items': {
            'key': 'order_item_id',
            'columns': [
                'order_id', 'product_id', 'product_category', 'quantity', 'unit_price',
                'unit_cost', 'discount_amount',
            ],
        },
        'service_events': {
            'key': 'event_id',
            'optional': true,
            'columns': ['customer_id', 'order_id', 'activity', 'occurred_at', 'units'],
        },
        'customer_signals': {
            'key': 'signal_id',
            'optional': true,
            'columns': ['customer_id', 'signal_type', 'occurred_at'],
        },
    }) }}
{% endmacro %}


{#- The raw column names of a table, key first, in contract order. -#}
{% macro raw_table_columns(table_name) %}
    {%- set contract = raw_table_contracts()[table_name] -%}
    {{ return([contract.key] + contract.columns) }}
{% endmacro %}


{#-
    The contract columns of a table that hold personal data: those marked `meta: {pii: true}`
    in seeds/raw/_raw__seeds.yml (the demo seed raw_<table> documents each raw column, and
    the same columns are read from raw_data_path files); with raw_data_path set the demo seeds
    are not loaded, and the `raw` source marks the same columns. Public models show them only
    redacted.
-#}
{% macro contract_pii_columns(table_name) %}
    {%- set names = [] -%}
    {%- set seed = graph.get('nodes', {}).get('seed.' ~ project_name ~ '.raw_' ~ table_name)
        or graph.get('sources', {}).get('source.' ~ project_name ~ '.raw.' ~ table_name) -%}
    {%- if seed -%}
        {%- for name, column in seed.columns.items() if column.get('meta', {}).get('pii') -%}
            {%- do names.append(name) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}


{#-
    Where a raw table is read from: the demo seed `raw_<table>` by default, or, when the var
    `raw_data_path` is set, the `raw` source: the file `<raw_data_path>/<table>.<raw_file_format>`
    as landed by the on-run-start hook register_raw_files.
-#}
{% macro raw_relation(table_name) %}
    {%- if var('raw_data_path') is none -%}
        {{ return(ref('raw_' ~ table_name)) }}
    {%- else -%}
        {{ return(source('raw', table_name)) }}
    {%- endif -%}
{% endmacro %}


{#-
    The number of raw rows of a table, as a scalar subquery: its readable rows plus the lines
    of its file that could not be read (docs/rules.md section 7: both count in reconciliation).
-#}
{% macro raw_row_count(table_name) -%}
    (select count(*) from {{ raw_relation(table_name) }})
    + (select count(*) from {{ ref('base_shop__malformed_lines') }} where source_table = '{{ table_name }}')
{%- endmacro %}
