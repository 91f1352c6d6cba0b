{#-
    Which activities drive the unprofitable tail? For customers with negative margin after
    cost to serve: cost per activity, its share of the tail's cost to serve, how many tail
    customers have it as their top cost activity, and the cost per tail customer. The first
    rows are where process changes (cheaper channel, fewer returns, less account time) pay.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

activity_costs as (
    select * from {{ ref('int_customers_costed_by_activity') }}
),

tail as (
    select
        customer_id,
        top_cost_activity
    from customers
    where is_unprofitable
),

tail_activity_costs as (
    select
        activity_costs.activity,
        cast(round(sum(activity_costs.cost), 2) as decimal(18, 2)) as cost,
        count(distinct activity_costs.customer_id) as customers_with_activity
    from activity_costs
    inner join tail
        on activity_costs.customer_id = tail.customer_id
    group by activity_costs.activity
),

top_activities as (
    select
        top_cost_activity as activity,
        count(*) as customers_with_it_as_top
    from tail
    where top_cost_activity is not null
    group by top_cost_activity
),

final as (
    select
        tail_activity_costs.activity,
        tail_activity_costs.customers_with_activity,
        tail_activity_costs.cost,
        cast(
            round(tail_activity_costs.cost / (select count(*) from tail), 2) as decimal(18, 2)
        ) as cost_per_tail_customer,
        coalesce(top_activities.customers_with_it_as_top, 0) as customers_with_it_as_top,
        cast(tail_activity_costs.cost as double) / sum(tail_activity_costs.cost) over () as share_of_tail_cost
    from tail_activity_costs
    left join top_activities
        on tail_activity_costs.activity = top_activities.activity
)

select * from final
order by cost desc, activity asc
