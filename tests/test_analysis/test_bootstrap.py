"""algoconf.analysis.bootstrap: the percentile bootstrap CI of a median (what the benchmark tables print)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from algoconf.analysis.bootstrap import median_ci


def test_the_interval_brackets_the_median_and_narrows_with_more_seeds():
    few = median_ci([1.0, 2.0, 3.0, 10.0])
    many = median_ci([1.0, 2.0, 3.0, 10.0] * 10)
    assert few[0] <= 2.5 <= few[1]
    assert many[1] - many[0] < few[1] - few[0]
    lo, hi = median_ci([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    assert 0.1 <= lo < 0.4 < hi <= 0.7


def test_degenerate_samples():
    assert median_ci([4.0]) == (4.0, 4.0)
    assert median_ci([0.3, 0.3]) == (0.3, 0.3)
    assert all(math.isnan(x) for x in median_ci([]))


def test_it_is_scipys_percentile_bootstrap_and_deterministic():
    scipy_stats = pytest.importorskip("scipy.stats")
    v = np.random.default_rng(5).exponential(1.0, 15)
    for resamples, seed in ((2000, 0), (10000, 3)):
        ref = scipy_stats.bootstrap(
            (v,),
            np.median,
            n_resamples=resamples,
            confidence_level=0.9,
            method="percentile",
            random_state=np.random.default_rng(seed),
        )
        got = median_ci(v, resamples=resamples, confidence=0.9, seed=seed)
        assert got == pytest.approx((ref.confidence_interval.low, ref.confidence_interval.high), abs=1e-12)
    assert median_ci(v, seed=1) == median_ci(v, seed=1) != median_ci(v, seed=2)
