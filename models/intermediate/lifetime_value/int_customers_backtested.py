"""int_customers_backtested: the holdout backtest of BG/NBD, fitted once (docs/rules.md, section 11).

With var clv_holdout_days > 0, BG/NBD is fitted again on the purchase days (int_customers_purchased_by_day)
up to the as-of date minus clv_holdout_days, and each customer's predicted purchases and probability
of no purchase over the holdout are set beside the purchase days they made in it (python/clv/
holdout.py). The marts clv_holdout_validation and clv_holdout_calibration summarise it. Empty with
clv_holdout_days = 0 (the default).
"""

import clv.holdout as holdout

TYPED_COLUMNS = """
    cast(customer_id as varchar) as customer_id,
    cast(calibration_repeat_purchases as integer) as calibration_repeat_purchases,
    cast(weeks_to_last_purchase as double) as weeks_to_last_purchase,
    cast(weeks_observed as double) as weeks_observed,
    cast(actual_holdout_purchases as double) as actual_holdout_purchases,
    cast(predicted_holdout_purchases as double) as predicted_holdout_purchases,
    cast(p_no_purchase as double) as p_no_purchase,
    cast(calibration_end_date as date) as calibration_end_date,
    cast(holdout_weeks as double) as holdout_weeks,
    cast(fit_status as varchar) as fit_status
"""


def model(dbt, session):
    purchase_days = dbt.ref("int_customers_purchased_by_day").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    table = holdout.backtest(
        purchase_days, as_of_date, int(dbt.config.get("clv_holdout_days")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    return session.from_df(table).select(TYPED_COLUMNS)
