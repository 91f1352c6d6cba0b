{#-
    The input contract of spec section 1 and the rejection rules of section 2, as data.
    `classify_raw_rows` applies it to any raw table, so every table is staged by the same
    mechanism. Column keys:
      type       text | date | timestamp | money | number | whole_number (see cast_raw_text)
      required   an empty value is invalid (otherwise empty means null, or `default`)
      default    SQL literal used when the value is empty (e.g. 0 for a fee)
      lowercase  normalise text to lower case (status, activity, signal values)
      accepted   list of allowed values
      accepted_from  {model, column}: allowed values are those of a config seed
      minimum    lowest allowed value (inclusive)
      positive   must be > 0
    Table keys: key, columns, optional (true: a missing file is an empty table, spec section 7), checks (row rules: {condition, detail} that must hold),
    parents (references that must exist in valid staged data: {column, model, key}),
    rate_card ({activity, date}: a rate must be valid on the date, else no_rate).
-#}
{% macro raw_table_contracts() %}
    {{ return({
        'customers': {
            'key': 'customer_id',
            'columns': [
                {'name': 'signup_date', 'type': 'date'},
                {'name': 'region'},
                {'name': 'acquisition_channel'},
                {'name': 'email'},
            ],
        },
        'orders': {
            'key': 'order_id',
            'columns': [
                {'name': 'customer_id', 'required': true},
                {'name': 'ordered_at', 'type': 'timestamp', 'required': true},
                {'name': 'status', 'required': true, 'lowercase': true,
                 'accepted': ['completed', 'returned', 'cancelled']},
                {'name': 'shipping_fee', 'type': 'money', 'default': 0, 'minimum': 0},
            ],
            'parents': [
                {'column': 'customer_id', 'model': 'stg_shop__customers', 'key': 'customer_id'},
            ],
        },
        'order_items': {
            'key': 'order_item_id',
            'columns': [
                {'name': 'order_id', 'required': true},
                {'name': 'product_id', 'required': true},
                {'name': 'product_category'},
                {'name': 'quantity', 'type': 'whole_number', 'required': true, 'positive': true},
                {'name': 'unit_price', 'type': 'money', 'required': true, 'minimum': 0},
                {'name': 'unit_cost', 'type': 'money', 'required': true, 'minimum': 0},
                {'name': 'discount_amount', 'type': 'money', 'default': 0, 'minimum': 0},
            ],
            'checks': [
                {'condition': 'discount_amount <= quantity * unit_price',
                 'detail': 'discount_amount: exceeds quantity x unit_price'},
            ],
            'parents': [
                {'column': 'order_id', 'model': 'stg_shop__orders', 'key': 'order_id'},
            ],
        },
        'service_events': {
            'key': 'event_id',
            'optional': true,
            'columns': [
                {'name': 'customer_id', 'required': true},
                {'name': 'order_id'},
                {'name': 'activity', 'required': true, 'lowercase': true,
                 'accepted_from': {'model': 'service_cost_rates', 'column': 'activity'}},
                {'name': 'occurred_at', 'type': 'timestamp', 'required': true},
                {'name': 'units', 'type': 'number', 'required': true, 'minimum': 0},
            ],
            'parents': [
                {'column': 'customer_id', 'model': 'stg_shop__customers', 'key': 'customer_id'},
                {'column': 'order_id', 'model': 'stg_shop__orders', 'key': 'order_id'},
            ],
            'rate_card': {'activity': 'activity', 'date': 'occurred_at'},
        },
        'customer_signals': {
            'key': 'signal_id',
            'optional': true,
            'columns': [
                {'name': 'customer_id', 'required': true},
                {'name': 'signal_type', 'required': true, 'lowercase': true,
                 'accepted_from': {'model': 'indirect_value_rates', 'column': 'signal_type'}},
                {'name': 'occurred_at', 'type': 'timestamp', 'required': true},
            ],
            'parents': [
                {'column': 'customer_id', 'model': 'stg_shop__customers', 'key': 'customer_id'},
            ],
        },
    }) }}
{% endmacro %}


{#- The raw column names of a table, key first, in contract order. -#}
{% macro raw_table_columns(table_name) %}
    {%- set contract = raw_table_contracts()[table_name] -%}
    {%- set names = [contract.key] -%}
    {%- for column in contract.columns -%}
        {%- do names.append(column.name) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{#-
    The contract columns of a table that hold personal data: those marked `meta: {pii: true}`
    in seeds/raw/_raw__seeds.yml (the demo seed raw_<table> documents each raw column, and
    the same columns are read from raw_data_path files). Public models show them only redacted.
-#}
{% macro contract_pii_columns(table_name) %}
    {%- set names = [] -%}
    {%- set seed = graph.get('nodes', {}).get('seed.' ~ project_name ~ '.raw_' ~ table_name) -%}
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
    of its file that could not be read (spec section 7: both count in reconciliation).
-#}
{% macro raw_row_count(table_name) -%}
    (select count(*) from {{ raw_relation(table_name) }})
    + (select count(*) from {{ ref('base_shop__malformed_lines') }} where source_table = '{{ table_name }}')
{%- endmacro %}
