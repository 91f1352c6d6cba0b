{#-
    The lower median margin after cost to serve of each value decile (docs/rules.md, section 10): of
    the two middle values the smaller, so the result is one of the decile's own values on
    every engine. Position p of n (margin ascending) is the lower median when 2p = n or
    2p = n + 1.
-#}
with customers as (
    select * from {{ ref('int_customers_ranked') }}
),

positioned as (
    select
        value_decile,
        margin_after_cost_to_serve,
        row_number() over (
            partition by value_decile order by margin_after_cost_to_serve asc, customer_id asc
        ) as position_in_decile,
        count(*) over (partition by value_decile) as decile_customers
    from customers
),

final as (
    select
        value_decile,
        decile_customers,
        margin_after_cost_to_serve as median_margin_after_cost_to_serve
    from positioned
    where 2 * position_in_decile in (decile_customers, decile_customers + 1)
)

select * from final
