"""Synthetic customers drawn from the BG/NBD and Gamma-Gamma stories, for the CLV tests and
benchmarks/clv_benchmark.py (not part of the runtime package python/clv).

Each customer makes a first purchase at week 0 and is observed for T weeks (a whole number of
days). While active they make repeat purchases as a Poisson process with rate
lambda ~ Gamma(r, alpha); after each repeat purchase they drop out with probability
p ~ Beta(a, b) (FHL 2005 assumptions i-v; the first purchase starts the clock and is not a
dropout opportunity, which is why x = 0 has P(alive) = 1). The mean value of x repeat
transactions is Gamma(p x, nu x) with nu ~ Gamma(q, gamma) (Fader & Hardie 2013).

Purchase times are rounded down to whole days, as in data where purchases are dated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from clv.bgnbd import BgNbdParams
from clv.gamma_gamma import GammaGammaParams

DAYS_PER_WEEK = 7.0


def simulate_customers(
    customers: int,
    purchase_params: BgNbdParams,
    spend_params: GammaGammaParams,
    max_days_observed: int = 730,
    seed: int = 0,
) -> pd.DataFrame:
    """`customers` rows of (x, t_x, T, monetary_value): T uniform over 1..max_days_observed days
    (as if acquired evenly over that period), the rest from the models. monetary_value is NaN for
    x = 0. Deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    days_observed = rng.integers(1, max_days_observed + 1, size=customers)
    T = days_observed / DAYS_PER_WEEK
    rate = rng.gamma(purchase_params.r, 1.0 / purchase_params.alpha, size=customers)
    dropout = rng.beta(purchase_params.a, purchase_params.b, size=customers)

    x = np.zeros(customers, dtype=np.int64)
    last = np.zeros(customers)
    clock = np.zeros(customers)
    active = np.flatnonzero(rate > 0)
    while active.size:
        clock[active] += rng.exponential(1.0, size=active.size) / rate[active]
        bought = clock[active] <= T[active]
        buyers = active[bought]
        x[buyers] += 1
        last[buyers] = clock[buyers]
        stays = rng.random(buyers.size) >= dropout[buyers]
        active = buyers[stays]

    t_x = np.floor(last * DAYS_PER_WEEK + 1e-9) / DAYS_PER_WEEK
    nu = rng.gamma(spend_params.q, 1.0 / spend_params.gamma, size=customers)
    repeat = x > 0
    monetary = np.full(customers, np.nan)
    monetary[repeat] = rng.gamma(spend_params.p * x[repeat], 1.0 / (nu[repeat] * x[repeat]))
    return pd.DataFrame({"x": x, "t_x": t_x, "T": T, "monetary_value": monetary})
