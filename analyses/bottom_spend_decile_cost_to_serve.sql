{#-
    Does the bottom spend decile (spend_decile = 10: the 10% of customers with the least
    revenue) cost more to serve than it brings? Per spend decile: gross margin (what the goods
    bring), cost to serve, their difference and whether the cost exceeds the gross margin.
    Read the row of decile 10; the other rows show where along the spend scale it turns.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

spend_deciles as (
    select
        spend_decile,
        count(*) as customers,
        sum(revenue) as revenue,
        sum(gross_margin) as gross_margin,
        sum(cost_to_serve) as cost_to_serve,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(case when is_unprofitable then 1 else 0 end) as unprofitable_customers
    from customers
    group by spend_decile
),

final as (
    select
        spend_decile,
        customers,
        revenue,
        gross_margin,
        cost_to_serve,
        margin_after_cost_to_serve,
        unprofitable_customers,
        cost_to_serve > gross_margin as costs_more_than_it_brings,
        case when gross_margin > 0 then cast(cost_to_serve as double) / gross_margin end as cost_to_serve_per_margin
    from spend_deciles
)

select * from final
order by spend_decile
