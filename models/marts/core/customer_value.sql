{#-
    One row per customer of the population: the public customer value mart (docs/rules.md section 4).
    It joins and presents: rankings and tiers come from int_customers_ranked, reasons from
    int_customers_flagged_by_upgrade_reason (one row per customer and reason, aggregated here into a
    sorted comma-separated list), predictions from customer_lifetime_value, the annual states
    of the two latest periods from customer_value_history (docs/rules.md section 9) and the next
    better decile's lower median margin from int_value_deciles_measured (docs/rules.md, section 10).
-#}
{%- set horizon = var('clv_horizon_months') %}

with customers as (
    select * from {{ ref('int_customers_ranked') }}
),

upgrade_reasons as (
    select * from {{ ref('int_customers_flagged_by_upgrade_reason') }}
),

decile_medians as (
    select * from {{ ref('int_value_deciles_measured') }}
),

history as (
    select * from {{ ref('customer_value_history') }}
),

periods as (
    select * from {{ ref('int_value_periods_enumerated') }}
),
{%- if clv_enabled() %}

lifetime_value as (
    select * from {{ ref('customer_lifetime_value') }}
),
{%- endif %}

-- each period's state with the one at the period end before it (`new` without a row then)
paired_states as (
    {{ history_with_previous_state('history', 'periods') }}
),

annual_states as (
    select
        customer_id,
        value_tier as annual_value_tier,
        previous_value_tier as previous_annual_value_tier
    from paired_states
    where is_as_of_period
),

reasons_per_customer as (
    select
        customer_id,
        {{ string_agg_sorted('upgrade_reason') }} as upgrade_reasons
    from upgrade_reasons
    group by customer_id
),

joined as (
    select
        customers.*,
        coalesce(reasons_per_customer.upgrade_reasons, '') as upgrade_reasons,
        annual_states.annual_value_tier,
        annual_states.previous_annual_value_tier,
        next_better_decile.median_margin_after_cost_to_serve as next_better_decile_median_margin,
        {%- if clv_enabled() %}
        lifetime_value.p_alive,
        lifetime_value.expected_orders_{{ horizon }}m as expected_orders,
        lifetime_value.expected_revenue_{{ horizon }}m as expected_revenue,
        lifetime_value.predicted_clv,
        lifetime_value.predicted_clv_decile,
        -- next order and interval (issue #22)
        lifetime_value.churn_probability,
        lifetime_value.p_order_within_30d,
        lifetime_value.p_order_within_90d,
        lifetime_value.p_order_within_365d,
        lifetime_value.expected_next_order_date,
        lifetime_value.predicted_clv_low,
        lifetime_value.predicted_clv_high
        {%- else %}
        -- no Python models on this engine: the predicted columns stay null
        cast(null as double) as p_alive,
        cast(null as double) as expected_orders,
        cast(null as decimal(18, 2)) as expected_revenue,
        cast(null as decimal(18, 2)) as predicted_clv,
        cast(null as integer) as predicted_clv_decile,
        cast(null as double) as churn_probability,
        cast(null as double) as p_order_within_30d,
        cast(null as double) as p_order_within_90d,
        cast(null as double) as p_order_within_365d,
        cast(null as date) as expected_next_order_date,
        cast(null as decimal(18, 2)) as predicted_clv_low,
        cast(null as decimal(18, 2)) as predicted_clv_high
        {%- endif %}
    from customers
    left join reasons_per_customer
        on customers.customer_id = reasons_per_customer.customer_id
    left join annual_states
        on customers.customer_id = annual_states.customer_id
    left join decile_medians as next_better_decile
        on customers.value_decile - 1 = next_better_decile.value_decile
    {%- if clv_enabled() %}
    left join lifetime_value
        on customers.customer_id = lifetime_value.customer_id
    {%- endif %}
),

-- the service team's queue: p1 keep the top, p2 grow the middle (or anyone who can move up),
-- p3 serve the rest at the cost they are worth
prioritised as (
    select
        *,
        upgrade_reasons <> '' as has_upgrade_potential,
        case
            when value_tier = 'top' then 'p1'
            when value_tier = 'growth' or upgrade_reasons <> '' then 'p2'
            else 'p3'
        end as service_priority
    from joined
),

final as (
    select
        cast(customer_id as {{ text_type() }}) as customer_id,
        cast(orders_count as integer) as orders_count,
        cast(returned_orders_count as integer) as returned_orders_count,
        cast(cancelled_orders_count as integer) as cancelled_orders_count,
        cast(first_ordered_at as timestamp) as first_ordered_at,
        cast(last_ordered_at as timestamp) as last_ordered_at,
        cast(recency_days as integer) as recency_days,
        cast(tenure_days as integer) as tenure_days,
        -- money arrives at cents from int_customers_ranked; these casts only fix the type
        cast(revenue as decimal(18, 2)) as revenue,
        cast(refunded_revenue as decimal(18, 2)) as refunded_revenue,
        cast(refunds_count as integer) as refunds_count,
        -- the refunded share of gross sales: refunded / (net revenue + refunded)
        case
            when revenue + refunded_revenue <> 0
                then cast(refunded_revenue as double) / cast(revenue + refunded_revenue as double)
        end as refund_rate,
        cast(cogs as decimal(18, 2)) as cogs,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(cost_to_serve as decimal(18, 2)) as cost_to_serve,
        cast(margin_after_cost_to_serve as decimal(18, 2)) as margin_after_cost_to_serve,
        -- a share, divided in double precision on every engine (Spark would divide decimals)
        case
            when revenue <> 0 then cast(margin_after_cost_to_serve as double) / cast(revenue as double)
        end as margin_after_cost_to_serve_rate,
        -- the quotient is fixed to 10 decimals before rounding: engines that divide decimals in
        -- floating point (DuckDB) would otherwise round a half cent (128.17 / 2 = 64.085) down
        cast(
            case when orders_count > 0 then round(cast(revenue / orders_count as decimal(38, 10)), 2) end
            as decimal(18, 2)
        ) as average_order_value,
        cast(top_cost_activity as {{ text_type() }}) as top_cost_activity,
        cast(top_cost_activity_share as double) as top_cost_activity_share,
        cast(indirect_value as decimal(18, 2)) as indirect_value,
        cast(value_rank as integer) as value_rank,
        cast(value_decile as integer) as value_decile,
        cast(spend_decile as integer) as spend_decile,
        cast(cumulative_margin_share as double) as cumulative_margin_share,
        cast(is_unprofitable as boolean) as is_unprofitable,
        cast(value_tier as {{ text_type() }}) as value_tier,
        cast(recency_score as integer) as recency_score,
        cast(frequency_score as integer) as frequency_score,
        cast(monetary_score as integer) as monetary_score,
        cast(rfm_segment as {{ text_type() }}) as rfm_segment,
        cast(frequency_spend_band as {{ text_type() }}) as frequency_spend_band,
        cast(service_level as {{ text_type() }}) as service_level,
        cast(upgrade_reasons as {{ text_type() }}) as upgrade_reasons,
        cast(has_upgrade_potential as boolean) as has_upgrade_potential,
        cast(service_priority as {{ text_type() }}) as service_priority,
        cast(p_alive as double) as p_alive,
        cast(expected_orders as double) as expected_orders_{{ horizon }}m,
        cast(expected_revenue as decimal(18, 2)) as expected_revenue_{{ horizon }}m,
        cast(predicted_clv as decimal(18, 2)) as predicted_clv,
        cast(predicted_clv_decile as integer) as predicted_clv_decile,
        cast(churn_probability as double) as churn_probability,
        cast(p_order_within_30d as double) as p_order_within_30d,
        cast(p_order_within_90d as double) as p_order_within_90d,
        cast(p_order_within_365d as double) as p_order_within_365d,
        cast(expected_next_order_date as date) as expected_next_order_date,
        cast(predicted_clv_low as decimal(18, 2)) as predicted_clv_low,
        cast(predicted_clv_high as decimal(18, 2)) as predicted_clv_high,
        cast(value_tier = 'top' and p_alive < {{ var('at_risk_p_alive') }} as boolean) as is_top_at_risk,
        cast(annual_value_tier as {{ text_type() }}) as annual_value_tier,
        cast(previous_annual_value_tier as {{ text_type() }}) as previous_annual_value_tier,
        cast(previous_annual_value_tier = 'top' and annual_value_tier <> 'top' as boolean) as is_top_lost,
        cast(
            case
                when value_decile = 1 then null
                when has_upgrade_potential
                    then greatest(next_better_decile_median_margin - margin_after_cost_to_serve, 0)
                else 0
            end as decimal(18, 2)
        ) as upside_to_next_decile,
        cast(
            case when margin_after_cost_to_serve < 0 then -margin_after_cost_to_serve else 0 end as decimal(18, 2)
        ) as loss_avoidable
    from prioritised
)

select * from final
