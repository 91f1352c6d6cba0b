-- Invariant for the value tier rule (unit-tested in int_customers_ranked): among customers with
-- positive margin, every top customer sits in a better value decile than every growth customer,
-- and the unprofitable tier is exactly the published is_unprofitable flag.
with

customer_value as (
    select * from {{ ref('customer_value') }}
),

top_and_growth as (
    select
        max(case when value_tier = 'top' then value_decile end) as worst_top_decile,
        min(case when value_tier = 'growth' and margin_after_cost_to_serve > 0 then value_decile end)
            as best_positive_growth_decile
    from customer_value
),

final as (
    select 'a top customer ranks below a growth customer of positive margin' as failure
    from top_and_growth
    where worst_top_decile >= best_positive_growth_decile
    union all
    select 'value_tier and is_unprofitable disagree for ' || customer_id as failure
    from customer_value
    where (value_tier = 'unprofitable') <> is_unprofitable
)

select * from final
