"""int_clv_models_fitted: the fitted lifetime-value models, one row per model (docs/rules.md section 6).

Fits BG/NBD (purchases, P(alive)) and Gamma-Gamma (spend per purchase) by maximum likelihood on
int_customers_summarised, with the project's `clv` package (python/clv, on the path
through the profile's module_paths). A model that cannot be estimated (fewer repeat buyers than
var clv_min_repeat_buyers, no convergence, an unusable estimate) gets a row with its status and
reason and null parameters; the build goes on and a warn-level test reports it.

The public mart clv_model_params publishes it as is; int_customers_predicted reads this model,
not the mart. A table (dbt Python models cannot be views), enabled like the other
lifetime-value models (macro clv_enabled()).
"""

import clv.pipeline as pipeline

TYPED_COLUMNS = """
    cast(model_name as varchar) as model_name,
    cast(status as varchar) as status,
    cast(status_reason as varchar) as status_reason,
    cast(is_converged as boolean) as is_converged,
    cast(r as double) as r,
    cast(alpha as double) as alpha,
    cast(a as double) as a,
    cast(b as double) as b,
    cast(p as double) as p,
    cast(q as double) as q,
    cast(gamma as double) as gamma,
    cast(se_r as double) as se_r,
    cast(se_alpha as double) as se_alpha,
    cast(se_a as double) as se_a,
    cast(se_b as double) as se_b,
    cast(se_p as double) as se_p,
    cast(se_q as double) as se_q,
    cast(se_gamma as double) as se_gamma,
    cast(log_parameter_covariance as varchar) as log_parameter_covariance,
    cast(log_likelihood as double) as log_likelihood,
    cast(customers as integer) as customers,
    cast(repeat_buyers as integer) as repeat_buyers,
    cast(iterations as integer) as iterations,
    cast(function_evaluations as integer) as function_evaluations,
    cast(as_of_date as date) as as_of_date
"""


def model(dbt, session):
    # literal dbt.config.get calls in each model: dbt passes only the keys it finds written so
    settings = pipeline.Settings(
        horizon_months=int(dbt.config.get("clv_horizon_months")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    summary = dbt.ref("int_customers_summarised").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    fits = pipeline.fit_models(summary, settings)
    params = pipeline.model_params_frame(fits, summary, as_of_date)
    return session.from_df(params).select(TYPED_COLUMNS)
