{#-
    One row per activity-based cost driver, all dates (docs/rules.md section 3): the public face
    of int_cost_drivers_costed, where the drivers are derived and costed.
-#}
{{ config(**cost_drivers_increments_config()) }}

with

cost_drivers_costed as (
    {%- for condition in changed_cost_drivers() %}
    select * from {{ ref('int_cost_drivers_costed') }}
    where {{ condition }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        cost_driver_id,
        customer_id,
        order_id,
        activity,
        driver_source,
        driver_date,
        units,
        cost_per_unit,
        cost
    from cost_drivers_costed
)

select * from final
