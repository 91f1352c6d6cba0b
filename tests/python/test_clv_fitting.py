"""Fitting: parameter recovery, weights, and the cases where the fit must refuse to publish
(no repeat buyers, one customer, too few repeat buyers, an unusable estimate) without crashing;
heavy buyers do not break it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv import pipeline
from clv.bgnbd import BgNbdParams, fit_bgnbd
from clv.data import compress_rows, summarise_purchases
from clv.fitting import FITTED, INSUFFICIENT_DATA, INVALID_ESTIMATE, NOT_CONVERGED
from clv.gamma_gamma import GammaGammaParams, fit_gamma_gamma
from clv_samples import simulate_customers

TRUE_PURCHASE = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
TRUE_SPEND = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return simulate_customers(200_000, TRUE_PURCHASE, TRUE_SPEND, seed=42)


def test_fits_recover_the_parameters_of_simulated_customers(customers):
    purchase = fit_bgnbd(customers["x"], customers["t_x"], customers["T"])
    assert purchase.status == FITTED and purchase.converged
    for name, value in vars(TRUE_PURCHASE).items():
        assert purchase.params[name] == pytest.approx(value, rel=0.08), name
    repeat = customers[customers["x"] > 0]
    spend = fit_gamma_gamma(repeat["x"], repeat["monetary_value"])
    assert spend.status == FITTED
    for name, value in vars(TRUE_SPEND).items():
        assert spend.params[name] == pytest.approx(value, rel=0.08), name


def test_weights_are_the_same_as_repeated_rows(customers):
    sample = customers.iloc[:5000]
    rows = compress_rows(sample["x"].to_numpy(float), sample["t_x"].to_numpy(), sample["T"].to_numpy())
    weighted = fit_bgnbd(*rows.columns, weights=rows.weights)
    repeated = fit_bgnbd(sample["x"], sample["t_x"], sample["T"])
    assert weighted.customers == repeated.customers == 5000
    assert weighted.log_likelihood == pytest.approx(repeated.log_likelihood, rel=1e-10)
    for name in weighted.params:
        assert weighted.params[name] == pytest.approx(repeated.params[name], rel=1e-6)
    # and the compression maps back to every original row
    np.testing.assert_array_equal(rows.columns[0][rows.inverse], sample["x"].to_numpy(float))


def test_no_repeat_buyers_is_insufficient_data_not_a_crash():
    fit = fit_bgnbd(np.zeros(500), np.zeros(500), np.arange(1, 501) / 7)
    assert fit.status == INSUFFICIENT_DATA and fit.params is None and not fit.converged
    assert "0 repeat buyers among 500 customers" in fit.message
    spend = fit_gamma_gamma(np.zeros(500), np.full(500, np.nan))
    assert spend.status == INSUFFICIENT_DATA and spend.params is None


def test_empty_data_is_insufficient_data():
    assert fit_bgnbd([], [], []).status == INSUFFICIENT_DATA
    assert fit_gamma_gamma([], []).status == INSUFFICIENT_DATA


def test_one_customer_gives_no_estimate():
    purchase = fit_bgnbd([2], [30.43], [38.86])
    # The status is the contract; the optimiser's message text differs between platforms.
    assert purchase.status == NOT_CONVERGED and purchase.params is None and not purchase.converged
    spend = fit_gamma_gamma([2], [30.0])
    assert spend.status == NOT_CONVERGED and spend.params is None


def test_too_few_repeat_buyers_for_the_threshold(customers):
    sample = customers.iloc[:300]
    repeat_buyers = int((sample["x"] > 0).sum())
    fit = fit_bgnbd(sample["x"], sample["t_x"], sample["T"], min_repeat_buyers=repeat_buyers + 1)
    assert fit.status == INSUFFICIENT_DATA
    assert f"{repeat_buyers} repeat buyers among 300 customers" in fit.message
    assert fit_bgnbd(sample["x"], sample["t_x"], sample["T"], min_repeat_buyers=repeat_buyers).status == FITTED


def test_spend_model_with_no_finite_mean_is_rejected():
    heavy_tailed = simulate_customers(20_000, TRUE_PURCHASE, GammaGammaParams(p=6.25, q=0.7, gamma=15.44), seed=3)
    repeat = heavy_tailed[heavy_tailed["x"] > 0]
    fit = fit_gamma_gamma(repeat["x"], repeat["monetary_value"])
    assert fit.status == INVALID_ESTIMATE and fit.params is None
    assert fit.last_iterate["q"] < 1


def test_heavy_buyers_do_not_break_the_fit(customers):
    sample = customers.iloc[:3000]
    x = np.r_[sample["x"].to_numpy(float), [10_000.0, 25_000.0]]
    t_x = np.r_[sample["t_x"].to_numpy(), [100.0, 99.0]]
    T = np.r_[sample["T"].to_numpy(), [100.0, 100.0]]
    fit = fit_bgnbd(x, t_x, T)
    assert fit.status == FITTED and np.isfinite(fit.log_likelihood)
    assert all(np.isfinite(value) for value in fit.params.values())


def test_invalid_summaries_are_refused():
    with pytest.raises(ValueError):
        fit_bgnbd([1], [5.0], [4.0])  # t_x > T
    with pytest.raises(ValueError):
        fit_bgnbd([0], [1.0], [4.0])  # t_x must be 0 without repeat purchases
    with pytest.raises(ValueError):
        fit_bgnbd([1.5], [1.0], [4.0])


def test_summary_merges_same_day_purchases_and_excludes_the_first_from_spend():
    summary = summarise_purchases(
        ["A", "A", "A", "A", "B", "A"],
        np.array(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-29", "2024-01-29", "2024-03-01"],
                 dtype="datetime64[D]"),
        [10.0, 5.0, 20.0, 40.0, 7.0, 99.0],
        "2024-02-05",
    ).set_index("customer_id")
    assert summary.loc["A", "x"] == 2  # Jan 15 and Jan 29; Mar 1 is after the as-of date
    assert summary.loc["A", "t_x"] == pytest.approx(28 / 7)
    assert summary.loc["A", "T"] == pytest.approx(35 / 7)
    assert summary.loc["A", "monetary_value"] == pytest.approx(30.0)
    assert summary.loc["B", "x"] == 0 and np.isnan(summary.loc["B", "monetary_value"])
    assert summary.loc["B", "T"] == pytest.approx(1.0)


def summary_frame(customers: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            pipeline.CUSTOMER_ID: [f"C{i:06d}" for i in range(len(customers))],
            pipeline.X: customers["x"].astype(float),
            pipeline.T_X: customers["t_x"],
            pipeline.T: customers["T"],
            pipeline.MONETARY: customers["monetary_value"],
            pipeline.MARGIN_RATE: 0.4,
            pipeline.COST_PER_PURCHASE: 3.0,
        }
    )


def test_pipeline_publishes_nothing_when_the_models_cannot_be_fitted(customers):
    summary = summary_frame(customers.iloc[:100])
    settings = pipeline.Settings(min_repeat_buyers=200)
    fits = pipeline.fit_models(summary, settings)
    params = pipeline.model_params_frame(fits, summary, "2024-01-01")
    assert list(params["model_name"]) == ["bg_nbd", "gamma_gamma"]
    assert list(params["status"]) == [INSUFFICIENT_DATA, INSUFFICIENT_DATA]
    assert not params["is_converged"].any()
    assert params[list(pipeline.PARAMETER_COLUMNS) + ["log_likelihood"]].isna().all().all()
    predictions = pipeline.predict_customers(summary, *pipeline.params_from_frame(params), settings)
    assert len(predictions) == 100
    assert predictions.drop(columns=["customer_id", "prediction_status"]).isna().all().all()
    assert set(predictions["prediction_status"]) == {pipeline.PURCHASE_MODEL_NOT_FITTED}


def test_pipeline_predicts_every_modelled_customer(customers):
    summary = summary_frame(customers.iloc[:20_000])
    summary.loc[summary.index[:5], pipeline.X] = np.nan  # no completed purchase: not modelled
    settings = pipeline.Settings(horizon_months=6, annual_discount_rate=0.08, min_repeat_buyers=200)
    fits = pipeline.fit_models(summary, settings)
    params = pipeline.model_params_frame(fits, summary, "2024-01-01")
    assert list(params["status"]) == [FITTED, FITTED]
    predictions = pipeline.predict_customers(summary, *pipeline.params_from_frame(params), settings)
    assert {"expected_orders_6m", "expected_revenue_6m"} <= set(predictions.columns)
    modelled = predictions.iloc[5:]
    assert (predictions["prediction_status"].iloc[:5] == pipeline.NO_PURCHASE).all()
    assert predictions.iloc[:5]["predicted_clv"].isna().all()
    assert modelled["predicted_clv"].notna().all() and modelled["p_alive"].between(0, 1).all()
    expected_clv = modelled["discounted_expected_orders_6m"] * (modelled["expected_spend_per_order"] * 0.4 - 3.0)
    np.testing.assert_allclose(modelled["predicted_clv"], expected_clv, rtol=1e-12)


def test_a_prediction_that_comes_out_non_finite_is_withdrawn(customers, monkeypatch):
    summary = summary_frame(customers.iloc[:2000])
    settings = pipeline.Settings(min_repeat_buyers=100)
    params = pipeline.params_from_frame(
        pipeline.model_params_frame(pipeline.fit_models(summary, settings), summary, "2024-01-01")
    )
    real = pipeline.discounted_expected_purchases

    def failing_for_the_first_customer(*args, **kwargs):
        alive, expected, discounted = real(*args, **kwargs)
        expected[0] = np.nan
        return alive, expected, discounted

    monkeypatch.setattr(pipeline, "discounted_expected_purchases", failing_for_the_first_customer)
    predictions = pipeline.predict_customers(summary, *params, settings)
    assert predictions.loc[0, "prediction_status"] == pipeline.NOT_COMPUTABLE
    assert predictions.drop(columns=["customer_id", "prediction_status"]).iloc[0].isna().all()
    assert (predictions["prediction_status"].iloc[1:] == pipeline.PREDICTED).all()
