{#-
    The input contract of docs/rules.md section 1, declared once, here. Per raw table: its
    `key`; its other `columns` in export order; the `required` ones (the others are optional: a
    bad byte there costs the field, not the line); the `pii` ones (personal data, shown only
    redacted); `date_column`, the required date whose format the loading checks first; and
    `optional` for a table whose file may be missing (an empty table, docs/rules.md section 7). The loading of raw_data_path files, the quarantine and the
    redaction read it here; scripts/generate_raw_data.py and the tests read this macro too
    (raw_contract() there renders it), so it stays plain data. The types and rejection rules of
    section 2 are written in each base_shop__<table> model.
-#}
{% macro raw_table_contracts() %}
    {{ return({
        'customers': {
            'key': 'customer_id',
            'columns': ['signup_date', 'region', 'acquisition_channel', 'email'],
            'required': [],
            'pii': ['email'],
        },
        'orders': {
            'key': 'order_id',
            'columns': ['customer_id', 'ordered_at', 'status', 'shipping_fee'],
            'required': ['customer_id', 'ordered_at', 'status'],
            'date_column': 'ordered_at',
            'pii': [],
        },
        'order_items': {
            'key': 'order_item_id',
            'columns': [
                'order_id', 'product_id', 'product_category', 'quantity', 'unit_price',
                'unit_cost', 'discount_amount',
            ],
            'required': ['order_id', 'product_id', 'quantity', 'unit_price', 'unit_cost'],
            'pii': [],
        },
        'service_events': {
            'key': 'event_id',
            'optional': true,
            'columns': ['customer_id', 'order_id', 'activity', 'occurred_at', 'units'],
            'required': ['customer_id', 'activity', 'occurred_at', 'units'],
            'date_column': 'occurred_at',
            'pii': [],
        },
        'customer_signals': {
            'key': 'signal_id',
            'optional': true,
            'columns': ['customer_id', 'signal_type', 'occurred_at'],
            'required': ['customer_id', 'signal_type', 'occurred_at'],
            'date_column': 'occurred_at',
            'pii': [],
        },
    }) }}
{% endmacro %}


{#- The raw column names of a table, key first, in contract order. -#}
{% macro raw_table_columns(table_name) %}
    {%- set contract = raw_table_contracts()[table_name] -%}
    {{ return([contract.key] + contract.columns) }}
{% endmacro %}


{#- The contract columns of a table that hold personal data: public models show them only redacted. -#}
{% macro contract_pii_columns(table_name) %}
    {{ return(raw_table_contracts()[table_name].pii) }}
{% endmacro %}


{#- Whether the raw tables come from files (var raw_data_path, or raw_increments_path) rather
    than the demo seeds. -#}
{% macro raw_files_given() %}
    {{ return(var('raw_data_path') is not none or var('raw_increments_path') is not none) }}
{% endmacro %}


{#-
    Where a raw table is read from: the demo seed `raw_<table>` by default, or, when raw files
    are given, the `raw` source: the file `<raw_data_path>/<table>.<raw_file_format>` (or the
    state of the daily increments) as landed by the on-run-start hook register_raw_files.
-#}
{% macro raw_relation(table_name) %}
    {%- if not raw_files_given() -%}
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
