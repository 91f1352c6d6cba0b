"""Customer lifetime value: BG/NBD purchase counts and Gamma-Gamma spend, fitted by maximum likelihood.

The models and the equations they implement:

* BG/NBD (Fader, Hardie & Lee 2005, "'Counting Your Customers' the Easy Way: An Alternative to
  the Pareto/NBD Model", Marketing Science 24(2)): while active, a customer makes purchases at
  a Poisson rate lambda ~ Gamma(r, alpha); after every purchase the customer becomes inactive
  with probability p ~ Beta(a, b). Module `clv.bgnbd`.
* Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"; Fader, Hardie &
  Lee 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4)): the
  spend of one transaction is Gamma(p, nu) with the customer's nu ~ Gamma(q, gamma). Module
  `clv.gamma_gamma`.
* The conditional expectation of BG/NBD needs the Gauss hypergeometric function, evaluated
  without overflow in `clv.hypergeometric`.
* Predicted lifetime value (margin after cost to serve, discounted monthly) in `clv.value`;
  the end-to-end fit and prediction that the dbt Python models call in `clv.pipeline`.

Data per customer (the "RFM summary", FHL 2005 section 3): x = number of repeat transactions,
t_x = time of the last transaction and T = length of the observation period, both measured from
the customer's first transaction (weeks in this project), and for the repeat buyers the mean
value of the repeat transactions.
"""

from clv.bgnbd import (
    BgNbdParams,
    conditional_expected_purchases,
    expected_purchases_if_alive,
    fit_bgnbd,
    log_likelihood_bgnbd,
    probability_alive,
)
from clv.data import CompressedRows, compress_rows, summarise_purchases
from clv.fitting import FitResult
from clv.gamma_gamma import (
    GammaGammaParams,
    conditional_expected_spend,
    fit_gamma_gamma,
    log_likelihood_gamma_gamma,
)
from clv.value import discounted_expected_purchases, month_horizons_weeks, predicted_lifetime_value

__all__ = [
    "BgNbdParams",
    "CompressedRows",
    "FitResult",
    "GammaGammaParams",
    "compress_rows",
    "conditional_expected_purchases",
    "conditional_expected_spend",
    "discounted_expected_purchases",
    "expected_purchases_if_alive",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "log_likelihood_bgnbd",
    "log_likelihood_gamma_gamma",
    "month_horizons_weeks",
    "predicted_lifetime_value",
    "probability_alive",
    "summarise_purchases",
]
