from __future__ import annotations

import numpy as np
import pytest

from algoconf.errors import SelectionInputError
from algoconf.records import RunRequest, RunResult, Status
from algoconf.selection.data.aslib import load_aslib
from algoconf.selection.data.aslib_writer import write_aslib
from algoconf.selection.offline.base import Selector
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.evaluation import evaluate, evaluate_conventions
from algoconf.selection.offline.presolve import greedy_presolve_schedule, run_schedule
from algoconf.selection.offline.regression import expected_par_cost, truncated_normal_mean
from algoconf.selection.offline.single_best import SingleBest


def _result(alg, inst, status, runtime, seed=0, bound=None):
    return RunResult(RunRequest({"algorithm": alg}, inst, seed, 10.0), Status(status), runtime)


def test_from_results_keeps_censoring_and_combines_seeds():
    results = [
        _result("a", "i1", "SUCCESS", 1.0),
        _result("a", "i1", "SUCCESS", 3.0, seed=1),
        _result("b", "i1", "CAPPED", 2.0),  # stopped early at 2 s: censored at 2, not at the cutoff
        _result("a", "i2", "CRASHED", 0.1),  # a crash never solves: censored at the cutoff
        _result("b", "i2", "TIMEOUT", 10.0),
        _result("b", "i2", "SUCCESS", 4.0, seed=1),  # one seed solved, one timed out: censored mean
    ]
    d = PerformanceData.from_results(results, cutoff=10.0, folds=None)
    assert d.algorithms == ("a", "b") and d.instances == ("i1", "i2")
    assert d.time[0, 0] == 2.0 and d.event[0, 0]
    assert d.time[0, 1] == 2.0 and not d.event[0, 1]
    assert d.time[1, 0] == 10.0 and not d.event[1, 0]
    assert d.time[1, 1] == 7.0 and not d.event[1, 1]
    assert d.cost().tolist() == [[2.0, 100.0], [100.0, 100.0]]
    with pytest.raises(SelectionInputError):
        PerformanceData.from_results([], cutoff=10.0)


def test_schedule_simulation_and_presolving():
    assert run_schedule([("a", 1.0), ("b", 5.0)], {"a": 2.0, "b": 3.0}, start=0.5, cutoff=10) == (True, 4.5)
    assert run_schedule([("a", 1.0)], {"a": 2.0}, start=0.0, cutoff=10) == (False, 1.0)
    assert run_schedule([("a", 9.0)], {"a": 8.0}, start=3.0, cutoff=10) == (False, 10.0)
    n = 20
    time = np.column_stack([np.r_[np.full(10, 0.5), np.full(10, 9.0)], np.full(n, 3.0)])
    d = PerformanceData(tuple(f"i{k}" for k in range(n)), ("fast", "slow"), time, np.ones((n, 2), bool),
                        np.ones((n, 2), bool), 10.0, np.zeros((n, 1)), ("f",), folds=np.arange(n) % 5 + 1)
    sched = greedy_presolve_schedule(d, budget=1.0, max_solvers=2)
    assert sched and sched[0][0] == "fast" and 0.5 <= sched[0][1] <= 1.0


def test_censored_helpers_are_consistent():
    mu = np.array([0.0, 1.0])
    m = truncated_normal_mean(mu, 0.5, np.array([1.0, 0.0]))
    assert m[0] > 1.0 and m[1] > 1.0
    # an algorithm predicted at 10^-1 s beats one predicted at the cutoff
    e = expected_par_cost(np.array([-1.0, 1.0]), 0.3, cutoff=10.0, par_factor=10)
    assert e[0] < 1.0 < e[1]


def test_mini_vbs_sbs_and_conventions(mini_dir):
    d = PerformanceData.from_aslib(load_aslib(mini_dir))
    charged, free, dropped = evaluate_conventions(SingleBest(), d, [("charge", "keep"), ("free", "keep"), ("charge", "drop")])
    cost = d.cost()
    assert charged.vbs_par10 == pytest.approx(cost.min(axis=1).mean())
    assert charged.sbs_par10 == pytest.approx(cost.mean(axis=0).min())
    assert charged.feature_cost == "charge" and free.feature_cost == "free" and dropped.unsolved == "drop"
    assert charged.mean_feature_cost == 0.0  # the single best computes no features
    assert dropped.n_instances == int(d.solved_any().sum())
    assert charged.par10 >= charged.vbs_par10


def test_feature_cost_is_charged(mini_dir):
    from algoconf.selection.offline.registry import make_selector

    d = PerformanceData.from_aslib(load_aslib(mini_dir))
    charged = evaluate(make_selector("sunny", random_state=0), d, feature_cost="charge")
    free = evaluate(make_selector("sunny", random_state=0), d, feature_cost="free")
    assert charged.mean_feature_cost > 0 and free.mean_feature_cost == 0
    assert charged.par10 >= free.par10 - 1e-9


def test_write_then_load_round_trips(mini_dir, tmp_path):
    d = PerformanceData.from_aslib(load_aslib(mini_dir))
    back = PerformanceData.from_aslib(load_aslib(write_aslib(d, tmp_path / "copy")))
    assert back.instances == d.instances and back.algorithms == d.algorithms
    assert np.allclose(back.cost(), d.cost()) and np.array_equal(back.folds, d.folds)
    assert np.allclose(back.features, d.features, equal_nan=True)
    assert list(back.feature_steps) == list(d.feature_steps)


def test_evaluate_needs_folds(mini_dir):
    from dataclasses import replace

    d = PerformanceData.from_aslib(load_aslib(mini_dir))
    with pytest.raises(SelectionInputError):
        evaluate(SingleBest(), replace(d, folds=np.full(d.n_instances, -1)))
    with pytest.raises(SelectionInputError):
        evaluate(SingleBest(), d, feature_cost="sometimes")


def test_predict_before_fit_and_unknown_params_raise():
    from algoconf.selection.offline.registry import make_selector

    with pytest.raises(SelectionInputError):
        make_selector("regression").predict(np.zeros((1, 3)))
    with pytest.raises(SelectionInputError):
        make_selector("regression", no_such_parameter=1)
    with pytest.raises(SelectionInputError):
        make_selector("no-such-selector")
    assert isinstance(make_selector("isac"), Selector)
