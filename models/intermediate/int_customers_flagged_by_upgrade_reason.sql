{#-
    Why a customer outside the top tier could move up (docs/rules.md section 4): one row per customer
    and reason. Each reason is one CTE and one union branch; adding a reason touches only this
    model. Thresholds: vars upgrade_window_days, upgrade_growth_ratio, top_tier_deciles.
-#}
with customers as (
    select * from {{ ref('int_customers_ranked') }}
    where value_tier <> 'top'
),

windows as (
    select * from {{ ref('int_customers_windowed') }}
),

growing_spend as (
    select
        customers.customer_id,
        'growing_spend' as upgrade_reason
    from customers
    inner join windows
        on customers.customer_id = windows.customer_id
    where
        windows.earlier_window_revenue > 0
        and windows.recent_window_revenue >= {{ var('upgrade_growth_ratio') }} * windows.earlier_window_revenue
),

advocate as (
    select
        customer_id,
        'advocate' as upgrade_reason
    from customers
    where indirect_value > 0 and indirect_value_decile = 1
),

fixable_cost_to_serve as (
    select
        customer_id,
        'fixable_cost_to_serve' as upgrade_reason
    from customers
    where is_unprofitable and gross_margin > 0 and top_cost_activity_share >= 0.5
),
{%- if clv_enabled() %}

predicted_top as (
    select
        customers.customer_id,
        'predicted_top' as upgrade_reason
    from customers
    inner join {{ ref('int_customers_predicted') }} as lifetime_value
        on customers.customer_id = lifetime_value.customer_id
    where lifetime_value.predicted_clv_decile = 1 and customers.value_decile > {{ var('top_tier_deciles') }}
),
{%- endif %}

final as (
    select * from growing_spend
    union all
    select * from advocate
    union all
    select * from fixable_cost_to_serve
    {%- if clv_enabled() %}
    union all
    select * from predicted_top
    {%- endif %}
)

select * from final
