{{ config(materialized='table') }}

{{ classify_raw_rows('customers') }}
