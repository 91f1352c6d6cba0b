{#-
    A ranking is what its rule says: the column equals `window_expression` (a window function
    over the tested model, e.g. `ntile(10) over (order by revenue desc, customer_id asc)`) on
    every row; both null counts as equal. Returns the rows that differ, with the expected
    value. Recomputing the window on the built table catches a wrong order, a missing
    tie-breaker or a ranking computed over the wrong population.
-#}
{% test equals_window_expression(model, column_name, window_expression) %}

with expected as (
    select
        *,
        {{ window_expression }} as expected_value
    from {{ model }}
)

select *
from expected
where
    not coalesce({{ column_name }} = expected_value, false)
    and not ({{ column_name }} is null and expected_value is null)

{% endtest %}
