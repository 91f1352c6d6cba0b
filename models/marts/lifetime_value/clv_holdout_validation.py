"""clv_holdout_validation: the lifetime-value predictions checked against a holdout (docs/rules.md, section 11).

With var clv_holdout_days > 0, BG/NBD is fitted again on the purchase days (int_customers_purchased_by_day)
up to the as-of date minus clv_holdout_days and its conditional expectations are compared with
the purchase days each customer made in the holdout, by calibration repeat purchases (python/clv/
holdout.py). clv_model_params and customer_lifetime_value stay fitted on the whole history. With
clv_holdout_days = 0 (the default) the table is empty.
"""

import clv.holdout as holdout

TYPED_COLUMNS = """
    cast(calibration_repeat_purchases as varchar) as calibration_repeat_purchases,
    cast(customers as integer) as customers,
    cast(actual_holdout_purchases as double) as actual_holdout_purchases,
    cast(predicted_holdout_purchases as double) as predicted_holdout_purchases,
    cast(mean_absolute_error as double) as mean_absolute_error,
    cast(calibration_end_date as date) as calibration_end_date,
    cast(holdout_weeks as double) as holdout_weeks,
    cast(fit_status as varchar) as fit_status
"""


def model(dbt, session):
    purchase_days = dbt.ref("int_customers_purchased_by_day").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    table = holdout.holdout_validation(
        purchase_days, as_of_date, int(dbt.config.get("clv_holdout_days")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    return session.from_df(table).select(TYPED_COLUMNS)
