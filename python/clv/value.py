"""Predicted lifetime value: expected margin after cost to serve over a horizon, discounted monthly.

For a customer with BG/NBD summary (x, t_x, T), a horizon of H months and an annual discount
rate d:

    t_m = m * (365.25 / 12) / 7 weeks                        month ends, m = 0..H (t_0 = 0)
    orders_m = E[Y(t_m) | x, t_x, T] - E[Y(t_{m-1}) | x, t_x, T]   expected purchases in month m
    margin per purchase = E(M | x, m) * gross margin rate - cost to serve per purchase
    predicted CLV = sum_{m=1..H} orders_m * margin per purchase / (1 + d)^(m / 12)

* Months are average calendar months (30.4375 days), in the weeks the summary is measured in.
* Each month's purchases are discounted to the as-of date from the end of that month, at the
  monthly rate equivalent to the annual one ((1 + d)^(1/12) - 1, so twelve months discount by
  exactly 1 + d).
* E(M | x, m) is the Gamma-Gamma conditional expected spend; the gross margin rate and the cost
  to serve per purchase are the customer's own history (see the dbt docs of
  customer_lifetime_value), assumed to hold over the horizon.

Because the margin per purchase does not depend on the month, the CLV is the margin per purchase
times the discounted expected purchases sum_m orders_m / (1 + d)^(m/12): the per-month work is
done once per distinct (x, T) (the part of E[Y] that is not P(alive) depends on nothing else),
not per customer.
"""

from __future__ import annotations

import numpy as np

from clv.bgnbd import BgNbdParams, expected_purchases_if_alive, probability_alive
from clv.data import compress_rows

DAYS_PER_MONTH = 365.25 / 12.0
DAYS_PER_WEEK = 7.0


def month_horizons_weeks(horizon_months: int) -> np.ndarray:
    """t_0 .. t_H: the ends of the next H average calendar months, in weeks (t_0 = 0)."""
    if horizon_months < 1 or int(horizon_months) != horizon_months:
        raise ValueError("horizon_months must be a whole number >= 1")
    return np.arange(int(horizon_months) + 1) * DAYS_PER_MONTH / DAYS_PER_WEEK


def monthly_discount_factors(horizon_months: int, annual_discount_rate: float) -> np.ndarray:
    """1 / (1 + d)^(m / 12) for m = 1..H: end-of-month discounting at the annual rate d."""
    if annual_discount_rate <= -1.0:
        raise ValueError("annual_discount_rate must be > -1")
    months = np.arange(1, int(horizon_months) + 1)
    return (1.0 + annual_discount_rate) ** (-months / 12.0)


def discounted_expected_purchases(
    params: BgNbdParams, x, t_x, T, horizon_months: int, annual_discount_rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: (P(alive), expected purchases over the horizon, discounted expected purchases).

    expected purchases = E[Y(t_H) | x, t_x, T] (FHL eq. 10); discounted = sum over months of the
    month's expected purchases times its discount factor (module docstring). E[Y(t)] is
    P(alive | x, t_x, T) times E[Y(t) | alive, x, T]; the second factor is evaluated for each
    month end on distinct (x, T) only, P(alive) on distinct (x, t_x, T).
    """
    x, t_x, T = (np.asarray(value, dtype=float) for value in (x, t_x, T))
    pairs = compress_rows(x, T)
    pair_total, pair_discounted = purchases_if_alive(params, *pairs.columns, horizon_months, annual_discount_rate)

    triples = compress_rows(x, t_x, T)
    alive_rows = probability_alive(params, *triples.columns)
    alive = alive_rows[triples.inverse]
    return alive, alive * pair_total[pairs.inverse], alive * pair_discounted[pairs.inverse]


def purchases_if_alive(
    params: BgNbdParams, x: np.ndarray, T: np.ndarray, horizon_months: int, annual_discount_rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """For rows of (x, T) (distinct ones: each is evaluated): expected purchases over the horizon
    if the customer is alive at T, and the same discounted month by month (module docstring)."""
    weeks = month_horizons_weeks(horizon_months)[1:]
    discounts = monthly_discount_factors(horizon_months, annual_discount_rate)
    # cumulative expected purchases if alive, one column per month end: shape (rows, H)
    cumulative = expected_purchases_if_alive(
        params, weeks[None, :], np.asarray(x, dtype=float)[:, None], np.asarray(T, dtype=float)[:, None],
        compress=False,
    )
    per_month = np.diff(cumulative, axis=1, prepend=0.0)
    return cumulative[:, -1], np.einsum("ij,j->i", per_month, discounts)  # not BLAS: see fitting.weighted_sum


def predicted_lifetime_value(
    discounted_purchases, expected_spend, gross_margin_rate, cost_to_serve_per_purchase
) -> np.ndarray:
    """Predicted CLV = discounted expected purchases x (expected spend x gross margin rate - cost
    to serve per purchase) (module docstring), elementwise."""
    discounted_purchases, expected_spend, gross_margin_rate, cost_to_serve_per_purchase = (
        np.asarray(value, dtype=float)
        for value in (discounted_purchases, expected_spend, gross_margin_rate, cost_to_serve_per_purchase)
    )
    return discounted_purchases * (expected_spend * gross_margin_rate - cost_to_serve_per_purchase)
