"""Unit tests of the online-selection building blocks: observations, models, scores, features."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from algoconf.errors import InputError
from algoconf.records import RunRequest, RunResult, Status
from algoconf.selection.online.contract import OnlineObservation, as_observation
from algoconf.selection.online.policies import make_online_selector, online_policies
from algoconf.selection.online.features import StreamingFeatures
from algoconf.selection.online.linear import GaussianLinearModel, joint_update
from algoconf.selection.online.scores import expected_par


def _result(status: Status, runtime: float, cutoff: float = 60.0) -> RunResult:
    return RunResult(RunRequest({"a": 1}, "i", 0, cutoff), status, runtime)


def test_observation_from_run_results():
    assert as_observation(_result(Status.SUCCESS, 3.0)) == OnlineObservation(3.0, False, 60.0)
    assert as_observation(_result(Status.TIMEOUT, 60.2)) == OnlineObservation(60.0, True, 60.0)
    assert as_observation(_result(Status.CAPPED, 12.0)) == OnlineObservation(12.0, True, 60.0)
    assert as_observation(_result(Status.CRASHED, 0.1)) == OnlineObservation(60.0, True, 60.0)
    assert as_observation(_result(Status.SUCCESS, 3.0), cutoff=10.0).cutoff == 10.0


def test_observation_at_or_beyond_cutoff_is_censored():
    obs = OnlineObservation(75.0, False, 60.0)
    assert obs.censored and obs.runtime == 60.0
    with pytest.raises(ValueError):
        OnlineObservation(-1.0, False, 60.0)
    with pytest.raises(ValueError):
        OnlineObservation(1.0, False, 0.0)


def test_unknown_policy_is_an_input_error():
    with pytest.raises(InputError, match="unknown online policy"):
        make_online_selector("nope", ["a"], 2, 10.0)
    assert "tobit_shared_ts" in online_policies()


def test_expected_par_matches_monte_carlo():
    rng = np.random.default_rng(0)
    cutoff = 50.0
    for mu, s2 in ((1.0, 0.5), (3.5, 1.0), (4.5, 2.0)):
        t = np.exp(rng.normal(mu, math.sqrt(s2), 400_000))
        mc = np.where(t <= cutoff, t, 10 * cutoff).mean()
        assert expected_par(np.array([mu]), np.array([s2]), cutoff)[0] == pytest.approx(mc, rel=0.02)


def test_exact_updates_equal_batch_ridge_posterior():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(0, 0.3, 30)
    model = GaussianLinearModel(4, prior_var=2.0)
    for x, v in zip(X, y):
        model.update_exact(x, v, noise_var=0.09)
    precision = np.eye(4) / 2.0 + X.T @ X / 0.09
    cov = np.linalg.inv(precision)
    assert np.allclose(model.cov, cov, atol=1e-9)
    assert np.allclose(model.mean, cov @ (X.T @ y / 0.09), atol=1e-8)


def test_censored_update_matches_moment_matching_in_one_dimension():
    # prior w ~ N(0.5, 2); observe w + e > 2 with e ~ N(0, 0.5): exact posterior moments by quadrature
    model = GaussianLinearModel(1, prior_var=2.0)
    model.mean[:] = 0.5
    model.update_censored(np.array([1.0]), 2.0, noise_var=0.5)

    def like(w):
        return stats.norm.pdf(w, 0.5, math.sqrt(2.0)) * stats.norm.sf(2.0, w, math.sqrt(0.5))

    z = integrate.quad(like, -20, 20)[0]
    m1 = integrate.quad(lambda w: w * like(w), -20, 20)[0] / z
    m2 = integrate.quad(lambda w: w * w * like(w), -20, 20)[0] / z
    assert model.mean[0] == pytest.approx(m1, rel=1e-6)
    assert model.cov[0, 0] == pytest.approx(m2 - m1 * m1, rel=1e-6)


def test_censored_update_far_in_the_tail_is_stable():
    model = GaussianLinearModel(2, prior_var=1.0)
    for _ in range(200):  # the model already predicts far below the bound: no overflow, mean goes up
        model.update_censored(np.array([1.0, 0.0]), 40.0, noise_var=0.1)
    assert np.all(np.isfinite(model.mean)) and model.mean[0] > 30
    assert np.all(np.linalg.eigvalsh(model.cov) > 0)


def test_joint_update_of_one_model_is_the_plain_update():
    a, b = GaussianLinearModel(3, 1.5), GaussianLinearModel(3, 1.5)
    x = np.array([0.3, -1.0, 1.0])
    a.update_exact(x, 2.0, 0.4)
    joint_update([b], x, 2.0, 0.4, censored=False)
    assert np.allclose(a.mean, b.mean) and np.allclose(a.cov, b.cov)
    a.update_censored(x, 3.0, 0.4)
    joint_update([b], x, 3.0, 0.4, censored=True)
    assert np.allclose(a.mean, b.mean) and np.allclose(a.cov, b.cov)


def test_joint_update_keeps_exact_marginals_of_the_sum():
    # two blocks with prior N(0, 1) each: sum model with prior N(0, 2) must predict the same after updates
    p, q = GaussianLinearModel(1, 1.0), GaussianLinearModel(1, 1.0)
    s = GaussianLinearModel(1, 2.0)
    x = np.array([1.0])
    joint_update([p, q], x, 1.7, 0.3, censored=False)
    s.update_exact(x, 1.7, 0.3)
    assert p.mean[0] + q.mean[0] == pytest.approx(s.mean[0])


def test_streaming_features_never_look_ahead_and_impute_running_means():
    f = StreamingFeatures(2, "standardize")
    assert np.allclose(f.transform(np.array([5.0, np.nan])), [0.0, 0.0, 1.0])  # nothing seen yet
    f.observe(np.array([1.0, 10.0]))
    f.observe(np.array([3.0, np.nan]))
    assert f.raw_mean.tolist() == [2.0, 10.0] and f.raw_count.tolist() == [2.0, 1.0]
    before = f.transform(np.array([100.0, np.nan]))
    assert before[1] == 0.0  # one value seen for feature 2: no spread yet, imputed value maps to 0
    assert before[0] == pytest.approx(5.0)  # far outside what was seen: clipped
    u = StreamingFeatures(3, "unit_norm")
    u.observe(np.array([3.0, 0.0, 4.0]))
    assert np.allclose(u.transform(np.array([np.nan, 0.0, 0.0])), [1.0, 0.0, 0.0])
    assert np.allclose(u.transform(np.array([0.0, 3.0, 4.0])), [0.0, 0.6, 0.8])


def test_random_fourier_features_are_fixed_and_bounded():
    f = StreamingFeatures(3, "standardize", expand=8)
    g = StreamingFeatures(3, "standardize", expand=8)
    x = np.array([1.0, -2.0, 0.5])
    f.observe(x), g.observe(x)
    z = f.transform(x)
    assert f.dim == 12 and z.shape == (12,) and z[-1] == 1.0
    assert np.array_equal(z, g.transform(x))  # the basis does not depend on the selector's seed
    assert np.all(np.abs(z[3:11]) <= np.sqrt(2.0) + 1e-12)
    with pytest.raises(ValueError):
        StreamingFeatures(3, "unit_norm", expand=4)


@pytest.mark.slow
def test_benchmark_quick_mode_runs(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from algoconf.benchmarking.reference_data import aslib_root

    root = aslib_root()
    if root is None or not (root / "CPMP-2015").is_dir():
        pytest.skip("ASlib reference data absent: set ALGOCONF_ASLIB_DIR or provide ../shared/data/aslib")
    repo = Path(__file__).resolve().parents[2]
    out = tmp_path / "quick.json"
    proc = subprocess.run(
        [sys.executable, str(repo / "benchmarks" / "online_selection.py"), "--quick", "--scenarios", "CPMP-2015",
         "--shuffles", "1", "--policies", "feature_free,hurdle_shared_ts", "--out", str(out), "--aslib-dir", str(root)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    import json

    data = json.loads(out.read_text())
    assert set(data["aggregate"]) == {"feature_free", "hurdle_shared_ts"}
    assert data["sbs_hindsight_repar10"]["CPMP-2015"] > 1.0
