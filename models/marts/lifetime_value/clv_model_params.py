"""clv_model_params: the fitted lifetime-value models, one row per model (docs/rules.md section 6).

The public face of int_clv_models_fitted, where the models are fitted (see its docstring). Kept a
Python model so it is enabled and disabled with the other lifetime-value models (macro
clv_enabled()).
"""


def model(dbt, session):
    return dbt.ref("int_clv_models_fitted")
