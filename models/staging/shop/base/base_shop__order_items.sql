{{ config(
    materialized=incremental_if_supported(),
    incremental_strategy='delete+insert',
    unique_key='key_fingerprint',
    on_schema_change='fail',
) }}

{{ classify_raw_rows('order_items') }}
