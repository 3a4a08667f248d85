"""The monotone feature maps shared by the distance-based selectors."""

from __future__ import annotations

import numpy as np
import pytest

from algoconf.errors import SelectionInputError
from algoconf.selection.offline.feature_maps import MonotoneFeatureMap
from algoconf.selection.offline.registry import make_selector


def test_log_map_keeps_sign_and_order_of_magnitude():
    X = np.array([[0.0, -1e6], [9.0, 1e6], [99.0, -0.5]])
    out = MonotoneFeatureMap("log").fit(X).transform(X)
    assert out[0, 0] == 0.0 and out[1, 1] == -out[0, 1] > 13.0
    assert np.all(np.diff(MonotoneFeatureMap("log").transform(np.array([[1.0], [10.0], [100.0]]))[:, 0]) > 0)


def test_rank_map_is_the_training_distribution_function_with_mid_ranks():
    train = np.array([[1.0], [2.0], [2.0], [10.0]])
    m = MonotoneFeatureMap("rank").fit(train)
    assert m.transform(train)[:, 0].tolist() == [0.125, 0.5, 0.5, 0.875]
    new = m.transform(np.array([[0.0], [5.0], [1e9]]))[:, 0]
    assert new.tolist() == [0.0, 0.75, 1.0]  # below, between and above the training values


def test_standard_map_is_the_identity_and_bad_names_are_input_errors():
    X = np.arange(6.0).reshape(3, 2)
    assert np.array_equal(MonotoneFeatureMap("standard").fit(X).transform(X), X)
    with pytest.raises(SelectionInputError, match="scaling must be"):
        MonotoneFeatureMap("quantile")
    with pytest.raises(SelectionInputError, match="scaling must be"):
        make_selector("isac", scaling="quantile")


def _three_families(rng, *, n, spread, noise):
    """Three blobs of 2-d features (at the origin and ``spread`` along each axis); algorithm a, b or
    c solves its own family in 1 s, the others time out at 100 s. Returns (X, features -> data)."""
    from algoconf.selection.data.performance import PerformanceData

    family = np.arange(n) % 3
    X = np.array([[0, 0], [spread, 0], [0, spread]], dtype=float)[family] + rng.normal(0, noise, (n, 2))
    time = np.full((n, 3), 100.0)
    time[np.arange(n), family] = 1.0

    def data(features):
        return PerformanceData(tuple(map(str, range(n))), ("a", "b", "c"), time, time < 100, np.ones((n, 3), bool),
                               100.0, features, ("u", "v"))

    return X, data


def test_isac_clusters_on_the_mapped_features():
    """With ``scaling="rank"`` ISAC's clusters, and so its choices, do not change when a feature
    goes through a monotone map (here exp); with plain standardisation they do."""
    rng = np.random.default_rng(0)
    X, data = _three_families(rng, n=150, spread=3.0, noise=0.6)
    warped = np.column_stack([np.exp(2 * X[:, 0]), X[:, 1]])
    probe = rng.normal(1.0, 1.5, (200, 2))
    probe_warped = np.column_stack([np.exp(2 * probe[:, 0]), probe[:, 1]])
    picks = {}
    for scaling in ("rank", "standard"):
        plain = make_selector("isac", scaling=scaling, min_cluster=10, random_state=0).fit(data(X))
        bent = make_selector("isac", scaling=scaling, min_cluster=10, random_state=0).fit(data(warped))
        picks[scaling] = np.mean([p == q for p, q in zip(plain.predict(probe), bent.predict(probe_warped))])
        if scaling == "rank":
            assert np.allclose(plain.centres_, bent.centres_)  # the same clusters
    assert picks["rank"] == 1.0, picks
    assert picks["standard"] < 0.9, picks


def test_isac_auto_scaling_keeps_the_map_with_the_lowest_inner_cv_cost():
    X, data = _three_families(np.random.default_rng(1), n=90, spread=5.0, noise=0.5)
    sel = make_selector("isac", min_cluster=6, random_state=0).fit(data(X))
    assert sel.get_params()["scaling"] == "auto"
    assert set(sel.scaling_choices_) == {"standard", "log", "rank"}
    assert sel.scaling_choices_[sel.scaling_] == min(sel.scaling_choices_.values())
    assert sel.feature_map_.scaling == sel.scaling_
