{#-
    The as-of date of every measure (docs/rules.md section 3): var `as_of_date` when given
    (YYYY-MM-DD), else the date of the latest valid ordered_at. Always one row.
-#}
{%- set given_as_of_date = var('as_of_date') %}

with orders as (
    select * from {{ ref('stg_shop__orders') }}
),

final as (
    select
        coalesce(
            {%- if given_as_of_date is not none %}
            cast('{{ given_as_of_date }}' as date),
            {%- endif %}
            cast(max(ordered_at) as date)
        ) as as_of_date
    from orders
)

select * from final
