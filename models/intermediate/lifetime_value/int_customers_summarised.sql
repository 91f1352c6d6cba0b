{#-
    One row per customer of the population (a valid order of any status on or before the as-of
    date): the purchase summary the lifetime-value models are fitted on (docs/rules.md section 6, doc
    clv_purchase_summary) and the customer's margin rate and cost to serve per purchase that
    turn predicted purchases into predicted margin (doc predicted_clv). Customers without a
    completed purchase keep null model inputs. The population, its money and cost to serve
    are customer_value's own steps (int_customers_ordered, int_customers_costed).
-#}
with population as (
    select * from {{ ref('int_customers_ordered') }}
),

costs as (
    select * from {{ ref('int_customers_costed') }}
),

-- orders of one customer on one day are one purchase, their revenue summed
purchase_days as (
    select * from {{ ref('int_customers_purchased_by_day') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

purchase_days_flagged as (
    select
        customer_id,
        purchase_date,
        purchase_revenue,
        purchase_date > min(purchase_date) over (partition by customer_id) as is_repeat_purchase
    from purchase_days
),

purchases as (
    select
        customer_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        count(*) as purchase_days,
        -- the mean spend of the repeat purchases: the first purchase day is excluded
        avg(case when is_repeat_purchase then purchase_revenue end) as average_repeat_purchase_revenue
    from purchase_days_flagged
    group by customer_id
),

-- whole days between dates
purchase_spans as (
    select
        purchases.customer_id,
        {{ days_between('purchases.first_purchase_date', 'purchases.last_purchase_date') }} as days_to_last,
        {{ days_between('purchases.first_purchase_date', 'as_of.as_of_date') }} as days_observed
    from purchases
    cross join as_of
),

-- the population's gross margin rate stands in for customers whose own revenue is 0
population_margin as (
    select sum(gross_margin) / nullif(sum(revenue), 0) as gross_margin_rate
    from population
),

final as (
    select
        cast(population.customer_id as {{ text_type() }}) as customer_id,
        purchases.first_purchase_date,
        purchases.last_purchase_date,
        cast(purchases.purchase_days as integer) as purchase_days,
        cast(purchases.purchase_days - 1 as integer) as repeat_purchases,
        cast(purchase_spans.days_to_last / 7.0 as double) as weeks_to_last_purchase,
        cast(purchase_spans.days_observed / 7.0 as double) as weeks_observed,
        cast(purchases.average_repeat_purchase_revenue as decimal(18, 4)) as average_repeat_purchase_revenue,
        cast(population.revenue as decimal(18, 4)) as revenue,
        cast(population.gross_margin as decimal(18, 4)) as gross_margin,
        cast(coalesce(costs.cost_to_serve, 0) as decimal(18, 4)) as cost_to_serve,
        cast(
            case
                when purchases.customer_id is null then null
                when population.revenue > 0 then population.gross_margin / population.revenue
                else population_margin.gross_margin_rate
            end as double
        ) as gross_margin_rate,
        cast(
            coalesce(costs.cost_to_serve, 0) / purchases.purchase_days as decimal(18, 4)
        ) as cost_to_serve_per_purchase
    from population
    cross join population_margin
    left join purchases
        on population.customer_id = purchases.customer_id
    left join purchase_spans
        on population.customer_id = purchase_spans.customer_id
    left join costs
        on population.customer_id = costs.customer_id
)

select * from final
