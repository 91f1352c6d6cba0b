{#-
    One row per customer of the population with its money at cents, every ranking and the
    rules that follow from them: value rank and deciles, the whale curve, value tier, RFM
    scores and segment, frequency-spend band and service level (docs/rules.md section 4).

    Money is rounded to cents here, before ranking, and not again: gross margin and cost to
    serve are rounded and margin_after_cost_to_serve is their difference, so the identity
    holds exactly, and every ranking orders the same values customer_value shows, so the
    published ranks can be recomputed from the published table (tests do). Every ranking
    window ends in customer_id, a unique tie-breaker, so ties are broken the same way on
    every build and every engine. Threshold: var top_tier_deciles (default 1).
-#}

-- a table, not a view: two models read it and its rankings should not be computed twice
{{ config(materialized='table') }}

with ordered as (
    select * from {{ ref('int_customers_ordered') }}
),

costed as (
    select * from {{ ref('int_customers_costed') }}
),

signalled as (
    select * from {{ ref('int_customers_signalled') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

valued as (
    select
        ordered.customer_id,
        ordered.orders_count,
        ordered.returned_orders_count,
        ordered.cancelled_orders_count,
        ordered.refunds_count,
        ordered.first_ordered_at,
        ordered.last_ordered_at,
        ordered.recency_days,
        ordered.tenure_days,
        cast(round(ordered.revenue, 2) as decimal(18, 2)) as revenue,
        cast(round(ordered.refunded_revenue, 2) as decimal(18, 2)) as refunded_revenue,
        cast(round(ordered.gross_margin, 2) as decimal(18, 2)) as gross_margin,
        cast(round(coalesce(costed.cost_to_serve, 0), 2) as decimal(18, 2)) as cost_to_serve,
        costed.top_cost_activity,
        costed.top_cost_activity_share,
        cast(round(coalesce(signalled.indirect_value, 0), 2) as decimal(18, 2)) as indirect_value
    from ordered
    left join costed
        on ordered.customer_id = costed.customer_id
    left join signalled
        on ordered.customer_id = signalled.customer_id
),

margined as (
    select
        *,
        -- cogs from the rounded values, so revenue - cogs = gross_margin exactly
        revenue - gross_margin as cogs,
        gross_margin - cost_to_serve as margin_after_cost_to_serve
    from valued
),

ranked as (
    select
        *,
        row_number() over (order by {{ value_order() }}) as value_rank,
        ntile(10) over (order by {{ value_order() }}) as value_decile,
        ntile(10) over (order by revenue desc, customer_id asc) as spend_decile,
        ntile(5) over (order by last_ordered_at asc, customer_id asc) as recency_score,
        ntile(5) over (order by orders_count asc, customer_id asc) as frequency_score,
        ntile(5) over (order by revenue asc, customer_id asc) as monetary_score,
        ntile(10) over (order by indirect_value desc, customer_id asc) as indirect_value_decile,
        sum(margin_after_cost_to_serve) over (
            order by {{ value_order() }}
            rows between unbounded preceding and current row
        ) as cumulative_margin,
        sum(margin_after_cost_to_serve) over () as total_margin
    from margined
),

classified as (
    select
        ranked.*,
        -- the whale curve: null when the population's total margin is not positive
        case
            when ranked.total_margin > 0 then cast(ranked.cumulative_margin as double) / ranked.total_margin
        end as cumulative_margin_share,
        ranked.margin_after_cost_to_serve < 0 as is_unprofitable,
        -- a top-decile customer who loses money is not top
        {{ value_tier_of('ranked.value_decile', 'ranked.margin_after_cost_to_serve') }} as value_tier,
        rfm_segments.rfm_segment,
        case
            when ranked.frequency_score + ranked.monetary_score >= 8 then 'high'
            when ranked.frequency_score + ranked.monetary_score >= 5 then 'medium'
            else 'low'
        end as frequency_spend_band
    from ranked
    left join rfm_segments
        on
            ranked.recency_score = rfm_segments.recency_score
            and ranked.frequency_score = rfm_segments.frequency_score
),

final as (
    select
        *,
        case frequency_spend_band
            when 'high' then 'personalized'
            when 'medium' then 'customized'
            else 'generic'
        end as service_level
    from classified
)

select * from final
