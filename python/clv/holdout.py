"""Checking the BG/NBD predictions against what happened next (docs/rules.md, section 11).

The model is fitted again on the purchases up to the calibration end (the as-of date minus the
holdout days), for the customers whose first purchase is on or before it, and each customer's
conditional expectation of purchases over the holdout (FHL 2005 eq. 10, t = holdout days / 7
weeks) is set against the purchase days they really made in (calibration end, as-of date].
Customers are grouped by their calibration repeat purchases x (`0` ... `6`, `7+`), as in Fader,
Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Figure 5; a last row `all` has
every customer. Per group: customers, the mean actual and mean predicted holdout purchases, and
the mean absolute error per customer.

The calibration of the probabilities (clv_holdout_calibration): the same customers and fit,
the predicted probability of no purchase during the holdout against what happened, by deciles
of the prediction, with the Brier score (`calibration_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clv import bgnbd
from clv.bgnbd import BgNbdParams, conditional_expected_purchases, fit_bgnbd, probability_purchase_within
from clv.data import DAYS_PER_WEEK, summarise_purchases
from clv.fitting import FITTED, FitResult

TOP_GROUP = 7  # x >= 7 is one group, `7+`
ALL = "all"
COLUMNS = (
    "calibration_repeat_purchases", "customers", "actual_holdout_purchases", "predicted_holdout_purchases",
    "mean_absolute_error", "calibration_end_date", "holdout_weeks", "fit_status",
)


def group_label(x: np.ndarray) -> np.ndarray:
    """`0` ... `6` for x below TOP_GROUP, `7+` above."""
    x = np.asarray(x, dtype=int)
    return np.where(x >= TOP_GROUP, f"{TOP_GROUP}+", x.astype(str)).astype(object)


def customer_holdout(
    purchase_days: pd.DataFrame, as_of_date, holdout_days: int, min_repeat_buyers: int = 1
) -> tuple[pd.DataFrame, FitResult]:
    """Per customer with a first purchase on or before the calibration end: x, t_x, T, actual and
    predicted holdout purchases; and the calibration fit.

    purchase_days: one row per customer and purchase day (customer_id, purchase_date,
    purchase_revenue), as int_customers_purchased_by_day.
    """
    as_of = np.datetime64(pd.Timestamp(as_of_date).date(), "D")
    calibration_end = as_of - np.timedelta64(int(holdout_days), "D")
    dates = purchase_days["purchase_date"].to_numpy(dtype="datetime64[D]")
    summary = summarise_purchases(
        purchase_days["customer_id"].to_numpy(), dates, purchase_days["purchase_revenue"].to_numpy(dtype=float),
        calibration_end,
    )
    in_holdout = (dates > calibration_end) & (dates <= as_of)
    actual = purchase_days.loc[in_holdout].groupby("customer_id").size()
    summary["actual"] = actual.reindex(summary["customer_id"]).fillna(0).to_numpy(dtype=float)
    x, t_x, T = (summary[name].to_numpy(dtype=float) for name in ("x", "t_x", "T"))
    fit = fit_bgnbd(x, t_x, T, min_repeat_buyers=min_repeat_buyers)
    if fit.status == FITTED:
        params = BgNbdParams(*(float(fit.params[name]) for name in bgnbd.PARAMETER_NAMES))
        summary["predicted"] = conditional_expected_purchases(params, holdout_days / DAYS_PER_WEEK, x, t_x, T)
        summary["p_no_purchase"] = 1.0 - probability_purchase_within(params, holdout_days / DAYS_PER_WEEK, x, t_x, T)
    else:
        summary["predicted"] = np.nan
        summary["p_no_purchase"] = np.nan
    return summary, fit


def holdout_table(customers: pd.DataFrame, calibration_end, holdout_days: int, fit_status: str) -> pd.DataFrame:
    """The validation table (module docstring) from customer_holdout's per-customer frame:
    the groups present, in order of x, then `all`."""
    frame = customers.assign(
        group=group_label(customers["x"]),
        error=(customers["actual"] - customers["predicted"]).abs(),
        order=np.minimum(customers["x"].to_numpy(dtype=int), TOP_GROUP),
    )
    rows = []
    for label, group in [*frame.sort_values("order").groupby("order", sort=True), (ALL, frame)]:
        rows.append(
            {
                "calibration_repeat_purchases": ALL if label == ALL else group["group"].iloc[0],
                "customers": len(group),
                "actual_holdout_purchases": group["actual"].mean(),
                "predicted_holdout_purchases": group["predicted"].mean(),
                "mean_absolute_error": group["error"].mean(),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS[:5]))
    table["calibration_end_date"] = pd.Timestamp(calibration_end)
    table["holdout_weeks"] = holdout_days / DAYS_PER_WEEK
    table["fit_status"] = fit_status
    return table


def holdout_validation(backtested: pd.DataFrame) -> pd.DataFrame:
    """The clv_holdout_validation table from int_customers_backtested; empty (with its columns)
    when that is empty (clv_holdout_days is 0, or no customer before the calibration end)."""
    if backtested.empty:
        return empty_table()
    customers, calibration_end, holdout_days, fit_status = from_backtest(backtested)
    return holdout_table(customers, calibration_end, holdout_days, fit_status)


CALIBRATION_COLUMNS = (
    "p_no_purchase_decile", "customers", "predicted_p_no_purchase", "actual_share_no_purchase", "brier_score",
    "calibration_end_date", "holdout_weeks", "fit_status",
)
DECILES = 10


def calibration_table(customers: pd.DataFrame, calibration_end, holdout_days: int, fit_status: str) -> pd.DataFrame:
    """clv_holdout_calibration from customer_holdout's per-customer frame: ten groups of equal
    size (as SQL ntile: the first n mod 10 groups have one customer more) by predicted probability
    of no purchase in the holdout, ascending, ties by customer_id; then `all`. Per row: customers,
    mean predicted probability, actual share without a holdout purchase, Brier score (mean squared
    difference). No groups, only `all` with null predictions, when the calibration fit failed."""
    frame = customers.assign(outcome=(customers["actual"] == 0).astype(float))
    frame = frame.sort_values(["p_no_purchase", "customer_id"], kind="mergesort")
    rows = []
    groups = [] if frame["p_no_purchase"].isna().any() else [
        (str(number), part) for number, part in enumerate(np.array_split(np.arange(len(frame)), DECILES), start=1)
        if len(part)
    ]
    for label, positions in [*groups, (ALL, np.arange(len(frame)))]:
        group = frame.iloc[positions]
        predicted = group["p_no_purchase"].to_numpy(dtype=float)
        outcome = group["outcome"].to_numpy(dtype=float)
        rows.append({
            "p_no_purchase_decile": label,
            "customers": len(group),
            "predicted_p_no_purchase": float(np.mean(predicted)),
            "actual_share_no_purchase": float(np.mean(outcome)),
            "brier_score": float(np.mean((predicted - outcome) ** 2)),
        })
    table = pd.DataFrame(rows, columns=list(CALIBRATION_COLUMNS[:5]))
    table["calibration_end_date"] = pd.Timestamp(calibration_end)
    table["holdout_weeks"] = holdout_days / DAYS_PER_WEEK
    table["fit_status"] = fit_status
    return table


def holdout_calibration(backtested: pd.DataFrame) -> pd.DataFrame:
    """The clv_holdout_calibration table from int_customers_backtested; empty (with its columns)
    when that is empty."""
    if backtested.empty:
        return empty_table(CALIBRATION_COLUMNS)
    customers, calibration_end, holdout_days, fit_status = from_backtest(backtested)
    return calibration_table(customers, calibration_end, holdout_days, fit_status)


# int_customers_backtested's columns and the names of customer_holdout's frame they hold.
BACKTEST_COLUMNS = {
    "customer_id": "customer_id",
    "calibration_repeat_purchases": "x",
    "weeks_to_last_purchase": "t_x",
    "weeks_observed": "T",
    "actual_holdout_purchases": "actual",
    "predicted_holdout_purchases": "predicted",
    "p_no_purchase": "p_no_purchase",
}


def backtest(purchase_days: pd.DataFrame, as_of_date, holdout_days: int, min_repeat_buyers: int = 1) -> pd.DataFrame:
    """int_customers_backtested: customer_holdout's customers and fit under the published column
    names, with the calibration end, the holdout in weeks and the fit's status on every row;
    empty (with its columns) when holdout_days is 0 or no customer bought before the calibration end."""
    columns = [*BACKTEST_COLUMNS, "calibration_end_date", "holdout_weeks", "fit_status"]
    if int(holdout_days) <= 0:
        return pd.DataFrame(columns=columns)
    customers, fit = customer_holdout(purchase_days, as_of_date, holdout_days, min_repeat_buyers)
    if customers.empty:
        return pd.DataFrame(columns=columns)
    frame = customers[list(BACKTEST_COLUMNS.values())].set_axis(list(BACKTEST_COLUMNS), axis=1)
    frame["calibration_end_date"] = pd.Timestamp(as_of_date) - pd.Timedelta(days=int(holdout_days))
    frame["holdout_weeks"] = int(holdout_days) / DAYS_PER_WEEK
    frame["fit_status"] = fit.status
    return frame


def from_backtest(backtested: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp, int, str]:
    """customer_holdout's frame again from int_customers_backtested, with the calibration end,
    the holdout days and the fit's status."""
    first = backtested.iloc[0]
    customers = backtested[list(BACKTEST_COLUMNS)].set_axis(list(BACKTEST_COLUMNS.values()), axis=1)
    holdout_days = int(round(float(first["holdout_weeks"]) * DAYS_PER_WEEK))
    return customers, pd.Timestamp(first["calibration_end_date"]), holdout_days, str(first["fit_status"])


def empty_table(columns: tuple[str, ...] = COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    for name in ("customers", "actual_holdout_purchases", "predicted_holdout_purchases", "mean_absolute_error",
                 "holdout_weeks", "predicted_p_no_purchase", "actual_share_no_purchase", "brier_score"):
        if name in frame:
            frame[name] = frame[name].astype(float)
    frame["calibration_end_date"] = pd.Series(dtype="datetime64[ns]")
    return frame
