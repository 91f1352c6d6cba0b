{#- Every (recency_score, frequency_score) pair of 1..5 x 1..5 maps to exactly one segment. -#}
with scores as (
    select 1 as score
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
),

score_pairs as (
    select
        recency.score as recency_score,
        frequency.score as frequency_score
    from scores as recency
    cross join scores as frequency
),

mapped as (
    select
        recency_score,
        frequency_score,
        count(*) as segments
    from {{ ref('rfm_segments') }}
    group by recency_score, frequency_score
)

select
    coalesce(score_pairs.recency_score, mapped.recency_score) as recency_score,
    coalesce(score_pairs.frequency_score, mapped.frequency_score) as frequency_score,
    coalesce(mapped.segments, 0) as segments
from score_pairs
full outer join mapped
    on
        score_pairs.recency_score = mapped.recency_score
        and score_pairs.frequency_score = mapped.frequency_score
where
    score_pairs.recency_score is null
    or mapped.segments is null
    or mapped.segments <> 1
