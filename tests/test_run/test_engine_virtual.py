"""The engine on the virtual clock: budgets in virtual seconds, races first-to-finish, utilisation."""

from __future__ import annotations

import time

import pytest

from algoconf.execution.virtual import VirtualExecutor
from algoconf.history import RunHistory
from algoconf.records import Status
from algoconf.testing.tuners import synthetic_answer, synthetic_scenario
from algoconf.run.session import open_session


def _run(tmp_path, tuner, workers, **budget):
    scenario = synthetic_scenario(tmp_path / "sc", runs=budget.pop("runs", None))
    ex = VirtualExecutor(synthetic_answer, n_workers=workers, instances=scenario.train.names + scenario.test.names)
    with open_session(scenario, tmp_path / "run", tuner, workers=workers, progress=False, executor=ex,
                      **budget) as session:
        outcome = session.run()
        results = list(session.history)
    return outcome, ex, results


def test_wallclock_budget_is_virtual_seconds(tmp_path):
    t0 = time.monotonic()
    outcome, ex, results = _run(tmp_path, "random", 4, wallclock=200.0)
    assert "wall-clock budget" in outcome.stop_reason
    # the loop ends exactly at the budget on the virtual clock, long before 200 real seconds
    assert outcome.wallclock == pytest.approx(200.0)
    assert ex.now() == pytest.approx(200.0)
    assert time.monotonic() - t0 < 120
    finished = [r for r in results if r.finished - ex.epoch <= 200.0 + 1e-9]
    assert len(finished) == len(results) == outcome.runs  # runs still in flight at the end: not recorded
    assert outcome.runs > 4 * 200.0 / 2.0 * 0.5  # 4 workers kept busy (runs take < 2 s, the cutoff)


def test_parallel_time_shrinks_with_workers(tmp_path):
    one, ex1, _ = _run(tmp_path / "a", "random", 1, runs=60)
    four, ex4, _ = _run(tmp_path / "b", "random", 4, runs=60)
    assert one.runs == four.runs == 60
    assert ex4.now() < 0.5 * ex1.now()
    assert one.wallclock == pytest.approx(ex1.now())
    assert ex1.utilisation() == pytest.approx(1.0)  # one worker, a free caller: never idle
    assert ex1.busy_time() == pytest.approx(one.cpu_time)


def test_acband_races_are_first_to_finish_in_virtual_time(tmp_path):
    outcome, ex, results = _run(tmp_path, "acband", 4, runs=120)
    races = {}
    for r in results:
        if r.request.race is not None:
            races.setdefault(r.request.race, []).append(r)
    assert races
    for members in races.values():
        winners = [r for r in members if r.status is Status.SUCCESS]
        if len(members) < 2 or not winners:
            continue
        first = min(w.finished for w in winners)
        for r in members:
            if r.status is Status.CAPPED:  # stopped at the winner's (virtual) moment, never before it started
                assert r.finished == pytest.approx(first)
                assert r.runtime == pytest.approx(r.finished - r.started)
            elif r.status is Status.SUCCESS:
                assert r.finished >= first - 1e-9


def test_resume_adds_virtual_time(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=None)
    names = scenario.train.names + scenario.test.names
    for budget in (50.0, 120.0):
        ex = VirtualExecutor(synthetic_answer, n_workers=2, instances=names)
        with open_session(scenario, tmp_path / "run", "random", workers=2, progress=False, executor=ex,
                          wallclock=budget) as session:
            outcome = session.run()
    assert outcome.resumed and outcome.wallclock == pytest.approx(120.0)
    assert ex.now() == pytest.approx(70.0)  # the second session ran the 70 s left
    with RunHistory.open(tmp_path / "run") as history:
        assert len(history) == outcome.runs
