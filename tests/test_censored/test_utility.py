import numpy as np
import pytest

from algoconf.censored.utility import (
    ConstantValue,
    ExponentialDecay,
    FixedCaptime,
    LinearDecay,
    TruncatedExponentialCaptime,
    UniformCaptime,
    Utility,
    expected_utility,
    par_k_utility,
    ranking,
    run_utility_cost,
)
from algoconf.records import RunRequest, RunResult, Status


def test_par10_is_a_special_case():
    cutoff = 10.0
    t = np.array([1.0, 2.5, 10.0, 7.0, 10.0])
    c = np.array([False, False, True, False, True])
    par10 = np.where(c, 100.0, t).mean()
    score = expected_utility(t, c, par_k_utility(cutoff, 10))
    assert score.exact
    assert 10 * cutoff * (1 - score.value) == pytest.approx(par10)


def test_solved_fraction_is_a_special_case():
    t = np.array([1.0, 3.0, 5.0, 5.0])
    c = np.array([False, False, True, True])
    score = expected_utility(t, c, Utility(ConstantValue(), FixedCaptime(5.0)))
    assert score.exact and score.value == pytest.approx(0.5)


def test_early_censoring_gives_bounds_that_contain_truth():
    rng = np.random.default_rng(0)
    true_t = rng.exponential(3.0, 5000)
    u = Utility(ExponentialDecay(2.0), UniformCaptime(1.0, 20.0))
    truth = expected_utility(true_t, np.zeros(true_t.size, bool), u).value
    t, c = np.minimum(true_t, 4.0), true_t > 4.0
    s = expected_utility(t, c, u)
    assert not s.exact and s.lower <= truth <= s.upper


def test_runs_capped_at_largest_captime_give_exact_score():
    t = np.array([0.5, 2.0, 8.0, 8.0])
    c = np.array([False, False, True, True])
    s = expected_utility(t, c, Utility(LinearDecay(10.0), UniformCaptime(2.0, 8.0)))
    assert s.exact


def test_uniform_and_truncated_exponential_captimes():
    u = UniformCaptime(2.0, 6.0)
    assert u.survival(np.array([1.0, 4.0, 7.0])).tolist() == [1.0, 0.5, 0.0]
    for mean in (3.0, 4.0, 5.5):
        te = TruncatedExponentialCaptime(2.0, 6.0, mean)
        grid = np.linspace(2.0, 6.0, 20001)
        sf = te.survival(grid)
        # E[κ] = lo + ∫ S(t) dt over [lo, hi]
        assert 2.0 + np.trapezoid(sf, grid) == pytest.approx(mean, abs=1e-4)
        assert sf[0] == pytest.approx(1.0) and sf[-1] == pytest.approx(0.0)


def test_run_cost_of_censored_runs():
    u = Utility(ConstantValue(), FixedCaptime(10.0))
    req = RunRequest({}, "i", 0, 10.0)
    assert run_utility_cost(RunResult(req, Status.TIMEOUT, 10.0), u).exact
    capped = run_utility_cost(RunResult(req, Status.CAPPED, 3.0), u)
    assert not capped.exact and capped.value == 0.0
    assert run_utility_cost(RunResult(req, Status.SUCCESS, 3.0), u).value == 0.0


def test_ranking_orders_by_expected_utility():
    u = Utility(ConstantValue(), FixedCaptime(5.0))
    fast = expected_utility([1.0, 1.0], [False, False], u)
    slow = expected_utility([1.0, 5.0], [False, True], u)
    assert ranking({"slow": slow, "fast": fast}) == ["fast", "slow"]
