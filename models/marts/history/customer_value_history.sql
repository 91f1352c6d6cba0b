{#-
    One row per customer and period end (docs/rules.md section 9): the customer's state by the rules
    of customer_value (macros value_order and value_tier_of) applied to the period's window
    population, or lapsed when the customer ordered before but not in the window.
-#}
with measured as (
    select * from {{ ref('int_customers_measured_by_period') }}
),

-- ranked within the period's window population: customers with an order in the window
ranked as (
    select
        *,
        case
            when has_window_order
                then ntile(10) over (partition by period_end, has_window_order order by {{ value_order() }})
        end as value_decile
    from measured
),

classified as (
    select
        *,
        case
            when not has_window_order then 'lapsed'
            else {{ value_tier_of('value_decile', 'margin_after_cost_to_serve') }}
        end as value_tier
    from ranked
),

final as (
    select
        cast(customer_id as {{ text_type() }}) as customer_id,
        cast(period_end as date) as period_end,
        cast(value_tier as {{ text_type() }}) as value_tier,
        cast(value_decile as integer) as value_decile,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(cost_to_serve as decimal(18, 2)) as cost_to_serve,
        cast(margin_after_cost_to_serve as decimal(18, 2)) as margin_after_cost_to_serve,
        cast(orders_count as integer) as orders_count
    from classified
)

select * from final
