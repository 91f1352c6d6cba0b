{#-
    Revenue in the two spend-growth windows (rule growing_spend): the recent window
    (as_of - window, as_of] and the earlier one (as_of - 2 x window, as_of - window], with
    window = var upgrade_window_days (default 180).
-#}
{%- set window_days = var('upgrade_window_days') %}

with orders as (
    select * from {{ ref('int_orders_priced') }}
),

as_of as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', -window_days, 'as_of_date') }} as date) as recent_window_start,
        cast({{ dbt.dateadd('day', -2 * window_days, 'as_of_date') }} as date) as earlier_window_start
    from {{ ref('int_as_of_date') }}
),

final as (
    select
        orders.customer_id,
        sum(
            case
                when orders.ordered_date > as_of.recent_window_start and orders.ordered_date <= as_of.as_of_date
                    then orders.revenue
                else 0
            end
        ) as recent_window_revenue,
        sum(
            case
                when
                    orders.ordered_date > as_of.earlier_window_start
                    and orders.ordered_date <= as_of.recent_window_start
                    then orders.revenue
                else 0
            end
        ) as earlier_window_revenue
    from orders
    cross join as_of
    where orders.ordered_date <= as_of.as_of_date
    group by orders.customer_id
)

select * from final
