"""clv_holdout_validation: the lifetime-value predictions checked against a holdout (docs/rules.md, section 11).

The backtest of int_customers_backtested (BG/NBD fitted again up to the as-of date minus var
clv_holdout_days) by calibration repeat purchases: each group's predicted against actual holdout
purchases (python/clv/holdout.py). clv_model_params and customer_lifetime_value stay fitted on
the whole history. With clv_holdout_days = 0 (the default) the table is empty.
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
    table = holdout.holdout_validation(dbt.ref("int_customers_backtested").df())
    return session.from_df(table).select(TYPED_COLUMNS)
