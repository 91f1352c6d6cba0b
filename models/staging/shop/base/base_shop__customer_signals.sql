{{ config(materialized='table') }}

{{ classify_raw_rows('customer_signals') }}
