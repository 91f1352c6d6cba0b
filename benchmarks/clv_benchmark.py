"""Lifetime-value fit and prediction: this project's `clv` package against the `lifetimes` package.

    .venv/bin/python benchmarks/clv_benchmark.py                 # 1,000,000 customers
    .venv/bin/python benchmarks/clv_benchmark.py --customers 100000 --repeats 5

1. Draws synthetic customers from the BG/NBD and Gamma-Gamma processes (tests/python/clv_samples.py, fixed
   seed, CDNOW-like parameters) and saves them to benchmarks/data/clv_customers_<n>.csv; both
   sides read that file, so they fit exactly the same data.
2. Times this project's code in this process: BG/NBD fit, per-customer prediction (P(alive) and
   expected purchases in the next 52 weeks), Gamma-Gamma fit and expected spend, and the
   project's full CLV prediction (12 monthly steps, discounted); then the fields of issue #22
   (churn probability, P(order within 30/90/365 days), weeks to the next order) and the CLV
   interval from 1,000 parameter draws. The fits include the standard errors (Hessian). Prints
   whether the two performance targets of issue #22 are met (`target_checks`).
3. Times `lifetimes` on the same file with the same outputs, in its own environment
   (benchmarks/.venv-lifetimes, created on first use with the same numpy/scipy/pandas as the
   project; `lifetimes` is not a project dependency), and checks that the two agree.

Times are wall-clock seconds, the best of --repeats runs (the machine may be shared; the best
run is the least disturbed one). Reading the CSV is not timed; both sides read it with
float_precision="round_trip", so that they get the numbers written (%.17g) to the last bit, as
the dbt models get them from DuckDB (pandas' default parser is off by one unit in the last place
for a fifth of the T values, which are then no longer the whole days / 7 they are).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "tests" / "python"))  # clv_samples: the synthetic customers

from clv import intervals  # noqa: E402
from clv.bgnbd import (  # noqa: E402
    BgNbdParams,
    conditional_expected_purchases,
    fit_bgnbd,
    probability_alive,
    probability_purchase_within,
    weeks_to_next_purchase,
)
from clv.gamma_gamma import GammaGammaParams, conditional_expected_spend, fit_gamma_gamma  # noqa: E402
from clv.value import discounted_expected_purchases  # noqa: E402
from clv_samples import simulate_customers  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
LIFETIMES_ENV = ROOT / "benchmarks" / ".venv-lifetimes"
# Same numerical stack as the project (pyproject.toml), so the comparison is of the algorithms.
LIFETIMES_REQUIREMENTS = ["lifetimes==0.11.3", "numpy==2.3.5", "scipy==1.16.3", "pandas==2.3.3"]
SEED = 20261123
TRUE_PURCHASE = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
TRUE_SPEND = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
HORIZON_WEEKS = 52.0

LIFETIMES_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np, pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    path, out, repeats, horizon = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    data = pd.read_csv(path, float_precision="round_trip")
    x, t_x, T = data["x"], data["t_x"], data["T"]
    repeat = data[data["x"] > 0]
    times = {"bg_nbd_fit": [], "bg_nbd_predict": [], "gamma_gamma_fit": [], "gamma_gamma_predict": []}
    for _ in range(repeats):
        start = time.perf_counter()
        bg = BetaGeoFitter(penalizer_coef=0.0).fit(x, t_x, T)
        times["bg_nbd_fit"].append(time.perf_counter() - start)
        start = time.perf_counter()
        alive = bg.conditional_probability_alive(x, t_x, T)
        expected = bg.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T)
        times["bg_nbd_predict"].append(time.perf_counter() - start)
        start = time.perf_counter()
        gg = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["x"], repeat["monetary_value"])
        times["gamma_gamma_fit"].append(time.perf_counter() - start)
        start = time.perf_counter()
        spend = gg.conditional_expected_average_profit(repeat["x"], repeat["monetary_value"])
        times["gamma_gamma_predict"].append(time.perf_counter() - start)
    np.save(out + ".alive.npy", np.asarray(alive, dtype=float))
    np.save(out + ".expected.npy", np.asarray(expected, dtype=float))
    json.dump({"times": times, "bg_nbd": {k: float(v) for k, v in bg.params_.items()},
               "gamma_gamma": {k: float(v) for k, v in gg.params_.items()}}, open(out, "w"))
    """
)


def synthetic_customers(customers: int) -> Path:
    """The benchmark's customers as CSV (x, t_x, T, monetary_value), created once per size."""
    path = DATA / f"clv_customers_{customers}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        frame = simulate_customers(customers, TRUE_PURCHASE, TRUE_SPEND, seed=SEED)
        frame.to_csv(path, index=False, float_format="%.17g")
    return path


def ensure_lifetimes_env() -> Path:
    """benchmarks/.venv-lifetimes with `lifetimes` (created with this interpreter on first use)."""
    python = LIFETIMES_ENV / "bin" / "python"
    check = [str(python), "-c", "import lifetimes"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"Creating {LIFETIMES_ENV.relative_to(ROOT)} with {' '.join(LIFETIMES_REQUIREMENTS)} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(LIFETIMES_ENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *LIFETIMES_REQUIREMENTS], check=True)
    return python


def time_ours(data: pd.DataFrame, repeats: int) -> dict:
    """Best-of-`repeats` times of the project's code, its estimates and predictions."""
    x, t_x, T = data["x"].to_numpy(float), data["t_x"].to_numpy(), data["T"].to_numpy()
    m = data["monetary_value"].to_numpy()
    repeat = data["x"].to_numpy() > 0
    x_repeat, m_repeat = x[repeat], m[repeat]  # as lifetimes gets them: filtered before timing
    times: dict[str, list[float]] = {
        "bg_nbd_fit": [], "bg_nbd_predict": [], "gamma_gamma_fit": [], "gamma_gamma_predict": [], "clv_12_months": [],
        "next_order": [], "clv_interval": [],
    }
    for _ in range(repeats):
        start = time.perf_counter()
        purchase_fit = fit_bgnbd(x, t_x, T)
        times["bg_nbd_fit"].append(time.perf_counter() - start)
        params = BgNbdParams.from_fit(purchase_fit)
        start = time.perf_counter()
        alive = probability_alive(params, x, t_x, T)
        expected = conditional_expected_purchases(params, HORIZON_WEEKS, x, t_x, T)
        times["bg_nbd_predict"].append(time.perf_counter() - start)
        start = time.perf_counter()
        spend_fit = fit_gamma_gamma(x_repeat, m_repeat)
        times["gamma_gamma_fit"].append(time.perf_counter() - start)
        spend_params = GammaGammaParams.from_fit(spend_fit)
        start = time.perf_counter()
        conditional_expected_spend(spend_params, x_repeat, m_repeat)
        times["gamma_gamma_predict"].append(time.perf_counter() - start)
        start = time.perf_counter()
        _, _, discounted = discounted_expected_purchases(params, x, t_x, T, 12, 0.10)
        spend_all = conditional_expected_spend(spend_params, x, m)
        discounted * spend_all  # the CLV before margin rates and cost to serve, which are per-customer data
        times["clv_12_months"].append(time.perf_counter() - start)
        start = time.perf_counter()
        1.0 - probability_alive(params, x, t_x, T)  # churn probability
        for days in (30, 90, 365):
            probability_purchase_within(params, days / 7.0, x, t_x, T)
        weeks_to_next_purchase(params, x, t_x, T)
        times["next_order"].append(time.perf_counter() - start)
        start = time.perf_counter()
        # margin rate 1 and no cost to serve, as the CLV step above
        intervals.clv_interval(params, np.array(purchase_fit.log_covariance), spend_params,
                               np.array(spend_fit.log_covariance), x, t_x, T, m, np.ones_like(x), np.zeros_like(x),
                               12, 0.10)
        times["clv_interval"].append(time.perf_counter() - start)
    return {
        "times": times,
        "bg_nbd": purchase_fit.params,
        "gamma_gamma": spend_fit.params,
        "iterations": {"bg_nbd": purchase_fit.iterations, "gamma_gamma": spend_fit.iterations},
        "standard_errors_bg": purchase_fit.standard_errors,
        "standard_errors_gg": spend_fit.standard_errors,
        "alive": alive,
        "expected": expected,
    }


def time_lifetimes(path: Path, repeats: int) -> dict:
    """The same steps with `lifetimes`, in its own environment."""
    python = ensure_lifetimes_env()
    out = DATA / f"{path.stem}.lifetimes.json"
    subprocess.run(
        [str(python), "-c", LIFETIMES_SCRIPT, str(path), str(out), str(repeats), str(HORIZON_WEEKS)], check=True
    )
    result = json.loads(out.read_text())
    result["alive"] = np.load(f"{out}.alive.npy")
    result["expected"] = np.load(f"{out}.expected.npy")
    return result


def report(customers: int, data: pd.DataFrame, ours: dict, theirs: dict | None) -> str:
    """The side-by-side table."""
    best = lambda values: min(values) if values else float("nan")  # noqa: E731
    lines = [
        f"{customers:,} synthetic customers ({int((data['x'] > 0).sum()):,} repeat buyers), "
        f"seed {SEED}; best of runs, seconds",
        "",
        f"{'step':<44}{'clv (this project)':>20}{'lifetimes 0.11.3':>20}{'speed-up':>10}",
    ]
    steps = [
        ("bg_nbd_fit", "BG/NBD fit"),
        ("bg_nbd_predict", "BG/NBD predict (P(alive), E[Y(52 weeks)])"),
        ("gamma_gamma_fit", "Gamma-Gamma fit"),
        ("gamma_gamma_predict", "Gamma-Gamma predict (expected spend)"),
    ]
    total_ours = total_theirs = 0.0
    for key, label in steps:
        mine = best(ours["times"][key])
        other = best(theirs["times"][key]) if theirs else float("nan")
        total_ours += mine
        total_theirs += other
        lines.append(f"{label:<44}{mine:>20.3f}{other:>20.3f}{other / mine:>9.1f}x")
    lines.append(f"{'total':<44}{total_ours:>20.3f}{total_theirs:>20.3f}{total_theirs / total_ours:>9.1f}x")
    lines.append(f"{'CLV, 12 discounted monthly steps (ours only)':<44}{best(ours['times']['clv_12_months']):>20.3f}")
    lines.append(f"{'churn, P(order in 30/90/365 d), next order':<44}{best(ours['times']['next_order']):>20.3f}")
    lines.append(f"{'CLV interval, 1,000 parameter draws':<44}{best(ours['times']['clv_interval']):>20.3f}")
    se = {**(ours.get("standard_errors_bg") or {}), **(ours.get("standard_errors_gg") or {})}
    if se:
        lines.append("standard errors (ours, in the fit times): " + ", ".join(f"{k} {v:.4g}" for k, v in se.items()))
    lines += ["", f"{'estimate':<12}{'true':>12}{'clv':>14}{'lifetimes':>14}"]
    truths = {**vars(TRUE_PURCHASE), **vars(TRUE_SPEND)}
    theirs_params = {**(theirs or {}).get("bg_nbd", {}), **(theirs or {}).get("gamma_gamma", {})}
    theirs_params = {("gamma" if k == "v" else k): v for k, v in theirs_params.items()}
    for name, true_value in truths.items():
        mine = {**ours["bg_nbd"], **ours["gamma_gamma"]}[name]
        lines.append(f"{name:<12}{true_value:>12.4f}{mine:>14.4f}{theirs_params.get(name, float('nan')):>14.4f}")
    lines += ["", *target_checks(best(ours["times"]["next_order"]) + best(ours["times"]["clv_interval"]),
                                  total_theirs / total_ours if theirs else None)]
    if theirs:
        lines += [
            "",
            "agreement: max |P(alive) difference| "
            f"{np.max(np.abs(ours['alive'] - theirs['alive'])):.2e}, max |E[Y(52)] difference| "
            f"{np.max(np.abs(ours['expected'] - theirs['expected'])):.2e} "
            "(differences come from the two optimisers' stopping points)",
        ]
    return "\n".join(lines)


# The performance targets of issue #22.
NEW_FIELDS_LIMIT_SECONDS = 20.0  # churn, order probabilities, next order and the interval add at most this
SPEED_UP_TARGET = 20.0  # fit + predict at least this many times faster than lifetimes


def target_checks(new_fields_seconds: float, speed_up: float | None) -> list[str]:
    """The two targets of issue #22, met or missed, with the figures."""
    verdict = lambda met: "met" if met else "MISSED"  # noqa: E731
    lines = [
        f"target 1 (new fields and {intervals.DRAWS:,} draws add at most {NEW_FIELDS_LIMIT_SECONDS:.0f} s): "
        f"{new_fields_seconds:.2f} s, {verdict(new_fields_seconds <= NEW_FIELDS_LIMIT_SECONDS)}"
    ]
    target = f"target 2 (fit + predict at least {SPEED_UP_TARGET:.0f}x faster than lifetimes)"
    if speed_up is None:
        lines.append(f"{target}: not measured (--skip-lifetimes)")
    else:
        lines.append(f"{target}: {speed_up:.1f}x, {verdict(speed_up >= SPEED_UP_TARGET)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of this project's code (best is shown)")
    parser.add_argument("--lifetimes-repeats", type=int, default=1, help="runs of lifetimes (slow)")
    parser.add_argument("--skip-lifetimes", action="store_true", help="time this project's code only")
    args = parser.parse_args()

    path = synthetic_customers(args.customers)
    data = pd.read_csv(path, float_precision="round_trip")
    ours = time_ours(data, args.repeats)
    theirs = None if args.skip_lifetimes else time_lifetimes(path, args.lifetimes_repeats)
    print(report(args.customers, data, ours, theirs))


if __name__ == "__main__":
    main()
