{#- Indirect value per customer: the sum over signals (dated on or before the as-of date) of value_per_signal. -#}
with signals as (
    select * from {{ ref('stg_shop__customer_signals') }}
),

indirect_value_rates as (
    select * from {{ ref('indirect_value_rates') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        signals.customer_id,
        cast(count(*) as integer) as signals_count,
        cast(sum(indirect_value_rates.value_per_signal) as decimal(18, 4)) as indirect_value
    from signals
    inner join indirect_value_rates
        on signals.signal_type = indirect_value_rates.signal_type
    cross join as_of
    where cast(signals.occurred_at as date) <= as_of.as_of_date
    group by signals.customer_id
)

select * from final
