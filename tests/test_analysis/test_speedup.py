import math

import numpy as np
import pytest

from algoconf.analysis.rtd import FittedRTD, fit_rtd
from algoconf.analysis.speedup import predict_portfolio_runtime, predict_speedup, simulate_parallel


def _rtd(family, **params):
    return FittedRTD(family, params, 0.0, 0, 0, n_params=len(params))


def test_exponential_speedup_is_linear():
    preds = predict_speedup(_rtd("exponential", rate=0.25), [1, 2, 8])
    assert [p.speedup for p in preds] == pytest.approx([1, 2, 8])
    assert preds[2].expected_runtime == pytest.approx(0.5)


def test_shifted_exponential_speedup_saturates():
    preds = predict_speedup(_rtd("shifted_exponential", shift=1.0, rate=1.0), [1, 1000])
    assert preds[1].speedup == pytest.approx(2.0 / (1.0 + 1e-3))


def test_quadrature_matches_closed_form_order_statistics():
    # Weibull has a closed form; the generic quadrature (used for lognormal) must agree with it.
    from algoconf.analysis.rtd import expected_min_of

    w = _rtd("weibull", shape=0.6, scale=3.0)
    for k in (1, 2, 5):
        assert expected_min_of(lambda t: w.sf(t), k, w.mean()) == pytest.approx(w.expected_min(k), rel=1e-6)


def test_lognormal_prediction_matches_monte_carlo_order_statistics():
    rng = np.random.default_rng(5)
    ln = _rtd("lognormal", mu=0.0, sigma=1.5)
    draws = rng.lognormal(0.0, 1.5, size=(200000, 4)).min(axis=1)
    se = draws.std() / math.sqrt(draws.size)
    assert abs(ln.expected_min(4) - draws.mean()) < 4 * se


def test_portfolio_of_two_exponentials_adds_rates():
    a, b = _rtd("exponential", rate=1.0), _rtd("exponential", rate=3.0)
    assert predict_portfolio_runtime([a, b]) == pytest.approx(0.25, rel=1e-6)


def test_simulation_from_samples_agrees_with_fit_and_flags_censoring():
    rng = np.random.default_rng(6)
    t = rng.exponential(2.0, 4000)
    exact = simulate_parallel(t, np.zeros(t.size, bool), 2, rng=rng)
    assert exact.exact and exact.value == pytest.approx(1.0, rel=0.08)
    tc, c = np.minimum(t, 0.5), t > 0.5
    lower = simulate_parallel(tc, c, 2, rng=rng)
    assert not lower.exact and lower.value <= 0.5
    fit = fit_rtd(tc, c, "exponential")
    assert predict_speedup(fit, [2])[0].expected_runtime == pytest.approx(1.0, rel=0.1)
