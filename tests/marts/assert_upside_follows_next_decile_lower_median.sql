{#-
    upside_to_next_decile (docs/rules.md, section 10) recomputed on customer_value with the lower median
    found by its definition, not by position as int_value_deciles_measured does: the value m
    of the decile with at least ceil(n / 2) values <= m and fewer than ceil(n / 2) values < m.
    (loss_avoidable is unit-tested on customer_value and checked per tier on value_upside.)
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

decile_sizes as (
    select
        value_decile,
        count(*) as decile_customers
    from customers
    group by value_decile
),

candidate_counts as (
    -- each distinct margin of a decile: how many of its margins are <= it and < it (a sort, no self-join)
    select distinct
        value_decile,
        margin_after_cost_to_serve as candidate_margin,
        count(*) over (
            partition by value_decile
            order by margin_after_cost_to_serve
            range between unbounded preceding and current row
        ) as at_or_below,
        count(*) over (
            partition by value_decile
            order by margin_after_cost_to_serve
            range between unbounded preceding and current row
        ) - count(*) over (partition by value_decile, margin_after_cost_to_serve) as below
    from customers
),

lower_medians as (
    select
        candidate_counts.value_decile,
        candidate_counts.candidate_margin as lower_median
    from candidate_counts
    inner join decile_sizes
        on candidate_counts.value_decile = decile_sizes.value_decile
    where
        2 * candidate_counts.at_or_below >= decile_sizes.decile_customers
        and 2 * candidate_counts.below < decile_sizes.decile_customers
),

expected as (
    select
        customers.customer_id,
        customers.upside_to_next_decile,
        case
            when customers.value_decile = 1 then null
            when not customers.has_upgrade_potential then 0
            when lower_medians.lower_median > customers.margin_after_cost_to_serve
                then lower_medians.lower_median - customers.margin_after_cost_to_serve
            else 0
        end as expected_upside
    from customers
    left join lower_medians
        on customers.value_decile - 1 = lower_medians.value_decile
)

select *
from expected
where not coalesce(upside_to_next_decile = expected_upside, upside_to_next_decile is null and expected_upside is null)
