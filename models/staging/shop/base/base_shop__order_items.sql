{{ config(materialized='table') }}

{{ classify_raw_rows('order_items') }}
