{#-
    The value ranking and the value tier of spec section 4, written once: customer_value
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
