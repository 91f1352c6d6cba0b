{#-
    A summary agrees with its detail to the cent: for each entry of `sums` (a mapping from a
    column of the tested model to an expression over `compare_model`), the column's total over
    the tested model equals the expression's total over compare_model, exactly (money is
    decimal, so no tolerance is needed). Counts are sums too: map `customers` to `1`.
    Returns one row per column whose totals differ, with both totals.
-#}
{% test sums_agree_with(model, compare_model, sums) %}

with summary_totals as (
    select
        {%- for column, expression in sums.items() %}
        sum({{ column }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

detail_totals as (
    select
        {%- for column, expression in sums.items() %}
        sum({{ expression }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ compare_model }}
),

compared as (
    {%- for column, expression in sums.items() %}
    select
        '{{ column }}' as summary_column,
        cast(summary_totals.{{ column }} as decimal(38, 6)) as summary_total,
        cast(detail_totals.{{ column }} as decimal(38, 6)) as detail_total
    from summary_totals
    cross join detail_totals
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select *
from compared
where
    not (
        summary_total = detail_total
        or (summary_total is null and detail_total is null)
    )

{% endtest %}
