-- Invariant for the service priority rule (unit-tested in customer_value): the p1 queue holds as
-- many customers as value_tier_summary's top tier, and the p2 queue as many as its growth tier
-- plus the unprofitable customers with upgrade potential.
with

customer_value as (
    select * from {{ ref('customer_value') }}
),

value_tier_summary as (
    select * from {{ ref('value_tier_summary') }}
),

queues as (
    select
        sum(case when service_priority = 'p1' then 1 else 0 end) as p1_customers,
        sum(case when service_priority = 'p2' then 1 else 0 end) as p2_customers
    from customer_value
),

expected as (
    select
        coalesce(sum(case when value_tier = 'top' then customers end), 0) as p1_customers,
        coalesce(sum(case when value_tier = 'growth' then customers end), 0)
        + coalesce(sum(case when value_tier = 'unprofitable' then customers_with_upgrade_potential end), 0)
            as p2_customers
    from value_tier_summary
),

final as (
    select
        queues.p1_customers,
        expected.p1_customers as expected_p1,
        queues.p2_customers,
        expected.p2_customers as expected_p2
    from queues
    cross join expected
    where queues.p1_customers <> expected.p1_customers or queues.p2_customers <> expected.p2_customers
)

select * from final
