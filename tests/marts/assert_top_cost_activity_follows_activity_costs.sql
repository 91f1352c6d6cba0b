{#-
    top_cost_activity is the activity with the largest cost to serve (ties: alphabetical) and
    top_cost_activity_share its share of the customer's cost to serve, both null when that
    cost is 0 (docs/rules.md section 4, doc top_cost_activity). Recomputed from the per-activity costs
    by a different route than the model (max cost, then min activity among the ties).
-#}
with activity_costs as (
    select * from {{ ref('int_customers_costed_by_activity') }}
),

customers as (
    select * from {{ ref('customer_value') }}
),

per_customer as (
    select
        customer_id,
        sum(cost) as cost_to_serve,
        max(cost) as largest_cost
    from activity_costs
    group by customer_id
),

top_activity as (
    select
        per_customer.customer_id,
        per_customer.cost_to_serve,
        per_customer.largest_cost,
        min(activity_costs.activity) as activity
    from per_customer
    inner join activity_costs
        on
            per_customer.customer_id = activity_costs.customer_id
            and per_customer.largest_cost = activity_costs.cost
    group by per_customer.customer_id, per_customer.cost_to_serve, per_customer.largest_cost
),

expected as (
    select
        customers.customer_id,
        customers.top_cost_activity,
        customers.top_cost_activity_share,
        case when top_activity.cost_to_serve > 0 then top_activity.activity end as expected_activity,
        case
            when top_activity.cost_to_serve > 0
                then cast(top_activity.largest_cost as double) / top_activity.cost_to_serve
        end as expected_share
    from customers
    left join top_activity
        on customers.customer_id = top_activity.customer_id
)

select *
from expected
where
    not coalesce(top_cost_activity = expected_activity, top_cost_activity is null and expected_activity is null)
    or not coalesce(
        abs(top_cost_activity_share - expected_share) < 1e-9,
        top_cost_activity_share is null and expected_share is null
    )
