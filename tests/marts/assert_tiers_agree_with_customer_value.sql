{#- Tier totals add up to customer_value's totals to the cent. -#}
with customers as (
    select
        count(*) as customers,
        sum(revenue) as revenue,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(case when has_upgrade_potential then 1 else 0 end) as with_upgrade_potential
    from {{ ref('customer_value') }}
),

tiers as (
    select
        sum(customers) as customers,
        sum(revenue) as revenue,
        sum(margin_after_cost_to_serve) as margin_after_cost_to_serve,
        sum(customers_with_upgrade_potential) as with_upgrade_potential
    from {{ ref('value_tier_summary') }}
)

select customers.*
from customers
cross join tiers
where
    customers.customers <> tiers.customers
    or customers.revenue <> tiers.revenue
    or customers.margin_after_cost_to_serve <> tiers.margin_after_cost_to_serve
    or customers.with_upgrade_potential <> tiers.with_upgrade_potential
