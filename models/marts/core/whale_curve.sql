{#-
    The whale curve (docs/rules.md section 5): for each customer percentile p = 1..100, the share of
    total revenue and of total margin after cost to serve earned by the best ceil(p / 100 x N)
    customers by value_rank. Its peak above 1.0 is the profit the unprofitable tail gives away.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

digits as (
    select 0 as digit
    {%- for digit in range(1, 10) %}
    union all
    select {{ digit }}
    {%- endfor %}
),

percentiles as (
    select tens.digit * 10 + ones.digit + 1 as customer_percentile
    from digits as tens
    cross join digits as ones
),

cumulative as (
    select
        value_rank,
        sum(revenue) over (order by value_rank rows between unbounded preceding and current row)
            as cumulative_revenue,
        sum(margin_after_cost_to_serve) over (order by value_rank rows between unbounded preceding and current row)
            as cumulative_margin,
        count(*) over () as population,
        sum(revenue) over () as total_revenue,
        sum(margin_after_cost_to_serve) over () as total_margin
    from customers
),

population as (
    select count(*) as customers from customers
),

included as (
    select
        percentiles.customer_percentile,
        cast(ceiling(percentiles.customer_percentile * population.customers / 100.0) as integer)
            as customers_included
    from percentiles
    cross join population
),

final as (
    select
        cast(included.customer_percentile as integer) as customer_percentile,
        cast(included.customers_included as integer) as customers_included,
        case
            when cumulative.total_revenue > 0
                then cast(cumulative.cumulative_revenue as double) / cumulative.total_revenue
        end as cumulative_revenue_share,
        case
            when cumulative.total_margin > 0
                then cast(cumulative.cumulative_margin as double) / cumulative.total_margin
        end as cumulative_margin_share
    from included
    left join cumulative
        on included.customers_included = cumulative.value_rank
)

select * from final
