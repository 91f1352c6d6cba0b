{#- Decile totals add up to customer_value's totals to the cent, and deciles differ in size by at most one. -#}
with customers as (
    select
        count(*) as customers,
        sum(revenue) as revenue,
        sum(gross_margin) as gross_margin,
        sum(cost_to_serve) as cost_to_serve,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(case when is_unprofitable then 1 else 0 end) as unprofitable_customers
    from {{ ref('customer_value') }}
),

deciles as (
    select
        sum(customers) as customers,
        sum(revenue) as revenue,
        sum(gross_margin) as gross_margin,
        sum(cost_to_serve) as cost_to_serve,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(unprofitable_customers) as unprofitable_customers,
        max(customers) - min(customers) as size_spread
    from {{ ref('customer_value_deciles') }}
)

select
    customers.*,
    deciles.size_spread
from customers
cross join deciles
where
    customers.customers <> deciles.customers
    or customers.revenue <> deciles.revenue
    or customers.gross_margin <> deciles.gross_margin
    or customers.cost_to_serve <> deciles.cost_to_serve
    or customers.margin_after_cost_to_serve <> deciles.margin_after_cost_to_serve
    or customers.unprofitable_customers <> deciles.unprofitable_customers
    or deciles.size_spread > 1
