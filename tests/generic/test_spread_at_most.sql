{#-
    The values of a column differ by at most `max_spread` (max - min <= max_spread), e.g. the
    sizes of ntile groups differ by at most one. Returns one row with min, max and spread when
    they differ by more.
-#}
{% test spread_at_most(model, column_name, max_spread) %}

with spread as (
    select
        min({{ column_name }}) as smallest,
        max({{ column_name }}) as largest,
        max({{ column_name }}) - min({{ column_name }}) as spread
    from {{ model }}
)

select *
from spread
where spread > {{ max_spread }}

{% endtest %}
