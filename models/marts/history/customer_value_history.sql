{#-
    One row per customer and period end (docs/rules.md section 9): the customer's state by the rules
    of customer_value (macros value_order and value_tier_of) applied to the period's window
    population, or lapsed when the customer ordered before but not in the window.
-#}
{{ config(**history_increments_config()) }}
-- depends_on: {{ ref('int_value_periods_enumerated') }}

with

{% if processed_through() is not none -%}
-- with increments (process_increments.sql): the periods without kept rows, and those where a
-- changed customer's measures differ from the kept row
changed_measures as (
    select * from {{ ref('int_customers_measured_by_period') }}
    where {{ changed_rows('affected_customers', 'customer_id') }}
),

kept_rows as (
    select * from {{ this }}
    where {{ changed_rows('affected_customers', 'customer_id') }}
),

ranked_periods as (
    select period_end from {{ ref('int_value_periods_enumerated') }}
    where period_end not in (select period_end from {{ this }})
    union
    select coalesce(changed_measures.period_end, kept_rows.period_end) as period_end
    from changed_measures
    full outer join kept_rows
        on
            changed_measures.customer_id = kept_rows.customer_id
            and changed_measures.period_end = kept_rows.period_end
    where
        changed_measures.customer_id is null
        or kept_rows.customer_id is null
        or changed_measures.has_window_order <> (kept_rows.value_tier <> 'lapsed')
        or changed_measures.revenue <> kept_rows.revenue
        or changed_measures.gross_margin <> kept_rows.gross_margin
        or changed_measures.cost_to_serve <> kept_rows.cost_to_serve
        or changed_measures.orders_count <> kept_rows.orders_count
),

measured as (
    select * from {{ ref('int_customers_measured_by_period') }}
    where period_end in (select period_end from ranked_periods)
),
{%- else -%}
measured as (
    select * from {{ ref('int_customers_measured_by_period') }}
),
{%- endif %}

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
