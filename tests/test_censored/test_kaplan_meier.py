import numpy as np
import pytest

from algoconf.censored.kaplan_meier import kaplan_meier, samples_from_results
from algoconf.records import RunRequest, RunResult, Status


def test_hand_computed_estimate_with_one_censoring():
    km = kaplan_meier([1, 2, 3, 4], [False, True, False, False])
    assert km.times.tolist() == [1, 3, 4]
    assert km.cdf == pytest.approx([0.25, 0.625, 1.0])
    assert km.complete and km.n_censored == 1


def test_censored_tail_leaves_estimate_incomplete():
    km = kaplan_meier([1, 2, 5, 5], [False, False, True, True])
    assert km.cdf[-1] == pytest.approx(0.5)
    assert not km.complete and km.horizon == 5
    assert km(10.0) == pytest.approx(0.5)  # beyond the horizon nothing more is known
    assert km(0.5) == 0.0


def test_without_censoring_equals_empirical_cdf():
    rng = np.random.default_rng(3)
    t = rng.exponential(size=200)
    km = kaplan_meier(t, np.zeros(200, bool))
    grid = np.quantile(t, [0.1, 0.5, 0.9])
    assert km(grid) == pytest.approx([(t <= g).mean() for g in grid])


def test_exact_event_counted_before_censoring_at_same_time():
    km = kaplan_meier([2, 2], [True, False])
    assert km.cdf.tolist() == [0.5]


def test_bad_input_rejected():
    with pytest.raises(ValueError):
        kaplan_meier([1, -1], [False, False])
    with pytest.raises(ValueError):
        kaplan_meier([1], [False, True])


def test_samples_from_results_drop_failures_keep_censoring():
    req = RunRequest({}, "i", 0, 10.0)
    rs = [
        RunResult(req, Status.SUCCESS, 1.0),
        RunResult(req, Status.TIMEOUT, 10.0),
        RunResult(req, Status.CAPPED, 3.0),
        RunResult(req, Status.CRASHED, 0.1),
    ]
    t, c = samples_from_results(rs)
    assert t.tolist() == [1.0, 10.0, 3.0] and c.tolist() == [False, True, True]
