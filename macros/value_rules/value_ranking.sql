{#-
    The value ranking and the value tier of docs/rules.md section 4, written once: customer_value
    (lifetime, int_customers_ranked) and customer_value_history (per period window) both
    call these, so a period's states follow the same rules as customer_value's tiers.
-#}

{#- The value order: margin after cost to serve desc, revenue desc, customer_id asc (a unique tie-breaker). -#}
{% macro value_order() -%}
    margin_after_cost_to_serve desc, revenue desc, customer_id asc
{%- endmacro %}

{#- The value tier from a value decile and a margin; var top_tier_deciles (default 1). -#}
{% macro value_tier_of(value_decile, margin) -%}
    case
        when {{ value_decile }} <= {{ var('top_tier_deciles') }} and {{ margin }} > 0 then 'top'
        when {{ margin }} < 0 then 'unprofitable'
        else 'growth'
    end
{%- endmacro %}

{#-
    Each customer_value_history row with the customer's state at the period end before it
    (docs/rules.md section 9): previous_value_tier (`new` without a row then) and
    previous_margin_after_cost_to_serve (0 then), plus the period's previous_period_end and
    is_as_of_period. Written once for tier_migration and customer_value's annual tiers.
-#}
{% macro history_with_previous_state(history, periods) -%}
    select
        current_state.*,
        periods.previous_period_end,
        periods.is_as_of_period,
        coalesce(previous_state.value_tier, 'new') as previous_value_tier,
        coalesce(previous_state.margin_after_cost_to_serve, 0) as previous_margin_after_cost_to_serve
    from {{ history }} as current_state
    inner join {{ periods }} as periods
        on current_state.period_end = periods.period_end
    left join {{ history }} as previous_state
        on
            current_state.customer_id = previous_state.customer_id
            and periods.previous_period_end = previous_state.period_end
{%- endmacro %}
