{{ config(materialized='table') }}

{{ classify_raw_rows('service_events') }}
