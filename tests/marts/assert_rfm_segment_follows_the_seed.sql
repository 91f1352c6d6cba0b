{#-
    rfm_segment is the segment the rfm_segments seed gives to the customer's (recency_score,
    frequency_score) pair (spec section 4, doc rfm_scores). Returns customers whose segment
    differs or whose pair is missing from the seed.
-#}
with customers as (
    select * from {{ ref('customer_value') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
)

select
    customers.customer_id,
    customers.recency_score,
    customers.frequency_score,
    customers.rfm_segment,
    rfm_segments.rfm_segment as expected_rfm_segment
from customers
left join rfm_segments
    on
        customers.recency_score = rfm_segments.recency_score
        and customers.frequency_score = rfm_segments.frequency_score
where not coalesce(customers.rfm_segment = rfm_segments.rfm_segment, false)
