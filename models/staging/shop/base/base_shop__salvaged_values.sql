{#-
    Fields of raw CSV lines that the reader could not parse because of bytes not valid in the
    file's encoding (docs/rules.md, section 13): the rest of the line was landed as a raw row
    with the field empty, and the field is listed here, as landed by register_raw_files. None
    for the demo seeds, Parquet files, or engines other than DuckDB.
-#}
{%- set reads_salvaged_values = var('raw_increments_path') is not none or (var('raw_data_path') is not none
    and var('raw_file_format') == 'csv' and target.type == 'duckdb') %}

with
{%- if reads_salvaged_values %}

salvaged_values as (
    select * from {{ source('raw', 'salvaged_values') }}
),
{%- else %}

salvaged_values as (
    select
        cast(null as {{ text_type() }}) as source_table,
        cast(null as bigint) as line_number,
        cast(null as {{ text_type() }}) as source_key,
        cast(null as {{ text_type() }}) as column_name,
        cast(null as {{ text_type() }}) as raw_value,
        cast(null as {{ text_type() }}) as detail
    where 1 = 0
),
{%- endif %}

final as (
    select
        cast(source_table as {{ text_type() }}) as source_table,
        cast(line_number as bigint) as line_number,
        cast(source_key as {{ text_type() }}) as source_key,
        cast(column_name as {{ text_type() }}) as column_name,
        cast(raw_value as {{ text_type() }}) as raw_value,
        cast(detail as {{ text_type() }}) as detail
    from salvaged_values
)

select * from final
