"""clv_holdout_calibration: are the BG/NBD probabilities of no purchase calibrated? (doc clv_holdout_calibration)

The backtest of int_customers_backtested, the same one clv_holdout_validation reports
(python/clv/holdout.py): each customer's predicted probability of no purchase in the holdout
against whether they made one, by deciles of the prediction, and the Brier score. Empty when
clv_holdout_days = 0.
"""

import clv.holdout as holdout

TYPED_COLUMNS = """
    cast(p_no_purchase_decile as varchar) as p_no_purchase_decile,
    cast(customers as integer) as customers,
    cast(predicted_p_no_purchase as double) as predicted_p_no_purchase,
    cast(actual_share_no_purchase as double) as actual_share_no_purchase,
    cast(brier_score as double) as brier_score,
    cast(calibration_end_date as date) as calibration_end_date,
    cast(holdout_weeks as double) as holdout_weeks,
    cast(fit_status as varchar) as fit_status
"""


def model(dbt, session):
    table = holdout.holdout_calibration(dbt.ref("int_customers_backtested").df())
    return session.from_df(table).select(TYPED_COLUMNS)
