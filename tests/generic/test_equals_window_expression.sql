{#-
    A ranking or running total is what its rule says: the column equals `window_expression`
    (a window function over the tested model, e.g. `ntile(10) over (order by revenue desc,
    customer_id asc)`) on every row; both null counts as equal. `tolerance` (optional) allows
    a difference for floating-point shares. Returns the rows that differ, with the expected
    value. Recomputing the window on the built table catches a wrong order, a missing
    tie-breaker or a ranking computed over the wrong population.
-#}
{% test equals_window_expression(model, column_name, window_expression, tolerance=none) %}

with expected as (
    select
        *,
        {{ window_expression }} as expected_value
    from {{ model }}
)

select *
from expected
where
    not coalesce(
        {%- if tolerance is not none %}
        abs({{ column_name }} - expected_value) <= {{ tolerance }},
        {%- else %}
        {{ column_name }} = expected_value,
        {%- endif %}
        false
    )
    and not ({{ column_name }} is null and expected_value is null)

{% endtest %}
