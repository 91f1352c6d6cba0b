{#-
    The day the build runs, in UTC, as a SQL date (docs/rules.md, section 13): a row dated
    after it is quarantined as invalid_value (in its base_shop__<table> model, by
    dated_after_build_day), so it is never counted and never moves the default as-of date.
    A unit test overrides this macro to pin the day.
-#}
{% macro build_day() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d") }}' as date)
{%- endmacro %}


{#- The invalid_value detail of a timestamp dated after the build day, as a CASE branch. -#}
{% macro dated_after_build_day(column_name, typed_expression) -%}
    when cast({{ typed_expression }} as date) > {{ build_day() }}
                then '{{ column_name }}{{ after_build_day_text() }}'
                || cast({{ build_day() }} as {{ text_type() }}) || ', UTC)'
{%- endmacro %}


{#- The words of that detail after the column name, up to the day: the increments find these
    rows by them (record_future_dated_keys). -#}
{% macro after_build_day_text() -%}
    {{ return(': after the day of the build (') }}
{%- endmacro %}
