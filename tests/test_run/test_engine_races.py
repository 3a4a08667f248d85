"""The engine runs races with more arms than free workers in waves: progress on one worker, the
fastest arm wins in any submission order, no arm is recorded "stopped before it started", and the
arms still waiting for a worker survive a stop and resume with their bound."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pytest
from ConfigSpace import ConfigurationSpace, Float

from algoconf.execution import LocalExecutor
from algoconf.execution.base import never_started
from algoconf.run.engine import Engine, EngineLimits
from algoconf.execution.racing import RACE_SLACK
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult, Status
from algoconf.testing.tuners import synthetic_scenario
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.run.session import build_executor, open_session
from algoconf.tuners.simulated import RuntimeMatrix, SimulatedExecutor

FAST, MID, SLOW = 0.1, 0.5, 0.9  # x of a configuration: runtime 0.4, 1.5, 3.0 on every instance


def _space() -> ConfigurationSpace:
    space = ConfigurationSpace(seed=0)
    space.add(Float("x", (0.0, 1.0), default=0.5))
    return space


def _matrix(instances: Sequence[str]) -> RuntimeMatrix:
    rows = [[0.4] * len(instances), [1.5] * len(instances), [3.0] * len(instances)]
    configs = [{"x": FAST}, {"x": MID}, {"x": SLOW}]
    return RuntimeMatrix(np.array(rows), np.ones((3, len(instances)), bool), configs, list(instances), 10.0,
                         _space())


class ScriptedRaces(Tuner):
    """Asks the given races (lists of x values), one race per instance, whole races only."""

    name = "scripted-races"
    supports_racing = True

    def __init__(self, problem: TuningProblem, seed: int = 0, *, races: Sequence[Sequence[float]] = ()):
        super().__init__(problem, seed)
        self.races = [list(r) for r in races]
        self.next = 0
        self.told: list[RunResult] = []

    @property
    def race_size(self) -> int:
        return max(len(r) for r in self.races)

    def ask(self, n: int = 1) -> list[RunRequest]:
        out: list[RunRequest] = []
        while self.next < len(self.races) and len(out) + len(self.races[self.next]) <= n:
            i = self.next
            out += [RunRequest({"x": x}, f"i{i}", 1, 10.0, race=f"race{i}") for x in self.races[i]]
            self.next += 1
        return out

    def tell(self, results: Sequence[RunResult]) -> None:
        self.told.extend(results)

    @property
    def incumbent(self) -> dict[str, Any] | None:
        return None

    @property
    def finished(self) -> bool:
        return self.next >= len(self.races)

    def state(self) -> dict[str, Any]:
        return {"next": self.next, "races": self.races}

    @classmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "ScriptedRaces":
        tuner = cls(problem, races=state["races"])
        tuner.next = int(state["next"])
        return tuner


def _engine(tmp_path, races, workers, runs=None):
    instances = [f"i{i}" for i in range(len(races))]
    problem = TuningProblem(space=_space(), instances=tuple(instances), cutoff=10.0)
    tuner = ScriptedRaces(problem, races=races)
    executor = SimulatedExecutor(_matrix(instances).answer, n_workers=workers)
    history = RunHistory.open(tmp_path / "run")
    return Engine(tuner, executor, history, EngineLimits(runs=runs), progress=False), history


def _by_race(results):
    out: dict[str, list[RunResult]] = {}
    for r in results:
        out.setdefault(r.request.race, []).append(r)
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_races_of_more_arms_than_workers_are_won_by_the_fastest_arm_in_any_order(tmp_path, workers):
    races = [[FAST, SLOW], [SLOW, FAST], [SLOW, MID, FAST], [FAST, MID, SLOW], [MID, SLOW, FAST]]
    engine, history = _engine(tmp_path, races, workers)
    with history:
        outcome = engine.run()
        stored = list(history)
    assert outcome.stop_reason == "tuner finished"
    assert len(stored) == sum(len(r) for r in races) == len(engine.tuner.told)
    for members in _by_race(stored).values():
        summary = [(r.request.config["x"], r.status.value, r.runtime, r.request.bound) for r in members]
        successes = [r for r in members if r.status is Status.SUCCESS]
        winner = min(successes, key=lambda r: r.runtime)
        assert winner.request.config["x"] == FAST and winner.runtime == pytest.approx(0.4), summary
        for r in members:
            assert not never_started(r) and r.runtime >= 0.4 - 1e-12, summary
            assert r is winner or r.censored or r.runtime > winner.runtime, summary


def test_one_worker_caps_the_later_arm_at_the_best_time_times_the_slack(tmp_path):
    engine, history = _engine(tmp_path, [[FAST, SLOW]], workers=1)
    with history:
        engine.run()
        fast, slow = sorted(history, key=lambda r: r.request.config["x"])
    assert fast.status is Status.SUCCESS and fast.request.bound is None
    assert slow.request.bound == pytest.approx(0.4 * RACE_SLACK)
    assert slow.status is Status.CAPPED and slow.runtime == pytest.approx(0.4 * RACE_SLACK)


@pytest.mark.parametrize("snapshot_ratio", [0.0, float("inf")])  # the arm in the snapshot / in the journal
def test_arms_waiting_for_a_worker_are_saved_with_their_bound_and_resumed(tmp_path, snapshot_ratio):
    races = [[FAST, SLOW]]
    problem = TuningProblem(space=_space(), instances=("i0",), cutoff=10.0)

    def engine(limits):
        history = RunHistory.open(tmp_path / "run")
        executor = SimulatedExecutor(_matrix(["i0"]).answer, n_workers=1)
        return Engine.start(ScriptedRaces, problem, executor, history, limits, options={"races": races},
                            progress=False, snapshot_ratio=snapshot_ratio), history

    first, history = engine(EngineLimits(runs=1))
    with history:
        assert "run budget" in first.run().stop_reason
        assert [r.request.config["x"] for r in history] == [FAST]
    # resume: the waiting arm is submitted again with the bound the race's finished arm gives it
    second, history2 = engine(EngineLimits())
    with history2:
        # rebuilt from the snapshot, or replayed from the journal (which tells the finished arm again)
        replayed = [FAST] if snapshot_ratio == float("inf") else []
        assert second.tuner.next == 1
        assert [r.request.config["x"] for r in second.tuner.told] == replayed
        second.run()
        results = sorted(history2, key=lambda r: r.request.config["x"])
        assert [r.request.config["x"] for r in second.tuner.told] == replayed + [SLOW]
    assert [r.status for r in results] == [Status.SUCCESS, Status.CAPPED]
    assert results[1].request.bound == pytest.approx(0.4 * RACE_SLACK)
    assert results[1].runtime == pytest.approx(0.4 * RACE_SLACK)


def test_two_workers_stay_busy_with_races_of_three_arms(tmp_path):
    """While a race's wave runs, a free worker starts another race rather than idle."""
    races = [[SLOW, MID, FAST]] * 4
    engine, history = _engine(tmp_path, races, workers=2)
    seen = []
    real_fill = engine._fill

    def fill():
        real_fill()
        seen.append(len(engine._running))

    engine._fill = fill
    with history:
        engine.run()
        assert len(history) == 12
    assert max(seen) == 2 and all(n >= 1 for n in seen[:-1])


def test_acband_on_one_real_worker_never_records_an_arm_stopped_before_it_started(tmp_path):
    """AC-Band races k = 2 arms on one LocalExecutor worker (synthetic PythonTarget): each later arm
    runs capped at the first arm's time x slack; no arm is CAPPED at 0 s and the fastest arm of
    every race is its winner."""
    scenario = synthetic_scenario(tmp_path / "sc", runs=40, cutoff=6.0)
    executor = build_executor(scenario, 1, None)
    assert isinstance(executor, LocalExecutor)
    with open_session(scenario, tmp_path / "run", "acband", workers=1, progress=False, executor=executor) as s:
        s.run()
        stored = list(s.history)
    executor.close()
    races = {rid: members for rid, members in _by_race(stored).items() if rid is not None}
    assert len(races) >= 5 and all(len(m) == 2 for m in races.values())
    bounded = 0
    for members in races.values():
        summary = [(r.status.value, r.runtime, r.request.bound, r.info.get("reason")) for r in members]
        assert not any(never_started(r) or r.info.get("reason") == "stopped before it started"
                       for r in members), summary
        successes = [r for r in members if r.status is Status.SUCCESS]
        if successes:
            best = min(r.runtime for r in successes)
            assert all(r.runtime >= best for r in members), summary
            first, second = members  # in submission order (one worker)
            if first.status is Status.SUCCESS:
                assert second.request.bound == pytest.approx(min(6.0, first.runtime * RACE_SLACK)), summary
                bounded += 1
    assert bounded >= 3  # later arms ran capped at the first arm's time x slack
