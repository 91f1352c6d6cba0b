{#-
    Cost to serve per customer and the activity that drives it: the largest cost, ties
    broken alphabetically; null activity and share when the customer cost nothing.
-#}
with activity_costs as (
    select * from {{ ref('int_customers_costed_by_activity') }}
),

ranked as (
    select
        customer_id,
        activity,
        cost,
        cast(sum(cost) over (partition by customer_id) as decimal(18, 4)) as cost_to_serve,
        row_number() over (partition by customer_id order by cost desc, activity asc) as cost_rank
    from activity_costs
),

final as (
    select
        customer_id,
        cost_to_serve,
        case when cost_to_serve > 0 then activity end as top_cost_activity,
        case when cost_to_serve > 0 then cast(cost as double) / cost_to_serve end as top_cost_activity_share
    from ranked
    where cost_rank = 1
)

select * from final
