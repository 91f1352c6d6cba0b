"""customer_lifetime_value: predicted lifetime value per customer (docs/rules.md section 6).

The public face of int_customers_predicted, which applies the fitted models
(int_clv_models_fitted, published as clv_model_params) to every customer (see its docstring).
Kept a Python model so it is enabled and disabled with the other lifetime-value models
(macro clv_enabled()).
"""


def model(dbt, session):
    return dbt.ref("int_customers_predicted")
