"""int_customers_predicted: predicted lifetime value per customer (docs/rules.md section 6).

For every customer of int_customers_summarised: P(alive) and expected orders over the
horizon (BG/NBD), expected spend per order (Gamma-Gamma), and the predicted CLV, the expected
margin after cost to serve over var clv_horizon_months, discounted monthly at var
clv_annual_discount_rate (doc predicted_clv). The parameters are read from int_clv_models_fitted
(published as clv_model_params), so predictions use exactly the published estimates; a model
not fitted there leaves the columns that need it null, with prediction_status saying why.

Churn probability, the probability of an order within 30, 90 and 365 days, the expected next
order date and the interval of predicted_clv (5th to 95th percentile over parameter draws) as in
python/clv/pipeline.py (doc clv_next_order and clv_interval).

Horizon columns are named after var clv_horizon_months (expected_orders_12m for 12 months).

The public mart customer_lifetime_value publishes it as is; intermediate models (the
predicted_top upgrade reason) read this model, not the mart. A table (dbt Python models cannot
be views), enabled like the other lifetime-value models (macro clv_enabled()).
"""

import clv.pipeline as pipeline


def typed_columns(suffix: str) -> str:
    """The published columns and types; money rounded to 2 decimals, the decile ranked on the
    published (rounded) predicted_clv like SQL ntile, null when there is no prediction."""
    return f"""
    with typed as (
        select
            cast(customer_id as varchar) as customer_id,
            cast(prediction_status as varchar) as prediction_status,
            cast(repeat_purchases as integer) as repeat_purchases,
            cast(weeks_to_last_purchase as double) as weeks_to_last_purchase,
            cast(weeks_observed as double) as weeks_observed,
            cast(p_alive as double) as p_alive,
            cast(churn_probability as double) as churn_probability,
            cast(p_order_within_30d as double) as p_order_within_30d,
            cast(p_order_within_90d as double) as p_order_within_90d,
            cast(p_order_within_365d as double) as p_order_within_365d,
            cast(expected_next_order_date as date) as expected_next_order_date,
            cast(expected_orders_{suffix} as double) as expected_orders_{suffix},
            cast(discounted_expected_orders_{suffix} as double) as discounted_expected_orders_{suffix},
            cast(round(expected_spend_per_order, 2) as decimal(18, 2)) as expected_spend_per_order,
            cast(round(expected_revenue_{suffix}, 2) as decimal(18, 2)) as expected_revenue_{suffix},
            cast(gross_margin_rate as double) as gross_margin_rate,
            cast(round(cost_to_serve_per_order, 2) as decimal(18, 2)) as cost_to_serve_per_order,
            cast(round(expected_margin_per_order, 2) as decimal(18, 2)) as expected_margin_per_order,
            cast(round(predicted_clv, 2) as decimal(18, 2)) as predicted_clv,
            cast(round(predicted_clv_low, 2) as decimal(18, 2)) as predicted_clv_low,
            cast(round(predicted_clv_high, 2) as decimal(18, 2)) as predicted_clv_high
        from predictions
    )

    select
        *,
        cast(
            case
                when predicted_clv is not null
                    then ntile(10) over (
                        partition by predicted_clv is null order by predicted_clv desc, customer_id asc
                    )
            end as integer
        ) as predicted_clv_decile
    from typed
    """


def model(dbt, session):
    # literal dbt.config.get calls in each model: dbt passes only the keys it finds written so
    settings = pipeline.Settings(
        horizon_months=int(dbt.config.get("clv_horizon_months")),
        annual_discount_rate=float(dbt.config.get("clv_annual_discount_rate")),
        min_repeat_buyers=int(dbt.config.get("clv_min_repeat_buyers")),
    )
    summary = dbt.ref("int_customers_summarised").df()
    params = dbt.ref("int_clv_models_fitted").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    predictions = pipeline.predict_customers(
        summary, *pipeline.params_from_frame(params), settings, covariances=pipeline.covariances_from_frame(params)
    )
    predictions["expected_next_order_date"] = pipeline.next_order_dates(as_of_date, predictions["days_to_next_order"])
    inputs = summary.set_index(pipeline.CUSTOMER_ID)
    for column in (pipeline.X, pipeline.T_X, pipeline.T, pipeline.MARGIN_RATE):
        predictions[column] = inputs[column].reindex(predictions[pipeline.CUSTOMER_ID]).to_numpy()
    predictions["cost_to_serve_per_order"] = (
        inputs[pipeline.COST_PER_PURCHASE].reindex(predictions[pipeline.CUSTOMER_ID]).to_numpy(dtype=float)
    )
    return session.from_df(predictions).query("predictions", typed_columns(settings.suffix))
