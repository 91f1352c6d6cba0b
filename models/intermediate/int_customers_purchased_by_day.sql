{#-
    One row per customer and purchase day (docs/rules.md section 6): completed orders dated on or before
    the as-of date, the orders of one customer on one day being one purchase with their revenue
    summed. What the lifetime-value summary and the holdout check (clv_holdout_validation) count.
-#}
with orders as (
    select * from {{ ref('int_orders_priced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        orders.customer_id,
        orders.ordered_date as purchase_date,
        sum(orders.revenue) as purchase_revenue
    from orders
    cross join as_of
    where orders.status = 'completed' and orders.ordered_date <= as_of.as_of_date
    group by orders.customer_id, orders.ordered_date
)

select * from final
