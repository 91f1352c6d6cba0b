"""What the dbt Python models run: fit both models on the customer summary, publish the
parameters, and predict every customer's lifetime value from the published parameters.

Input: the per-customer summary (dbt model int_customers_summarised), one row per
customer in the population, with the columns in SUMMARY_COLUMNS. Customers without a completed
purchase on or before the as-of date have null model inputs and get no prediction.

Nothing here publishes a number that the fit does not support: a model that was not fitted
(too few repeat buyers, no convergence, an unusable estimate) gives a parameters row with its
status and reason and null parameters, and the predictions that depend on it are null, with
prediction_status saying why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clv import bgnbd, gamma_gamma, intervals
from clv.bgnbd import BgNbdParams, fit_bgnbd, probability_purchase_within, weeks_to_next_purchase
from clv.fitting import FITTED, FitResult
from clv.gamma_gamma import GammaGammaParams, conditional_expected_spend, fit_gamma_gamma
from clv.value import DAYS_PER_WEEK, discounted_expected_purchases, predicted_lifetime_value

# The summary columns this module reads (names of int_customers_summarised).
CUSTOMER_ID = "customer_id"
X = "repeat_purchases"
T_X = "weeks_to_last_purchase"
T = "weeks_observed"
MONETARY = "average_repeat_purchase_revenue"
MARGIN_RATE = "gross_margin_rate"
COST_PER_PURCHASE = "cost_to_serve_per_purchase"
SUMMARY_COLUMNS = (CUSTOMER_ID, X, T_X, T, MONETARY, MARGIN_RATE, COST_PER_PURCHASE)

PARAMETER_COLUMNS = bgnbd.PARAMETER_NAMES + gamma_gamma.PARAMETER_NAMES  # r, alpha, a, b, p, q, gamma
STANDARD_ERROR_COLUMNS = tuple(f"se_{name}" for name in PARAMETER_COLUMNS)  # se_r, ..., se_gamma
COVARIANCE = "log_parameter_covariance"
MODEL_PARAMS_COLUMNS = (
    "model_name", "status", "status_reason", "is_converged", *PARAMETER_COLUMNS, *STANDARD_ERROR_COLUMNS,
    COVARIANCE, "log_likelihood", "customers", "repeat_buyers", "iterations", "function_evaluations", "as_of_date",
)

# prediction_status values
PREDICTED = "predicted"
NO_PURCHASE = "no_completed_purchase"
PURCHASE_MODEL_NOT_FITTED = "purchase_model_not_fitted"
SPEND_MODEL_NOT_FITTED = "spend_model_not_fitted"
NOT_COMPUTABLE = "not_computable"

# Horizons of p_order_within_<days>d, in days (weeks = days / 7, as the summary).
ORDER_WITHIN_DAYS = (30, 90, 365)
# expected_next_order_date further out than this (100 years) is published as null, not expected.
MAX_DAYS_TO_NEXT_ORDER = 36_525


@dataclass(frozen=True)
class Settings:
    """The dbt vars the models use (dbt_project.yml, docs/rules.md section 6)."""

    horizon_months: int = 12
    annual_discount_rate: float = 0.10
    min_repeat_buyers: int = 200
    interval_draws: int = intervals.DRAWS

    @property
    def suffix(self) -> str:
        """Horizon suffix of the column names: expected_orders_<horizon>, e.g. `12m`."""
        return f"{int(self.horizon_months)}m"


def _modelled(summary: pd.DataFrame) -> pd.DataFrame:
    """Rows of customers with a completed purchase (the models' customers)."""
    return summary[summary[X].notna()]


# ---------------------------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------------------------


def fit_models(summary: pd.DataFrame, settings: Settings) -> tuple[FitResult, FitResult]:
    """Fit BG/NBD on (x, t_x, T) of every customer with a purchase, and Gamma-Gamma on (x, m) of
    the repeat buyers. Never raises on data: an unexpected numerical failure becomes a
    not_converged result with the error as its reason."""
    data = _modelled(summary)
    x = data[X].to_numpy(dtype=float)
    purchase_fit = _guarded(
        bgnbd.MODEL_NAME,
        lambda: fit_bgnbd(x, data[T_X].to_numpy(dtype=float), data[T].to_numpy(dtype=float),
                          min_repeat_buyers=settings.min_repeat_buyers),
    )
    spend_fit = _guarded(
        gamma_gamma.MODEL_NAME,
        lambda: fit_gamma_gamma(x, data[MONETARY].to_numpy(dtype=float), min_repeat_buyers=settings.min_repeat_buyers),
    )
    return purchase_fit, spend_fit


def _guarded(model_name: str, fit) -> FitResult:
    """Run a fit; turn an exception into a FitResult that says what went wrong."""
    try:
        return fit()
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
        return FitResult(model_name=model_name, status="not_converged", message=f"fit failed: {error}")


def model_params_frame(
    fits: tuple[FitResult, FitResult], summary: pd.DataFrame, as_of_date
) -> pd.DataFrame:
    """One row per model (clv_model_params): status, reason, parameters (null unless fitted),
    log-likelihood, customers in the fit, repeat buyers in the data, iterations, as-of date."""
    data = _modelled(summary)
    repeat_buyers = int((data[X] > 0).sum())
    rows = []
    for fit in fits:
        params = fit.params or {}
        rows.append(
            {
                "model_name": fit.model_name,
                "status": fit.status,
                "status_reason": fit.message,
                "is_converged": fit.converged,
                **{name: params.get(name) for name in PARAMETER_COLUMNS},
                **{f"se_{name}": (fit.standard_errors or {}).get(name) for name in PARAMETER_COLUMNS},
                COVARIANCE: (
                    None if fit.log_covariance is None else json.dumps([list(row) for row in fit.log_covariance])
                ),
                "log_likelihood": fit.log_likelihood,
                "customers": fit.customers,
                "repeat_buyers": repeat_buyers,
                "iterations": fit.iterations,
                "function_evaluations": fit.function_evaluations,
                "as_of_date": as_of_date,
            }
        )
    frame = pd.DataFrame(rows, columns=list(MODEL_PARAMS_COLUMNS))
    for name in PARAMETER_COLUMNS + STANDARD_ERROR_COLUMNS + ("log_likelihood",):
        frame[name] = frame[name].astype(float)
    return frame


def params_from_frame(params: pd.DataFrame) -> tuple[BgNbdParams | None, GammaGammaParams | None]:
    """The published parameters back from clv_model_params (None for a model not fitted)."""
    found = {}
    for row in params.to_dict("records"):
        if row["status"] != FITTED:
            continue
        if row["model_name"] == bgnbd.MODEL_NAME:
            found[bgnbd.MODEL_NAME] = BgNbdParams(*(float(row[name]) for name in bgnbd.PARAMETER_NAMES))
        elif row["model_name"] == gamma_gamma.MODEL_NAME:
            found[gamma_gamma.MODEL_NAME] = GammaGammaParams(
                *(float(row[name]) for name in gamma_gamma.PARAMETER_NAMES)
            )
    return found.get(bgnbd.MODEL_NAME), found.get(gamma_gamma.MODEL_NAME)


def covariances_from_frame(params: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The published log-parameter covariance matrices (BG/NBD, Gamma-Gamma) back from
    clv_model_params; None for a model not fitted or without one."""
    found = {}
    for row in params.to_dict("records"):
        text = row.get(COVARIANCE)
        if row["status"] == FITTED and isinstance(text, str):
            found[row["model_name"]] = np.array(json.loads(text), dtype=float)
    return found.get(bgnbd.MODEL_NAME), found.get(gamma_gamma.MODEL_NAME)


# ---------------------------------------------------------------------------------------------
# Predict
# ---------------------------------------------------------------------------------------------


def predict_customers(
    summary: pd.DataFrame,
    purchase_params: BgNbdParams | None,
    spend_params: GammaGammaParams | None,
    settings: Settings,
    covariances: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> pd.DataFrame:
    """One row per summary row (customer_lifetime_value before typing):

    p_alive, churn_probability (1 - p_alive), p_order_within_<30|90|365>d, days_to_next_order
    (whole days until a next purchase is as likely as not, NaN when it never is),
    expected_orders_<h>, discounted_expected_orders_<h> (needs BG/NBD),
    expected_spend_per_order, expected_revenue_<h>, expected_margin_per_order, predicted_clv
    (also need Gamma-Gamma), predicted_clv_low and predicted_clv_high (the 5th and 95th
    percentiles over parameter draws, `clv.intervals`; also need both covariance matrices,
    `covariances` as from covariances_from_frame, else NaN), prediction_status (not_computable,
    with every prediction null, when a value came out non-finite). "Orders" are purchase days, the model's
    transaction (same-day orders are one purchase). The decile of predicted_clv is left to SQL
    (the dbt model's ntile), where it is ranked on the published, rounded value.
    """
    h = settings.suffix
    n = len(summary)
    out = pd.DataFrame({CUSTOMER_ID: summary[CUSTOMER_ID].to_numpy()})
    columns = {
        "p_alive": np.full(n, np.nan),
        "churn_probability": np.full(n, np.nan),
        **{f"p_order_within_{days}d": np.full(n, np.nan) for days in ORDER_WITHIN_DAYS},
        "days_to_next_order": np.full(n, np.nan),
        f"expected_orders_{h}": np.full(n, np.nan),
        f"discounted_expected_orders_{h}": np.full(n, np.nan),
        "expected_spend_per_order": np.full(n, np.nan),
        f"expected_revenue_{h}": np.full(n, np.nan),
        "expected_margin_per_order": np.full(n, np.nan),
        "predicted_clv": np.full(n, np.nan),
        "predicted_clv_low": np.full(n, np.nan),
        "predicted_clv_high": np.full(n, np.nan),
    }
    has_purchase = summary[X].notna().to_numpy()
    status = np.where(has_purchase, PREDICTED, NO_PURCHASE).astype(object)

    if purchase_params is None:
        status[has_purchase] = PURCHASE_MODEL_NOT_FITTED
    elif has_purchase.any():
        rows = summary[has_purchase]
        x = rows[X].to_numpy(dtype=float)
        alive, expected, discounted = discounted_expected_purchases(
            purchase_params, x, rows[T_X].to_numpy(dtype=float), rows[T].to_numpy(dtype=float),
            settings.horizon_months, settings.annual_discount_rate,
        )
        columns["p_alive"][has_purchase] = alive
        columns["churn_probability"][has_purchase] = 1.0 - alive
        recency, observed = rows[T_X].to_numpy(dtype=float), rows[T].to_numpy(dtype=float)
        for days in ORDER_WITHIN_DAYS:
            columns[f"p_order_within_{days}d"][has_purchase] = probability_purchase_within(
                purchase_params, days / DAYS_PER_WEEK, x, recency, observed)
        # the first whole day by which a next purchase is at least as likely as not
        days_to_next = np.ceil(weeks_to_next_purchase(purchase_params, x, recency, observed) * DAYS_PER_WEEK)
        columns["days_to_next_order"][has_purchase] = np.where(days_to_next <= MAX_DAYS_TO_NEXT_ORDER, days_to_next,
                                                               np.nan)
        columns[f"expected_orders_{h}"][has_purchase] = expected
        columns[f"discounted_expected_orders_{h}"][has_purchase] = discounted
        if spend_params is None:
            status[has_purchase] = SPEND_MODEL_NOT_FITTED
        else:
            spend = conditional_expected_spend(spend_params, x, rows[MONETARY].to_numpy(dtype=float))
            margin = (
                spend * rows[MARGIN_RATE].to_numpy(dtype=float) - rows[COST_PER_PURCHASE].to_numpy(dtype=float)
            )
            columns["expected_spend_per_order"][has_purchase] = spend
            columns[f"expected_revenue_{h}"][has_purchase] = expected * spend
            columns["expected_margin_per_order"][has_purchase] = margin
            columns["predicted_clv"][has_purchase] = predicted_lifetime_value(
                discounted, spend, rows[MARGIN_RATE].to_numpy(dtype=float),
                rows[COST_PER_PURCHASE].to_numpy(dtype=float),
            )
            if covariances[0] is not None and covariances[1] is not None:
                low, high = intervals.clv_interval(
                    purchase_params, covariances[0], spend_params, covariances[1],
                    x, recency, observed, rows[MONETARY].to_numpy(dtype=float), rows[MARGIN_RATE].to_numpy(dtype=float),
                    rows[COST_PER_PURCHASE].to_numpy(dtype=float), settings.horizon_months,
                    settings.annual_discount_rate, draws=settings.interval_draws,
                )
                columns["predicted_clv_low"][has_purchase] = low
                columns["predicted_clv_high"][has_purchase] = high

    # a value the numerics could not deliver (e.g. a series that did not converge) is not
    # published as a number: the row's whole prediction is withdrawn and says so
    purchase_outputs = ("p_alive", "churn_probability", *(f"p_order_within_{days}d" for days in ORDER_WITHIN_DAYS),
                        f"expected_orders_{h}", f"discounted_expected_orders_{h}")
    spend_outputs = ("expected_spend_per_order", f"expected_revenue_{h}", "expected_margin_per_order", "predicted_clv")
    expected_outputs = {PREDICTED: purchase_outputs + spend_outputs, SPEND_MODEL_NOT_FITTED: purchase_outputs}
    failed = np.zeros(n, dtype=bool)
    for state, names in expected_outputs.items():
        for name in names:
            failed |= (status == state) & ~np.isfinite(columns[name])
    for values in columns.values():
        values[failed] = np.nan
    status[failed] = NOT_COMPUTABLE
    for name, values in columns.items():
        out[name] = values
    out["prediction_status"] = status
    return out


def next_order_dates(as_of_date, days_to_next_order) -> pd.Series:
    """expected_next_order_date: the as-of date plus days_to_next_order (a date, no time of day);
    NaT where the days are NaN (a next purchase is never as likely as not)."""
    days = pd.Series(np.asarray(days_to_next_order, dtype=float))
    start = pd.Timestamp(as_of_date).normalize()
    return (start + pd.to_timedelta(days, unit="D")).dt.date.astype(object).where(days.notna(), None)
