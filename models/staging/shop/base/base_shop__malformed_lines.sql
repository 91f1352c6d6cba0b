{#-
    The lines of the raw CSV files the reader could not parse (docs/rules.md section 7), as landed by
    register_raw_files: a line export's unreadable lines (as order_items lines, on DuckDB and
    Spark), and those of the tables layout's CSV files on DuckDB; none for the demo seeds,
    Parquet files of the tables layout, or the tables layout on other engines.
    raw_record keeps the line number and the line's text, e-mail-like fields redacted.
-#}
{%- set reads_malformed_lines = var('raw_increments_path') is not none or (var('raw_data_path') is not none
    and (var('raw_layout', 'tables') == 'lines' or (var('raw_file_format') == 'csv' and target.type == 'duckdb'))) %}

with
{%- if reads_malformed_lines %}

malformed_lines as (
    select * from {{ source('raw', 'malformed_lines') }}
),
{%- else %}

malformed_lines as (
    select
        cast(null as {{ text_type() }}) as source_table,
        cast(null as {{ text_type() }}) as source_file,
        cast(null as bigint) as line_number,
        cast(null as {{ text_type() }}) as problem,
        cast(null as {{ text_type() }}) as line_text
    where 1 = 0
),
{%- endif %}

{# What raw_record shows of a line: its number and its text, e-mail-like fields redacted. #}
recorded as (
    select
        *,
        line_number as record_line_number,
        {{ redacted_email_fields('line_text') }} as record_line_text
    from malformed_lines
),

final as (
    select
        cast(source_table as {{ text_type() }}) as source_table,
        cast(source_file as {{ text_type() }}) as source_file,
        cast(line_number as bigint) as line_number,
        cast(problem as {{ text_type() }}) as problem,
        {{ raw_record_json(['line_number', 'line_text'], 'record_') }} as raw_record
    from recorded
)

select * from final
