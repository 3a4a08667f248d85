"""Fits recover known parameters from censored synthetic samples.

Tolerances come from the sample size: each check allows 4 asymptotic standard errors computed from
the number of exact (uncensored) observations d, so a correct estimator fails with probability
well below 1e-3 and a wrong one (e.g. reading censored values as exact) fails.
"""

import math

import numpy as np
import pytest

from algoconf.analysis.rtd import fit_best_rtd, fit_rtd


def _censor(t, cutoff):
    return np.minimum(t, cutoff), t > cutoff


def test_exponential_rate_with_censoring():
    rng = np.random.default_rng(10)
    rate = 0.5
    t, c = _censor(rng.exponential(1 / rate, 4000), 3.0)
    d = int((~c).sum())
    fit = fit_rtd(t, c, "exponential")
    assert abs(fit.params["rate"] - rate) < 4 * rate / math.sqrt(d)
    naive = (~c).sum() / t[~c].sum()  # dropping censored runs biases the rate upwards
    assert abs(naive - rate) > 4 * rate / math.sqrt(d)


def test_shifted_exponential_recovers_shift_and_rate():
    rng = np.random.default_rng(11)
    t, c = _censor(1.5 + rng.exponential(2.0, 3000), 6.0)
    d = int((~c).sum())
    fit = fit_rtd(t, c, "shifted_exponential")
    assert abs(fit.params["shift"] - 1.5) < 4 * 2.0 / d  # the minimum's error scales as 1/(rate·n)
    assert abs(fit.params["rate"] - 0.5) < 4 * 0.5 / math.sqrt(d)


def test_lognormal_recovers_mu_sigma_under_heavy_censoring():
    rng = np.random.default_rng(12)
    mu, sigma = 0.3, 1.2
    t, c = _censor(rng.lognormal(mu, sigma, 4000), 2.0)
    assert c.mean() > 0.3
    d = int((~c).sum())
    fit = fit_rtd(t, c, "lognormal")
    assert abs(fit.params["mu"] - mu) < 4 * 1.5 * sigma / math.sqrt(d)
    assert abs(fit.params["sigma"] - sigma) < 4 * 1.5 * sigma / math.sqrt(2 * d)


def test_weibull_recovers_shape_and_scale():
    rng = np.random.default_rng(13)
    k, lam = 0.7, 2.0
    t, c = _censor(lam * rng.weibull(k, 4000), 4.0)
    d = int((~c).sum())
    fit = fit_rtd(t, c, "weibull")
    assert abs(fit.params["shape"] - k) < 4 * 0.8 * k / math.sqrt(d)
    assert abs(fit.params["scale"] - lam) < 4 * 1.3 * lam / (k * math.sqrt(d))


def test_model_choice_prefers_true_family_and_ks_is_small():
    rng = np.random.default_rng(14)
    t, c = _censor(rng.lognormal(0.0, 1.0, 3000), 5.0)
    choice = fit_best_rtd(t, c)
    assert choice.best.family == "lognormal"
    # KS of the true family is within the DKW band for n samples
    assert choice.best.ks < 1.63 / math.sqrt(3000) * 2
    assert [f.aic for f in choice.fits] == sorted(f.aic for f in choice.fits)


def test_zero_runtime_skips_positive_families_with_reason():
    t = np.array([0.0, 0.5, 1.0, 2.0, 3.0])
    choice = fit_best_rtd(t, np.zeros(5, bool))
    assert "lognormal" in choice.skipped and "weibull" in choice.skipped
    assert choice.best.family in ("exponential", "shifted_exponential")


def test_fit_needs_an_exact_runtime():
    with pytest.raises(ValueError, match="exact"):
        fit_rtd([5.0, 5.0], [True, True], "exponential")
    with pytest.raises(ValueError, match="unknown family"):
        fit_rtd([1.0], [False], "gamma")
