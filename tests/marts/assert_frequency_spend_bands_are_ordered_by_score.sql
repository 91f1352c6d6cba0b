-- Invariant for the frequency-spend band rule (unit-tested at its edges in int_customers_ranked):
-- bands never overlap on frequency_score + monetary_score (high above medium above low), and each
-- band maps to exactly one service level and back.
with

customer_value as (
    select
        customer_id,
        frequency_spend_band,
        service_level,
        frequency_score + monetary_score as score
    from {{ ref('customer_value') }}
),

band_ranges as (
    select
        frequency_spend_band,
        min(score) as lowest_score,
        max(score) as highest_score,
        count(distinct service_level) as service_levels
    from customer_value
    group by frequency_spend_band
),

levels as (
    select
        service_level,
        count(distinct frequency_spend_band) as bands
    from customer_value
    group by service_level
),

final as (
    select 'band ' || higher.frequency_spend_band || ' overlaps ' || lower_band.frequency_spend_band as failure
    from band_ranges as higher
    inner join band_ranges as lower_band
        on
            (higher.frequency_spend_band = 'high' and lower_band.frequency_spend_band in ('medium', 'low'))
            or (higher.frequency_spend_band = 'medium' and lower_band.frequency_spend_band = 'low')
    where higher.lowest_score <= lower_band.highest_score
    union all
    select 'band ' || frequency_spend_band || ' has several service levels' as failure
    from band_ranges
    where service_levels <> 1
    union all
    select 'service level ' || service_level || ' has several bands' as failure
    from levels
    where bands <> 1
)

select * from final
