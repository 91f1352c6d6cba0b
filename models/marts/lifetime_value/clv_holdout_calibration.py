"""clv_holdout_calibration: are the BG/NBD probabilities of no purchase calibrated? (doc clv_holdout_calibration)

With var clv_holdout_days > 0, the same calibration fit as clv_holdout_validation (python/clv/
holdout.py): each customer's predicted probability of no purchase in the holdout against whether
they made one, by deciles of the prediction, and the Brier score. Empty when clv_holdout_days = 0.
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
    purchase_days = dbt.ref("int_customers_purchased_by_day").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    table = holdout.holdout_calibration(
        purchase_days, as_of_date, int(dbt.config.get("clv_holdout_days")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    return session.from_df(table).select(TYPED_COLUMNS)
