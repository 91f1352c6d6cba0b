{#-
    Half-open intervals [lower_bound, upper_bound) of rows with the same `partition_by`
    value never overlap; a null bound is open (since always / until further notice).
    Returns each overlapping pair.
-#}
{% test intervals_do_not_overlap(model, partition_by, lower_bound, upper_bound) %}

with intervals as (
    select
        {{ partition_by }} as partition_value,
        {{ lower_bound }} as lower_bound,
        {{ upper_bound }} as upper_bound,
        row_number() over (
            partition by {{ partition_by }}
            order by {{ lower_bound }} nulls first, {{ upper_bound }} nulls last
        ) as interval_number
    from {{ model }}
)

select
    earlier.partition_value,
    earlier.lower_bound as first_lower_bound,
    earlier.upper_bound as first_upper_bound,
    later.lower_bound as second_lower_bound,
    later.upper_bound as second_upper_bound
from intervals as earlier
inner join intervals as later
    on
        earlier.partition_value = later.partition_value
        and earlier.interval_number < later.interval_number
where
    (earlier.lower_bound is null or later.upper_bound is null or earlier.lower_bound < later.upper_bound)
    and (later.lower_bound is null or earlier.upper_bound is null or later.lower_bound < earlier.upper_bound)

{% endtest %}
