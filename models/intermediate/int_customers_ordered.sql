{#-
    The population (docs/rules.md section 4): customers with at least one valid order dated on or
    before the as-of date, with their order counts, money and dates (int_customers_totalled)
    and how many days their first and last order lie before the as-of date.
-#}
with totalled as (
    select * from {{ ref('int_customers_totalled') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        totalled.customer_id,
        totalled.orders_count,
        totalled.returned_orders_count,
        totalled.cancelled_orders_count,
        totalled.refunds_count,
        totalled.first_ordered_at,
        totalled.last_ordered_at,
        {{ days_between('cast(totalled.last_ordered_at as date)', 'as_of.as_of_date') }} as recency_days,
        {{ days_between('cast(totalled.first_ordered_at as date)', 'as_of.as_of_date') }} as tenure_days,
        totalled.revenue,
        totalled.refunded_revenue,
        totalled.cogs,
        totalled.gross_margin
    from totalled
    cross join as_of
)

select * from final
