"""The engine loop: budgets, history before tell, answered-from-history, failure stops, callbacks,
and kill -9 + resume equal to an uninterrupted run (real subprocess)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from algoconf.errors import FailureRateExceeded, HistoryError, RunAborted
from algoconf.history import RunHistory
from algoconf.records import RunResult, Status
from algoconf.testing.tuners import synthetic_answer, synthetic_run, synthetic_scenario
from algoconf.tuners import TUNERS, get_tuner
from algoconf.run.session import open_session
from algoconf.tuners.simulated import SimulatedExecutor


def _tuner_or_skip(name):
    try:
        return get_tuner(name)
    except ImportError as err:
        pytest.skip(f"{name}: optional dependency missing ({err})")


@pytest.mark.parametrize("name", ["random", "acband"])
def test_run_budget_is_respected_and_everything_recorded(tmp_path, name):
    out = synthetic_run(str(tmp_path / "run"), str(tmp_path / "sc"), name, runs=25, workers=2)
    assert out["runs"] <= 25 and out["runs"] >= 20
    assert "budget" in out["stop"] or out["stop"] == "tuner finished"  # a race that no longer fits
    with RunHistory.open(tmp_path / "run") as history:
        assert len(history) == out["runs"]
        assert history.load_state("tuner")["tuner"] == name


def test_cpu_budget_stops_the_loop(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=None)
    ex = SimulatedExecutor(synthetic_answer, n_workers=2)
    with open_session(scenario, tmp_path / "run", "random", cpu_time=5.0, progress=False, executor=ex) as s:
        outcome = s.run()
    assert "CPU-time budget" in outcome.stop_reason
    assert outcome.cpu_time >= 5.0 and outcome.cpu_time < 5.0 + 2 * scenario.cutoff + 1e-9


def test_wallclock_budget_stops_the_loop(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=None)
    ex = SimulatedExecutor(synthetic_answer, n_workers=1, delay=0.01)
    t0 = time.monotonic()
    with open_session(scenario, tmp_path / "run", "random", wallclock=0.5, progress=False, executor=ex) as s:
        outcome = s.run()
    assert "wall-clock" in outcome.stop_reason
    assert time.monotonic() - t0 < 3.0


def test_known_runs_are_answered_from_the_history_not_rerun(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=20)
    calls = []

    def counting(request):
        calls.append(request.key)
        return synthetic_answer(request)

    with open_session(scenario, tmp_path / "a", "random", seed=3, progress=False,
                      executor=SimulatedExecutor(counting)) as s:
        s.run()
        results = list(s.history)
    # a fresh run directory pre-filled with the same results: the same seeded tuner asks the same
    # runs, and every one of them is answered from the history
    with RunHistory.open(tmp_path / "b", scenario) as h:
        h.commit(results)
    calls.clear()
    with open_session(scenario, tmp_path / "b", "random", seed=3, progress=False,
                      executor=SimulatedExecutor(counting)) as s:
        outcome = s.run()
    assert calls == []
    assert outcome.runs == 20


def test_failure_rate_stop_is_clean_and_resumable(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=40, extra="max_failure_rate: 0.3\nmin_runs_for_failure_rate: 6\n")

    def crashing(request):
        return RunResult(request, Status.CRASHED, 0.01, info={"stderr_tail": "boom"})

    with pytest.raises(FailureRateExceeded):
        with open_session(scenario, tmp_path / "run", "random", progress=False,
                          executor=SimulatedExecutor(crashing)) as s:
            s.run()
    with RunHistory.open(tmp_path / "run", scenario) as h:
        n_failed = len(h)
        assert n_failed >= 6
    # after "fixing the target" the same run directory continues
    with open_session(scenario, tmp_path / "run", "random", progress=False,
                      executor=SimulatedExecutor(synthetic_answer)) as s:
        outcome = s.run()
    assert outcome.resumed and outcome.runs == 40


def test_abort_policy_raises_at_first_crash(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=40, extra="crash_policy: abort\n")

    calls = [0]

    def crash_third(request):
        calls[0] += 1
        if calls[0] == 3:
            return RunResult(request, Status.CRASHED, 0.01, info={"stderr_tail": "segfault"})
        return synthetic_answer(request)

    with pytest.raises(RunAborted, match="segfault"):
        with open_session(scenario, tmp_path / "run", "random", progress=False,
                          executor=SimulatedExecutor(crash_third)) as s:
            s.run()
    with RunHistory.open(tmp_path / "run", scenario) as h:
        assert any(r.status is Status.CRASHED for r in h)  # recorded before the abort


def test_callback_can_stop_and_sees_results(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=40)
    seen = []

    def cb(engine, results):
        seen.extend(results)
        return len(seen) < 7

    with open_session(scenario, tmp_path / "run", "random", progress=False, callbacks=(cb,),
                      executor=SimulatedExecutor(synthetic_answer)) as s:
        outcome = s.run()
    assert outcome.stop_reason == "stopped by a callback"
    assert 7 <= len(seen) < 40


def test_changed_tuner_on_same_run_dir_is_refused(tmp_path):
    synthetic_run(str(tmp_path / "run"), str(tmp_path / "sc"), "random", runs=5)
    with pytest.raises(HistoryError, match="tuner 'random'"):
        synthetic_run(str(tmp_path / "run"), str(tmp_path / "sc"), "acband", runs=10)


def test_racing_tuner_races_are_settled_for_instant_executors(tmp_path):
    out = synthetic_run(str(tmp_path / "run"), str(tmp_path / "sc"), "acband", runs=40, workers=2)
    with RunHistory.open(tmp_path / "run") as h:
        races = {}
        for r in h:
            if r.request.race is not None:  # AC-Band's intensification runs without a race id
                races.setdefault(r.request.race, []).append(r)
    from algoconf.execution.racing import RACE_SLACK

    for members in races.values():
        winners = [r for r in members if r.status is Status.SUCCESS]
        if winners:
            # wave-mates of a wave's winner are CAPPED at its time; an arm of a later wave (when a
            # worker was busy with an intensification run) runs capped at the best time so far x
            # slack, and finishes (SUCCESS) only when it beats that cap
            best = min(w.runtime for w in winners)
            assert sum(w.runtime == best for w in winners) == 1 or len({w.runtime for w in winners}) == 1
            # (a TIMEOUT ran to the cutoff: in a wave before any arm finished, or capped at the cutoff)
            assert all(r.status is Status.TIMEOUT or (
                r.status is Status.CAPPED and r.runtime <= max(w.runtime for w in winners) * RACE_SLACK + 1e-12)
                for r in members if r.status is not Status.SUCCESS)
    assert out["runs"] == 40


_DRIVER = """
import json, sys
from algoconf.testing.tuners import synthetic_run
out = synthetic_run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), workers=int(sys.argv[5]), delay=float(sys.argv[6]))
print(json.dumps(out))
"""


def _driver(run_dir, sc, tuner, runs, workers, delay):
    return [sys.executable, "-c", _DRIVER, str(run_dir), str(sc), tuner, str(runs), str(workers), str(delay)]


def _count(run_dir: Path) -> int:
    path = run_dir / "history.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TUNERS))
def test_sigkill_and_resume_equals_uninterrupted(tmp_path, name):
    """A real process is killed with SIGKILL mid-run; rerunning the same command ends with the
    same incumbent and exactly the same set of runs as an uninterrupted run."""
    cls = _tuner_or_skip(name)
    runs, workers, delay = (24 if cls.needs_model else 48), 2, 0.03
    straight = subprocess.run(_driver(tmp_path / "straight", tmp_path / "sc", name, runs, workers, 0),
                              capture_output=True, text=True, timeout=600)
    assert straight.returncode == 0, straight.stderr[-2000:]
    expected = json.loads(straight.stdout)

    run_dir = tmp_path / "killed"
    proc = subprocess.Popen(_driver(run_dir, tmp_path / "sc", name, runs, workers, delay),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while _count(run_dir) < runs // 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed; raise the delay"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = _count(run_dir)
    assert 0 < killed_at < runs
    resumed = subprocess.run(_driver(run_dir, tmp_path / "sc", name, runs, workers, 0),
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    got = json.loads(resumed.stdout)
    assert got["keys"] == expected["keys"]
    assert got["incumbent"] == expected["incumbent"]


def test_a_tuner_failing_in_tell_leaves_the_last_committed_state(tmp_path):
    """The results are committed before tell; a tuner that raises in tell is not saved half-told,
    and the same run directory resumes to the full budget."""
    scenario = synthetic_scenario(tmp_path / "sc", runs=30)
    from algoconf.tuners.random import RandomTuner

    class Fragile(RandomTuner):
        name = "random"
        calls = 0

        def tell(self, results):
            Fragile.calls += 1
            if Fragile.calls == 5:
                raise RuntimeError("tuner bug")
            super().tell(results)

    from algoconf.run.engine import Engine, EngineLimits

    with RunHistory.open(tmp_path / "run", scenario) as history:
        engine = Engine.start(Fragile, scenario.tuning_problem(), SimulatedExecutor(synthetic_answer), history,
                              EngineLimits(runs=30), seed=2, progress=False)
        with pytest.raises(RuntimeError, match="tuner bug"):
            engine.run()
        recorded = len(history)
        assert recorded >= 4
    with open_session(scenario, tmp_path / "run", "random", seed=2, progress=False,
                      executor=SimulatedExecutor(synthetic_answer)) as s:
        outcome = s.run()
        keys = sorted(r.key for r in s.history)
    assert outcome.runs == 30
    with open_session(scenario, tmp_path / "straight", "random", seed=2, progress=False,
                      executor=SimulatedExecutor(synthetic_answer)) as s:
        straight = s.run()
        assert sorted(r.key for r in s.history) == keys
    assert straight.incumbent == outcome.incumbent
