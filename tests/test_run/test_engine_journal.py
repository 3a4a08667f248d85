"""The engine's state journal: each commit writes what changed (asks, the tell's keys), a snapshot only
now and then; a run killed at any moment resumes exactly, from a snapshot, from the journal, or from
a run directory written before the journal existed (a state blob per commit)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from algoconf.run.engine import JOURNAL_FORMAT, Engine, EngineLimits
from algoconf.history import SCHEMA_VERSION, RunHistory
from algoconf.testing.tuners import synthetic_answer, synthetic_scenario
from algoconf.tuners import TUNERS, get_tuner
from algoconf.tuners.simulated import SimulatedExecutor


class _Kill(Exception):
    """Stands for SIGKILL: nothing after it is committed."""


def _tuner(name):
    try:
        return get_tuner(name)
    except ImportError as err:
        pytest.skip(f"{name}: optional dependency missing ({err})")


def _runs(cls) -> int:
    return 10 if cls.needs_model else 40  # SMAC: seconds per ask on a loaded machine


def _engine(scenario, run_dir, cls, runs, ratio, workers=1):
    history = RunHistory.open(run_dir, scenario)
    engine = Engine.start(cls, scenario.tuning_problem(), SimulatedExecutor(synthetic_answer, n_workers=workers),
                          history, EngineLimits(runs=runs), seed=4, progress=False, snapshot_ratio=ratio)
    return engine, history


def _finish(scenario, run_dir, cls, runs, ratio):
    engine, history = _engine(scenario, run_dir, cls, runs, ratio)
    with history:
        outcome = engine.run()
        return [r.key for r in history], outcome.incumbent


def _killed(scenario, run_dir, cls, runs, ratio, after: int, in_tell: bool) -> None:
    """Run until the ``after``-th batch, then die: after its tell, or inside it (committed, not told)."""
    engine, history = _engine(scenario, run_dir, cls, runs, ratio)
    engine._save_engine_state = lambda: None  # a killed process saves nothing on its way out
    told = {"n": 0}
    tell = engine.tuner.tell

    def dying_tell(results):
        told["n"] += 1
        if in_tell and told["n"] == after:
            raise _Kill
        tell(results)

    def dying_callback(_engine, _results):
        if told["n"] == after:
            raise _Kill

    engine.tuner.tell = dying_tell
    engine.callbacks.append(dying_callback)
    with history, pytest.raises(_Kill):
        engine.run()


@pytest.mark.parametrize("ratio", [0.0, float("inf")], ids=["snapshot-every-commit", "journal-only"])
@pytest.mark.parametrize("name", sorted(TUNERS))
def test_killed_and_resumed_equals_uninterrupted(tmp_path, name, ratio):
    """For every tuner, killed after a tell and inside a tell, resumed from snapshots or from the
    journal: the same runs in the same order and the same incumbent as an uninterrupted run."""
    cls = _tuner(name)
    runs = _runs(cls)
    scenario = synthetic_scenario(tmp_path / "sc", runs=runs)
    straight = _finish(scenario, tmp_path / "straight", cls, runs, ratio)
    # the whole run budget, or (a tuner that settles: AC-Band) all but the last few runs, which could
    # not have changed its incumbent
    assert runs - 10 <= len(straight[0]) <= runs
    for in_tell, after in ((False, 3), (True, 7)):
        run_dir = tmp_path / f"killed-{in_tell}"
        _killed(scenario, run_dir, cls, runs, ratio, after, in_tell)
        assert straight == _finish(scenario, run_dir, cls, runs, ratio), f"in_tell={in_tell}"


def test_a_resume_of_a_resume_and_a_mid_journal_snapshot_stay_exact(tmp_path):
    """Killed twice, resumed with different snapshot policies (the journal continues after the
    snapshot of the first resume): still the uninterrupted run."""
    cls = get_tuner("acband")
    scenario = synthetic_scenario(tmp_path / "sc", runs=60)
    straight = _finish(scenario, tmp_path / "straight", cls, 60, 16.0)
    run_dir = tmp_path / "killed"
    _killed(scenario, run_dir, cls, 60, float("inf"), 4, False)
    _killed(scenario, run_dir, cls, 60, 0.0, 5, True)
    assert straight == _finish(scenario, run_dir, cls, 60, float("inf"))


def test_commits_write_what_changed_and_snapshot_only_when_due(tmp_path):
    """Journal-only: one snapshot (the session's first commit), then entries as long as their batch
    (the tuner's state is not written again); the journal names every told run once."""
    cls = get_tuner("random")
    scenario = synthetic_scenario(tmp_path / "sc", runs=120)
    calls = {"state": 0}

    class Counting(cls):
        def state(self):
            calls["state"] += 1
            return super().state()

    engine, history = _engine(scenario, tmp_path / "run", Counting, 120, float("inf"))
    with history:
        engine.run()
        entries = history.journal()
        told = [tuple(k) for e in entries for kind, keys in e["events"] if kind == "tell" for k in keys]
        assert sorted(told) == sorted(r.key for r in history) and len(set(told)) == len(told)
        assert history.load_state("engine")["format"] == JOURNAL_FORMAT
    assert calls["state"] == 1
    assert len(entries) >= 100  # one batch per run on one worker
    longest = max(len(json.dumps(e)) for e in entries)
    assert longest < 300, f"a journal entry of {longest} characters for one run"


def _to_format_1(run_dir) -> None:
    """Rewrite a run directory committed with a snapshot per commit (snapshot_ratio 0) into the
    format before the journal: the tuner's state before the last tell, the engine's "untold" keys of
    that tell and its runs "in_flight", history schema 1 without a journal table."""
    with sqlite3.connect(run_dir / "history.sqlite") as conn:
        engine = json.loads(conn.execute("SELECT value FROM state WHERE name = 'engine'").fetchone()[0])
        (entry,) = [json.loads(row[0]) for row in conn.execute("SELECT entry FROM journal")]
        ((kind, untold),) = entry["events"]
        assert kind == "tell"
        told = {tuple(k) for k in untold}
        in_flight = [d for d in engine["pending"] if (d["config_key"], d["instance"], d["seed"]) not in told]
        old = {"in_flight": in_flight, "untold": untold, "elapsed": engine["elapsed"]}
        conn.execute("UPDATE state SET value = ? WHERE name = 'engine'", (json.dumps(old),))
        conn.execute("DROP TABLE journal")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")


@pytest.mark.parametrize("name", ["random", "optuna"])
def test_a_run_directory_of_the_previous_format_resumes_exactly(tmp_path, name):
    cls = _tuner(name)
    runs = _runs(cls)
    scenario = synthetic_scenario(tmp_path / "sc", runs=runs)
    straight = _finish(scenario, tmp_path / "straight", cls, runs, 16.0)
    run_dir = tmp_path / "old"
    _killed(scenario, run_dir, cls, runs, 0.0, 5, False)
    _to_format_1(run_dir)
    with sqlite3.connect(run_dir / "history.sqlite") as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("1",)
    assert straight == _finish(scenario, run_dir, cls, runs, 16.0)
    with sqlite3.connect(run_dir / "history.sqlite") as conn:  # upgraded: an older reader now refuses it
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (str(SCHEMA_VERSION),)
