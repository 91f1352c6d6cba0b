{#-
    customer_value_deciles' margin shares against customer_value's whale curve (docs/rules.md section
    5): a decile's cumulative_share_of_total_margin is customer_value.cumulative_margin_share
    of the decile's last customer by value_rank, and its share_of_total_margin is that less
    the previous decile's (both null when the total margin is not positive). The summary and
    the detail are computed apart; returns every decile where they differ.
-#}
with deciles as (
    select * from {{ ref('customer_value_deciles') }}
),

customers as (
    select * from {{ ref('customer_value') }}
),

last_customers as (
    select
        value_decile,
        max(value_rank) as last_value_rank
    from customers
    group by value_decile
),

curve_at_decile_ends as (
    select
        last_customers.value_decile,
        customers.cumulative_margin_share
    from last_customers
    inner join customers
        on last_customers.last_value_rank = customers.value_rank
),

expected as (
    select
        value_decile,
        cumulative_margin_share as expected_cumulative_share,
        cumulative_margin_share
        - coalesce(lag(cumulative_margin_share) over (order by value_decile), 0) as expected_share
    from curve_at_decile_ends
)

select
    deciles.value_decile,
    deciles.share_of_total_margin,
    expected.expected_share,
    deciles.cumulative_share_of_total_margin,
    expected.expected_cumulative_share
from deciles
full outer join expected
    on deciles.value_decile = expected.value_decile
where
    not coalesce(
        abs(deciles.cumulative_share_of_total_margin - expected.expected_cumulative_share) < 1e-9,
        deciles.cumulative_share_of_total_margin is null and expected.expected_cumulative_share is null
    )
    or not coalesce(
        abs(deciles.share_of_total_margin - expected.expected_share) < 1e-9,
        deciles.share_of_total_margin is null and expected.expected_share is null
    )
