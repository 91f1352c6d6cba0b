"""Maximum likelihood on log-parameters, and the record of how a fit went.

Both models have strictly positive parameters. The optimiser works on their logarithms, so
every step stays in the valid region and the scale of very different parameters (r ~ 0.2,
alpha ~ 4, b ~ 2, gamma ~ 15) is comparable. The objective is the mean negative log-likelihood
per customer (weighted), so tolerances mean the same thing for 2,000 and 1,000,000 customers.

A fit is accepted as converged only if the optimiser says so (or stopped because no further
decrease was possible in floating point) and, independently of what it says, the gradient at
the solution is numerically zero, the value is finite, and no parameter sits at the bound of
the search box. A parameter at the bound means the likelihood keeps improving towards 0 or
infinity: the data do not identify the model (typically too few repeat buyers), and the
estimate must not be published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

# Status values written to clv_model_params.status.
FITTED = "fitted"
INSUFFICIENT_DATA = "insufficient_data"
NOT_CONVERGED = "not_converged"
INVALID_ESTIMATE = "invalid_estimate"

# Search box for every parameter (on the natural scale).
PARAMETER_LOWER = 1e-6
PARAMETER_UPPER = 1e6
# Largest |d mean log-likelihood / d log parameter| accepted at a converged solution.
GRADIENT_TOLERANCE = 1e-5
MAX_ITERATIONS = 1000
# Where L-BFGS-B stops: a gradient of 1e-8 (a thousandth of the acceptance bound), or no relative
# decrease of the objective beyond 1e-15. Not smaller: the mean log-likelihood carries rounding
# noise of about 1e-15, and the gradient can only be driven to about the square root of that times
# the curvature before the line search sees noise; at 1,000,000 customers the Gamma-Gamma fit,
# asked for 1e-10, spent 24 of its 46 evaluations on line searches at the solution.
OPTIMISER_GRADIENT_TOLERANCE = 1e-8
OPTIMISER_RELATIVE_DECREASE = 1e-15

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class FitResult:
    """The outcome of one model fit, as published in clv_model_params.

    `params` is None unless `status` is FITTED: a fit that did not converge, or was not tried,
    publishes no numbers. `message` says why in words. `customers` is the number of customers
    (sum of weights) the likelihood was evaluated on; `log_likelihood` is the sum over them.
    """

    model_name: str
    status: str
    message: str
    params: dict[str, float] | None = None
    log_likelihood: float | None = None
    customers: int = 0
    iterations: int = 0
    function_evaluations: int = 0
    last_iterate: dict[str, float] | None = field(default=None, compare=False)
    # sampling distribution of the estimate (see `log_parameter_covariance`), when fitted
    standard_errors: dict[str, float] | None = None
    log_covariance: tuple[tuple[float, ...], ...] | None = None

    @property
    def converged(self) -> bool:
        """True when the estimate is published (status FITTED)."""
        return self.status == FITTED


def not_fitted(model_name: str, status: str, message: str, customers: int = 0) -> FitResult:
    """A FitResult for a model that was not (or could not be) estimated."""
    return FitResult(model_name=model_name, status=status, message=message, customers=customers)


def maximise_log_likelihood(
    model_name: str,
    objective: Objective,
    names: tuple[str, ...],
    start: np.ndarray,
    customers: int,
) -> FitResult:
    """Maximise a log-likelihood over positive parameters with L-BFGS-B on their logarithms.

    `objective(log_params)` returns the mean negative log-likelihood per customer and its
    gradient with respect to the log-parameters. `start` is on the natural scale. Returns a
    FitResult with the summed log-likelihood (mean x customers) when the fit is accepted (see
    the module docstring), otherwise the reason and the last iterate for diagnosis.
    """
    lower, upper = np.log(PARAMETER_LOWER), np.log(PARAMETER_UPPER)
    remembered = _Remembered(objective)
    with np.errstate(all="ignore"), one_blas_thread():
        result = minimize(
            remembered,
            np.log(np.asarray(start, dtype=float)),
            jac=True,
            method="L-BFGS-B",
            bounds=[(lower, upper)] * len(names),
            options={"maxiter": MAX_ITERATIONS, "ftol": OPTIMISER_RELATIVE_DECREASE,
                     "gtol": OPTIMISER_GRADIENT_TOLERANCE, "maxcor": 20},
        )
        value, gradient = remembered(result.x)
    estimate = dict(zip(names, (float(v) for v in np.exp(result.x)), strict=True))
    common = dict(
        model_name=model_name,
        customers=int(customers),
        iterations=int(result.nit),
        function_evaluations=int(result.nfev),
        last_iterate=estimate,
    )
    problem = _convergence_problem(result, value, gradient, lower, upper, names)
    if problem:
        return FitResult(status=NOT_CONVERGED, message=problem, **common)
    covariance = log_parameter_covariance(objective, result.x, customers, gradient)
    standard_errors = None
    if covariance is not None:
        standard_errors = dict(zip(names, (float(v) for v in np.exp(result.x) * np.sqrt(np.diag(covariance))),
                                   strict=True))
    return FitResult(
        status=FITTED,
        message=f"converged after {result.nit} iterations",
        params=estimate,
        log_likelihood=float(-value * customers),
        standard_errors=standard_errors,
        log_covariance=None if covariance is None else tuple(tuple(float(v) for v in row) for row in covariance),
        **common,
    )


def one_blas_thread():
    """A context in which BLAS runs on one thread (threadpoolctl), restored afterwards.

    L-BFGS-B calls BLAS on vectors and matrices of a few elements every iteration, and OpenBLAS
    hands them to its thread pool: on a busy machine (a shared one, or a dbt run next to DuckDB's
    threads) waking and waiting for the second thread took about 9 ms per iteration, against
    0.2 ms on one thread, more than the likelihood evaluations of a million customers.
    """
    return threadpool_limits(limits=1, user_api="blas")


class _Remembered:
    """The objective, remembering its value and gradient at the points evaluated last: the
    optimiser's solution is one of them, so checking it costs no evaluation of the likelihood."""

    def __init__(self, objective: Objective, size: int = 4):
        self.objective, self.size = objective, size
        self.values: dict[bytes, tuple[float, np.ndarray]] = {}

    def __call__(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        key = np.asarray(log_params, dtype=float).tobytes()
        if key not in self.values:
            if len(self.values) >= self.size:
                del self.values[next(iter(self.values))]
            self.values[key] = self.objective(log_params)
        value, gradient = self.values[key]
        return value, gradient.copy()


# Step of the central differences of the gradient, on the log scale (relative step in the parameter),
# for an objective without analytic second derivatives.
HESSIAN_STEP = 1e-5


def log_parameter_covariance(
    objective: Objective, log_params: np.ndarray, customers: float, gradient: np.ndarray | None = None,
) -> np.ndarray | None:
    """Covariance matrix of the estimated log-parameters: the inverse of the Hessian of the
    negative log-likelihood (summed over customers) at the optimum, the observed information.

    The Hessian is the objective's own `hessian(log_params, gradient)` (`gradient` the
    objective's at log_params, when known), analytic: both models have one, where the 8 gradient
    evaluations of the differences were 30% of a BG/NBD fit's evaluations. Otherwise central differences of the
    analytic gradient. The objective is the mean, hence the multiplication by the customers;
    symmetrised. None when it is not positive definite (no curvature in some direction: no
    finite standard error).

    The standard error of a parameter theta is theta * sqrt(variance of log theta) (delta
    method), which is what `lifetimes` publishes (its Hessian is also taken in log-parameters).
    """
    size = len(log_params)
    with np.errstate(all="ignore"):
        if hasattr(objective, "hessian"):
            hessian = np.array(objective.hessian(log_params, gradient), dtype=float)
        else:
            hessian = np.empty((size, size))
            for j in range(size):
                step = np.zeros(size)
                step[j] = HESSIAN_STEP
                _, above = objective(log_params + step)
                _, below = objective(log_params - step)
                hessian[:, j] = (above - below) / (2.0 * HESSIAN_STEP)
    hessian = (hessian + hessian.T) / 2.0 * customers
    if not np.all(np.isfinite(hessian)):
        return None
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return None
    return np.linalg.inv(hessian)


def log_hessian(second: np.ndarray, params: np.ndarray, gradient: np.ndarray, customers: float) -> np.ndarray:
    """The Hessian of the mean negative log-likelihood in log-parameters, from the second
    derivatives `second` of the summed log-likelihood in the parameters and the objective's
    gradient in log-parameters: d2/dlog_i dlog_j = theta_i theta_j d2/dtheta_i dtheta_j
    + [i = j] theta_i d/dtheta_i."""
    return -np.outer(params, params) * second / customers + np.diag(gradient)


def _convergence_problem(result, value, gradient, lower, upper, names) -> str | None:
    """Why an optimiser result cannot be accepted, or None when it can."""
    if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
        return "the log-likelihood is not finite at the solution"
    at_bound = [
        name
        for name, log_value in zip(names, result.x, strict=True)
        if log_value <= lower + 1e-6 or log_value >= upper - 1e-6
    ]
    if at_bound:
        return (
            f"parameter(s) {', '.join(at_bound)} ran to the bound of the search interval "
            f"[{PARAMETER_LOWER:g}, {PARAMETER_UPPER:g}]: the data do not identify the model"
        )
    largest = float(np.max(np.abs(gradient)))
    if largest > GRADIENT_TOLERANCE:
        return f"the optimiser stopped ({result.message}) with a gradient of {largest:.2g}, not at a maximum"
    return None


def weighted_sum(weights: np.ndarray, values: np.ndarray) -> float:
    """Sum of weights x values over 1-D arrays.

    np.einsum's own loop rather than np.dot: np.dot goes to the multi-threaded BLAS, whose
    threads spin and wait for each other when the cores are busy (as inside a dbt run, next to
    DuckDB's threads), which made a likelihood evaluation ten times slower.
    """
    return float(np.einsum("i,i->", weights, values))
