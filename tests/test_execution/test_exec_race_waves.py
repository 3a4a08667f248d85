"""Races with more arms than free workers: waves, later waves capped at the best arm's time, fair in
any submission order (the Race rule alone, the simulated target, and real minisat runs)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from ConfigSpace import ConfigurationSpace, Float

from algoconf.execution import LocalExecutor
from algoconf.execution.base import never_started, stopped_before_start
from algoconf.execution.racing import RACE_SLACK, Race, run_race, settle_wave
from algoconf.records import RunRequest, RunResult, Status
from algoconf.targets import CommandTarget
from algoconf.tuners.simulated import RuntimeMatrix, SimulatedExecutor
from execution_support import cnf_instances


def _arms(*configs, cutoff=10.0, bound=None):
    return [RunRequest({"x": x}, "i1", 1, cutoff, bound=bound, race="r") for x in configs]


def _done(request, status, runtime):
    return RunResult(request, status, runtime)


# --- the rule -------------------------------------------------------------------------------------
def test_one_worker_runs_arms_in_turn_and_caps_the_later_one():
    race = Race(_arms(0.1, 0.9))
    [(i, first)] = race.start(1)
    assert i == 0 and first.bound is None
    assert race.start(1) == []  # the wave runs: the next arm's bound is not known yet
    step = race.finish(0, _done(first, Status.SUCCESS, 2.0))
    assert step.stop == () and [r.runtime for r in step.results] == [2.0]
    [(j, second)] = race.start(1)
    assert j == 1 and second.bound == pytest.approx(2.0 * RACE_SLACK)
    race.finish(1, _done(second, Status.CAPPED, 2.2))
    outcome = race.outcome()
    assert race.done and outcome.winner == 0 and outcome.results[1].status is Status.CAPPED


def test_a_later_faster_arm_wins():
    race = Race(_arms(0.9, 0.1))
    [(_, slow)] = race.start(1)
    race.finish(0, _done(slow, Status.SUCCESS, 5.0))
    [(_, fast)] = race.start(1)
    race.finish(1, _done(fast, Status.SUCCESS, 1.0))
    assert race.outcome().winner == 1


def test_first_success_of_a_wave_stops_its_wave_mates_only():
    race = Race(_arms(0.1, 0.5, 0.9))
    wave = race.start(2)
    assert [i for i, _ in wave] == [0, 1] and race.waiting == 1
    step = race.finish(1, _done(wave[1][1], Status.SUCCESS, 1.5))
    assert step.stop == (0,)
    step = race.finish(0, _done(wave[0][1], Status.CAPPED, 1.5))
    assert step.stop == ()  # a second result of the wave stops nobody
    [(i, last)] = race.start(2)
    assert i == 2 and last.bound == pytest.approx(1.5 * RACE_SLACK)


def test_an_arm_stopped_before_it_started_is_run_again_not_recorded():
    race = Race(_arms(0.1, 0.9))
    wave = race.start(2)
    race.finish(0, _done(wave[0][1], Status.SUCCESS, 1.0))
    step = race.finish(1, stopped_before_start(wave[1][1]))
    assert step.results == () and race.waiting == 1 and not race.done
    [(i, again)] = race.start(1)
    assert i == 1 and again.bound == pytest.approx(1.0 * RACE_SLACK)
    race.finish(1, _done(again, Status.CAPPED, 1.1))
    assert not any(never_started(r) for r in race.outcome().results)


def test_no_success_gives_no_bound_and_no_winner():
    race = Race(_arms(0.1, 0.9))
    [(_, a)] = race.start(1)
    race.finish(0, _done(a, Status.TIMEOUT, 10.0))
    [(_, b)] = race.start(1)
    assert b.bound is None
    race.finish(1, _done(b, Status.CRASHED, 0.1))
    assert race.outcome().winner is None


def test_bound_never_exceeds_the_cutoff_nor_the_requests_own_bound():
    race = Race(_arms(0.1, 0.9, cutoff=3.0))
    [(_, a)] = race.start(1)
    race.finish(0, _done(a, Status.SUCCESS, 2.9))
    [(_, b)] = race.start(1)
    assert b.bound == 3.0
    race = Race(_arms(0.1, 0.9, bound=1.2))
    [(_, a)] = race.start(1)
    race.finish(0, _done(a, Status.SUCCESS, 1.0))
    [(_, b)] = race.start(1)
    assert b.bound == pytest.approx(1.1)
    assert race.unfinished() == [b]


def test_instant_results_are_held_until_the_wave_is_complete_then_settled():
    race = Race(_arms(0.9, 0.1, 0.5), instant=True)
    wave = race.start(2)
    assert race.finish(0, _done(wave[0][1], Status.TIMEOUT, 10.0)).results == ()
    step = race.finish(1, _done(wave[1][1], Status.SUCCESS, 1.0))
    assert [(r.status, r.runtime) for r in step.results] == [(Status.CAPPED, 1.0), (Status.SUCCESS, 1.0)]
    assert step.stop == ()
    assert settle_wave([_done(wave[0][1], Status.CRASHED, 4.0)])[0].status is Status.CRASHED


def test_a_race_is_on_one_instance_with_a_sane_slack():
    with pytest.raises(ValueError, match="one instance"):
        Race([RunRequest({}, "i1", 1, 1.0), RunRequest({}, "i2", 1, 1.0)])
    with pytest.raises(ValueError, match="slack"):
        Race(_arms(0.1), slack=0.5)


# --- the simulated target -------------------------------------------------------------------------
def _matrix() -> RuntimeMatrix:
    space = ConfigurationSpace(seed=0)
    space.add(Float("x", (0.0, 1.0), default=0.5))
    configs = [{"x": 0.1}, {"x": 0.9}]  # fast, slow
    return RuntimeMatrix(np.array([[0.4], [3.0]]), np.array([[True], [True]]), configs, ["i1"], 10.0, space)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("order", [(0.1, 0.9), (0.9, 0.1)])
def test_simulated_race_is_won_by_the_fast_arm_in_both_orders(workers, order):
    matrix = _matrix()
    ex = SimulatedExecutor(matrix.answer, n_workers=workers)
    outcome = run_race(ex, _arms(*order))
    fast = order.index(0.1)
    assert outcome.winner == fast and outcome.best.runtime == pytest.approx(0.4)
    loser = outcome.results[1 - fast]
    assert loser.runtime >= 0.4 and not never_started(loser)
    if workers == 1 and fast == 0:  # a later arm: capped at the winner's time x slack
        assert loser.status is Status.CAPPED and loser.request.bound == pytest.approx(0.4 * RACE_SLACK)
        assert loser.runtime == loser.request.bound
    elif workers == 1:  # the slow arm ran first, alone, to its end
        assert loser.status is Status.SUCCESS and loser.runtime == 3.0
    else:  # started together: settled as stopped at the winner's time
        assert loser.status is Status.CAPPED and loser.runtime == pytest.approx(0.4)


# --- real minisat runs ----------------------------------------------------------------------------
# u200-5 (seeded): default minisat ~0.23 s of CPU, var-decay=0.5 ~1.4 s (measured 6x apart)
FAST, SLOW = {}, {"var-decay": 0.5}


@pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")
@pytest.mark.parametrize("workers", [1, 2])
def test_real_minisat_race_is_won_by_the_fast_configuration_in_both_orders(tmp_path, workers):
    instances = cnf_instances(tmp_path, 200, [5])
    target = CommandTarget("minisat -verb=0 {instance}", "-name=value", "sat")
    with LocalExecutor(target, instances, n_workers=workers) as ex:
        for configs, fast in (((FAST, SLOW), 0), ((SLOW, FAST), 1)):
            requests = [RunRequest(c, "u200-5", 1, 20.0, race="m") for c in configs]
            outcome = run_race(ex, requests, timeout=120)
            summary = [(r.status.value, r.runtime, r.request.bound) for r in outcome.results]
            assert outcome.winner == fast, summary
            best, loser = outcome.best, outcome.results[1 - fast]
            assert best.status is Status.SUCCESS and best.info["answer"] in ("SAT", "UNSAT"), summary
            assert not never_started(loser) and loser.runtime > 0, summary
            if workers == 1 and fast == 0:  # the slow arm ran second, stopped at the cap
                assert loser.status is Status.CAPPED and loser.runtime >= best.runtime, summary
                assert loser.request.bound == pytest.approx(best.runtime * RACE_SLACK), summary
            elif workers == 1:  # the slow arm ran first to the end; the fast one beat its cap
                assert loser.status is Status.SUCCESS and loser.runtime > best.runtime, summary
            else:  # started together: the slow one was stopped when the fast one finished
                assert loser.status is Status.CAPPED and loser.info.get("killed_by") == "stop", summary
