-- Invariant for the upgrade reasons (proven at their thresholds by the unit tests of
-- int_customers_flagged_by_upgrade_reason): each reason is backed by the columns it speaks of, without
-- re-deriving the rule. Growing spend means the recent window outspent a positive earlier window,
-- advocates have indirect value and are at most a tenth of the customers (rounded up), a
-- fixable cost to serve needs a positive gross margin, and a predicted top customer has
-- predicted_clv_decile 1.
with

customer_value as (
    select * from {{ ref('customer_value') }}
),

windows as (
    select * from {{ ref('int_customers_windowed') }}
),

reasons as (
    select
        customer_value.customer_id,
        customer_value.indirect_value,
        customer_value.gross_margin,
        customer_value.predicted_clv_decile,
        windows.earlier_window_revenue,
        windows.recent_window_revenue,
        ',' || customer_value.upgrade_reasons || ',' as reason_list
    from customer_value
    left join windows
        on customer_value.customer_id = windows.customer_id
),

advocates as (
    select
        sum(case when reason_list like '%,advocate,%' then 1 else 0 end) as advocates,
        count(*) as customers
    from reasons
),

final as (
    select customer_id as failure
    from reasons
    where
        (
            reason_list like '%,growing_spend,%'
            and not coalesce(earlier_window_revenue > 0 and recent_window_revenue > earlier_window_revenue, false)
        )
        or (reason_list like '%,advocate,%' and not indirect_value > 0)
        or (reason_list like '%,fixable_cost_to_serve,%' and not gross_margin > 0)
        or (reason_list like '%,predicted_top,%' and coalesce(predicted_clv_decile, 0) <> 1)
    union all
    select 'too many advocates' as failure
    from advocates
    where advocates * 10 > customers + 9
)

select * from final
