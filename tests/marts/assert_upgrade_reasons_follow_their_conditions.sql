{#-
    Every upgrade reason in customer_value follows its condition (spec section 4, doc
    upgrade_reasons), recomputed here from the built data: the spend windows of
    int_customers_windowed, an independent ntile over customer_value.indirect_value, the
    cost columns and, where the lifetime-value models run, predicted_clv_decile. Top-tier
    customers get no reason. upgrade_reasons must equal the expected list exactly (sorted,
    comma-separated, empty when none), so a missing, extra or unsorted reason fails.
    Thresholds: vars upgrade_growth_ratio, top_tier_deciles.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

windows as (
    select * from {{ ref('int_customers_windowed') }}
),

conditions as (
    select
        customers.customer_id,
        customers.upgrade_reasons,
        customers.value_tier <> 'top' as can_move_up,
        coalesce(
            windows.earlier_window_revenue > 0
            and windows.recent_window_revenue >= {{ var('upgrade_growth_ratio') }} * windows.earlier_window_revenue,
            false
        ) as is_growing_spend,
        customers.indirect_value > 0
        and ntile(10) over (order by customers.indirect_value desc, customers.customer_id asc) = 1 as is_advocate,
        customers.is_unprofitable
        and customers.gross_margin > 0
        and coalesce(customers.top_cost_activity_share >= 0.5, false) as is_fixable_cost_to_serve,
        coalesce(
            customers.predicted_clv_decile = 1 and customers.value_decile > {{ var('top_tier_deciles') }},
            false
        ) as is_predicted_top
    from customers
    left join windows
        on customers.customer_id = windows.customer_id
),

expected as (
    select
        customer_id,
        upgrade_reasons,
        -- alphabetical order; the leading comma is cut off below
        case when can_move_up and is_advocate then ',advocate' else '' end
        || case when can_move_up and is_fixable_cost_to_serve then ',fixable_cost_to_serve' else '' end
        || case when can_move_up and is_growing_spend then ',growing_spend' else '' end
        || case when can_move_up and is_predicted_top then ',predicted_top' else '' end as expected_list
    from conditions
),

final as (
    select
        customer_id,
        upgrade_reasons,
        substring(expected_list, 2) as expected_upgrade_reasons
    from expected
)

select *
from final
where upgrade_reasons <> expected_upgrade_reasons or upgrade_reasons is null
