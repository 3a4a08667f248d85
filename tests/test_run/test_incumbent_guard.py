"""The incumbent guard: a tuned incumbent is returned only when it beat the default on the same
instance-seed pairs; its runs go through the engine's executor and history, within the budgets."""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from typing import Any, Mapping, Sequence

import pytest

from algoconf.execution.base import Executor
from algoconf.run.engine import Engine, EngineLimits
from algoconf.run.incumbent_guard import GuardReserve, IncumbentGuard
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.testing.tuners import synthetic_scenario
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.tuners.sampling import default_config
from algoconf.tuners.simulated import SimulatedExecutor

FINGERPRINT = {"test": "incumbent guard"}


# --- helpers --------------------------------------------------------------------------------------
@pytest.fixture
def problem(tmp_path) -> TuningProblem:
    return synthetic_scenario(tmp_path / "sc", n_train=8, runs=None).tuning_problem()


def _default(problem: TuningProblem) -> dict[str, Any]:
    return default_config(problem.space)


def _other(problem: TuningProblem, decay: float = 0.8) -> dict[str, Any]:
    return {**_default(problem), "decay": decay}


def _answer(times: Mapping[str, float], cutoff: float = 2.0):
    """Runtime by configuration key (seconds), the same on every pair; TIMEOUT above the cutoff."""
    def answer(request: RunRequest) -> RunResult:
        t = times[request.config_key]
        if t > cutoff:
            return RunResult(request, Status.TIMEOUT, cutoff, wallclock=cutoff)
        return RunResult(request, Status.SUCCESS, t, wallclock=t)
    return answer


class ScriptTuner(Tuner):
    """Asks for a fixed list of runs (then, with ``then``, for runs of ``then`` on fresh seeds
    forever); its incumbent is ``incumbent`` once anything was told."""

    name = "script"

    def __init__(self, problem: TuningProblem, seed: int = 0, *, runs: Sequence[tuple[dict, str, int]] = (),
                 incumbent: dict | None = None, then: dict | None = None, then_race: bool = False,
                 switch: tuple[int, dict] | None = None):
        super().__init__(problem, seed)
        self._runs = list(runs)
        self._incumbent = incumbent
        self._then, self._then_race, self._switch = then, then_race, switch
        self._asked = 0
        self._told = 0

    def ask(self, n: int = 1) -> list[RunRequest]:
        out = []
        while len(out) < n:
            if self._asked < len(self._runs):
                config, instance, seed = self._runs[self._asked]
            elif self._then is not None:
                i = self._asked
                config, instance, seed = self._then, self.problem.instances[i % len(self.problem.instances)], 1000 + i
                if self._then_race:
                    out.append(RunRequest(config, instance, seed, self.problem.cutoff, race=f"r{i}"))
                    self._asked += 1
                    continue
            else:
                break
            out.append(RunRequest(config, instance, seed, self.problem.cutoff))
            self._asked += 1
        return out

    def tell(self, results: Sequence[RunResult]) -> None:
        self._told += len(results)

    @property
    def incumbent(self) -> dict | None:
        if self._switch is not None and self._told >= self._switch[0]:
            return self._switch[1]
        return self._incumbent if self._told else None

    @property
    def finished(self) -> bool:
        return self._then is None and self._asked >= len(self._runs) and self._told >= self._asked

    def state(self) -> dict:
        return {"asked": self._asked, "told": self._told}

    @classmethod
    def from_state(cls, problem, state):  # not resumed in these tests
        raise NotImplementedError


class SleepingExecutor(Executor):
    """Runs that take real wall-clock time (``scale`` x the answer's runtime) on ``n_workers``
    threads; ``stop`` ends a run now as CAPPED, ``cancel`` withdraws a queued one."""

    def __init__(self, answer, n_workers: int = 1, scale: float = 1.0):
        super().__init__(target=None, instances={})  # type: ignore[arg-type]
        self.n_workers = n_workers
        self._answer, self._scale = answer, scale
        self._pool = cf.ThreadPoolExecutor(n_workers)
        self._stops: dict[cf.Future, threading.Event] = {}

    def submit(self, request: RunRequest) -> cf.Future:
        stop = threading.Event()

        def run() -> RunResult:
            result = self._answer(request)
            t0 = time.monotonic()
            if stop.wait(result.runtime * self._scale):
                t = (time.monotonic() - t0) / self._scale
                return RunResult(request, Status.CAPPED, t, wallclock=t)
            return result

        future = self._pool.submit(run)
        self._stops[future] = stop
        return future

    def stop(self, future: cf.Future) -> None:
        self._stops[future].set()

    def cancel(self, future: cf.Future) -> bool:
        return future.cancel()

    def close(self) -> None:
        for stop in self._stops.values():
            stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _store(history: RunHistory, config: dict, pairs, status=Status.SUCCESS, runtime=1.0, race=None) -> None:
    history.commit([RunResult(RunRequest(config, i, s, 2.0, race=race), status, runtime, wallclock=runtime)
                    for i, s in pairs])


# --- planning and judging on a stored history ------------------------------------------------------
def test_plan_reuses_pairs_both_configurations_ran_and_judges_on_them(tmp_path, problem):
    x, d = _other(problem), _default(problem)
    guard = IncumbentGuard(5, seed=1)
    pairs = [(problem.instances[i], 7) for i in range(6)]
    with RunHistory.open(tmp_path / "h", fingerprint=FINGERPRINT) as history:
        _store(history, x, pairs, runtime=0.5)
        _store(history, d, pairs, runtime=1.0)
        plan = guard.plan(problem, history, x)
        assert plan.requests == () and sorted(plan.pairs) == sorted(pairs)
        verdict = guard.judge(problem, history, x, plan)
    assert verdict.accepted and verdict.verdict == "accepted" and verdict.pairs == 6
    assert verdict.candidate_cost == pytest.approx(0.5) and verdict.default_cost == pytest.approx(1.0)


def test_raced_and_capped_runs_are_not_evidence(tmp_path, problem):
    """Race runs (the loser CAPPED, the winner exact) would keep exactly the pairs an arm won: the
    guard ignores them and plans fresh pairs, two runs each, on keys neither configuration ran."""
    x, d = _other(problem), _default(problem)
    guard = IncumbentGuard(5, seed=1)
    pairs = [(problem.instances[i], 3) for i in range(5)]
    with RunHistory.open(tmp_path / "h", fingerprint=FINGERPRINT) as history:
        _store(history, x, pairs, runtime=0.4, race="r")
        _store(history, d, pairs, status=Status.CAPPED, runtime=0.4, race="r")
        plan = guard.plan(problem, history, x)
        assert len(plan.pairs) == 5 and not set(plan.pairs) & set(pairs)
        assert len(plan.requests) == 10
        assert {r.config_key for r in plan.requests} == {config_key(x), config_key(d)}
        assert all(r.key not in history for r in plan.requests)
        assert len({r.instance for r in plan.requests}) == 5  # fresh pairs spread over instances
        verdict = guard.judge(problem, history, x, plan)
    assert not verdict.accepted and verdict.verdict == "default kept" and verdict.pairs == 0
    assert "0 of the 5" in verdict.reason


def test_one_sided_pairs_are_completed_before_fresh_ones(tmp_path, problem):
    x, d = _other(problem), _default(problem)
    with RunHistory.open(tmp_path / "h", fingerprint=FINGERPRINT) as history:
        _store(history, x, [(problem.instances[i], 9) for i in range(3)])
        plan = IncumbentGuard(5, seed=0).plan(problem, history, x)
    defaults = [r for r in plan.requests if r.config_key == config_key(d)]
    assert len(plan.requests) == 3 + 2 * 2  # default on x's 3 pairs, then 2 fresh pairs
    assert {(r.instance, r.seed) for r in defaults} >= {(problem.instances[i], 9) for i in range(3)}


def test_min_pairs_is_capped_at_the_training_instances(problem):
    assert IncumbentGuard(5).needed(problem) == 5
    assert IncumbentGuard(50).needed(problem) == len(problem.instances) == 8


def test_a_timeout_counts_at_its_par_cost(tmp_path, problem):
    x, d = _other(problem), _default(problem)
    pairs = [(problem.instances[i], 1) for i in range(5)]
    with RunHistory.open(tmp_path / "h", fingerprint=FINGERPRINT) as history:
        _store(history, x, pairs[:4], runtime=0.1)
        _store(history, x, pairs[4:], status=Status.TIMEOUT, runtime=2.0)
        _store(history, d, pairs, runtime=1.0)
        verdict = IncumbentGuard(5).judge(problem, history, x)
    assert verdict.candidate_cost == pytest.approx((4 * 0.1 + 20.0) / 5)
    assert not verdict.accepted and "not better" in verdict.reason


# --- the engine's guard phase ----------------------------------------------------------------------
def _engine(tmp_path, problem, tuner, executor, limits, min_pairs=5):
    history = RunHistory.open(tmp_path / "run", fingerprint=FINGERPRINT)
    return Engine(tuner, executor, history, limits, guard=IncumbentGuard(min_pairs, seed=2)), history


@pytest.mark.parametrize("x_time, accepted", [(0.5, True), (1.5, False)])
def test_engine_returns_the_candidate_only_when_it_beat_the_default(tmp_path, problem, x_time, accepted):
    x, d = _other(problem), _default(problem)
    tuner = ScriptTuner(problem, runs=[(x, problem.instances[0], 1), (x, problem.instances[1], 1)], incumbent=x)
    ex = SimulatedExecutor(_answer({config_key(x): x_time, config_key(d): 1.0}))
    engine, history = _engine(tmp_path, problem, tuner, ex, EngineLimits(runs=100))
    with history:
        outcome = engine.run()
        guard_runs = [r for r in history.results() if r.info.get("guard")]
    assert outcome.guard["pairs"] == 5 and outcome.guard["accepted"] is accepted
    assert outcome.guard["candidate_key"] == config_key(x)
    assert outcome.incumbent == (x if accepted else d)
    assert outcome.incumbent_key == config_key(x if accepted else d)
    # default on x's 2 pairs + 3 fresh pairs for both: recorded, tagged, counted
    assert len(guard_runs) == 2 + 3 * 2 == outcome.guard["new_runs"]
    assert outcome.runs == 2 + 8
    if not accepted:
        assert "not better" in outcome.guard["reason"] and "default is kept" in outcome.guard["reason"]


def test_guard_keeps_the_default_when_the_budget_leaves_no_room_and_a_resume_finishes_it(tmp_path, problem):
    x, d = _other(problem), _default(problem)
    answer = _answer({config_key(x): 0.5, config_key(d): 1.0})
    tuner = ScriptTuner(problem, runs=[(x, problem.instances[0], 1)], incumbent=x)
    engine, history = _engine(tmp_path, problem, tuner, SimulatedExecutor(answer), EngineLimits(runs=4))
    with history:
        outcome = engine.run()
    assert outcome.runs == 4  # 1 tuner run + 3 of the guard's 9: the run budget is not overshot
    assert not outcome.guard["accepted"] and outcome.incumbent == d
    assert "budget ended first" in outcome.guard["reason"] and outcome.guard["pairs"] < 5
    # the same run directory with a larger budget: the guard plans what is missing and accepts
    tuner = ScriptTuner(problem, runs=[(x, problem.instances[0], 1)], incumbent=x)
    tuner._asked = tuner._told = 1  # the tuner as it was (its own state is not what this tests)
    history = RunHistory.open(tmp_path / "run", fingerprint=FINGERPRINT)
    with history:
        outcome = Engine(tuner, SimulatedExecutor(answer), history, EngineLimits(runs=20),
                         guard=IncumbentGuard(5, seed=2)).run()
        assert len(history) == 1 + 9
    assert outcome.guard["accepted"] and outcome.incumbent == x and outcome.runs == 10


def test_the_default_as_incumbent_needs_no_guard_runs(tmp_path, problem):
    d = _default(problem)
    tuner = ScriptTuner(problem, runs=[(d, problem.instances[0], 1)], incumbent=d)
    engine, history = _engine(tmp_path, problem, tuner, SimulatedExecutor(_answer({config_key(d): 1.0})),
                              EngineLimits(runs=10))
    with history:
        outcome = engine.run()
    assert outcome.runs == 1 and outcome.guard["verdict"] == "candidate is the default"
    assert outcome.incumbent == d


@pytest.mark.parametrize("budget", ["wallclock", "cpu_time"])
def test_tuning_keeps_a_reserve_so_tuning_plus_guard_stay_within_the_budget(tmp_path, problem, budget):
    """Real waiting: runs of 0.1-0.2 s on one worker, a 3 s budget; the tuner never stops by itself.
    The guard needs 8 runs for the candidate; the total stays within the budget and the guard ends."""
    x, d, y = _other(problem), _default(problem), _other(problem, decay=0.9)
    answer = _answer({config_key(x): 0.1, config_key(d): 0.2, config_key(y): 0.15})
    runs = [(d, problem.instances[0], 1), (x, problem.instances[1], 1)]
    tuner = ScriptTuner(problem, runs=runs, incumbent=x, then=y)
    ex = SleepingExecutor(answer, n_workers=1)
    engine, history = _engine(tmp_path, problem, tuner, ex, EngineLimits(**{budget: 3.0}))
    try:
        with history:
            outcome = engine.run()
            guard_runs = [r for r in history.results() if r.info.get("guard")]
    finally:
        ex.close()
    used = outcome.wallclock if budget == "wallclock" else outcome.cpu_time
    assert used <= 3.0 * 1.05, used
    assert len(guard_runs) == 8 and outcome.guard["pairs"] == 5 and outcome.guard["accepted"]
    assert outcome.runs > 12  # tuning went on until the reserve, not stopped at the start


def test_before_any_run_finished_only_runs_are_reserved(tmp_path, problem):
    x = _other(problem)
    guard = IncumbentGuard(5, seed=0)
    with RunHistory.open(tmp_path / "h", fingerprint=FINGERPRINT) as history:
        assert guard.reserve(problem, history, None) == GuardReserve()
        assert guard.reserve(problem, history, x) == GuardReserve(10, 0.0, 0.0)
        r = guard.reserve(problem, history, x, typical=(0.5, 0.6))
        assert (r.runs, r.wallclock, r.cpu_time) == (10, pytest.approx(9.0), pytest.approx(7.5))


def test_an_incumbent_found_too_late_leaves_the_guard_to_the_previous_one(tmp_path, problem):
    """x is compared on 2 pairs (reserve: 3 fresh pairs, 6 runs); y becomes the tuner's incumbent when
    its reserve (10 runs: its runs are races) no longer fits in the run budget: the guard judges x."""
    x, d, y = _other(problem), _default(problem), _other(problem, decay=0.9)
    answer = _answer({config_key(x): 0.5, config_key(d): 1.0, config_key(y): 0.2})
    runs = [(d, problem.instances[0], 1), (x, problem.instances[0], 1), (d, problem.instances[1], 1),
            (x, problem.instances[1], 1)]
    tuner = ScriptTuner(problem, runs=runs, incumbent=x, then=y, then_race=True, switch=(12, y))
    engine, history = _engine(tmp_path, problem, tuner, SimulatedExecutor(answer), EngineLimits(runs=20))
    with history:
        outcome = engine.run()
    assert tuner.incumbent == y and outcome.runs == 20
    assert outcome.guard["candidate_key"] == config_key(x) and outcome.guard["accepted"]
    assert outcome.guard["tuner_incumbent_key"] == config_key(y) and "too late" in outcome.guard["reason"]
    assert outcome.incumbent == x
