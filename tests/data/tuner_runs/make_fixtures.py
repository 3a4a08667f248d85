"""Writes the run directories in this folder: one killed engine run per registered tuner.

Run once, with the code whose on-disk tuner state later versions must keep reading (it was run at
commit 222c3e3, before tuner state became typed dataclasses):

    PYTHONPATH=. python3 tests/data/tuner_runs/make_fixtures.py

Each ``<name>-<policy>/`` holds the synthetic scenario (``scenario/``), a run directory killed
mid-run (``run/history.sqlite``: a tuner snapshot, the journal since, runs in flight) and
``expected.json``: the run keys and incumbent of the same run uninterrupted, which a resume must
reproduce (tests/test_tuners/test_state_fixtures.py).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from algoconf.run.engine import Engine, EngineLimits  # noqa: E402
from algoconf.history import RunHistory  # noqa: E402
from algoconf.testing.tuners import synthetic_answer, synthetic_scenario  # noqa: E402
from algoconf.tuners import TUNERS, get_tuner  # noqa: E402
from algoconf.tuners.simulated import SimulatedExecutor  # noqa: E402

SEED = 4
#: (tuner, runs, workers, snapshot ratio, killed after batch, inside the tell)
CASES = [
    ("random", 40, 1, 0.0, 17, True),
    ("random", 40, 1, float("inf"), 17, False),
    ("random", 60, 4, 0.0, 9, True),
    ("acband", 40, 1, 0.0, 16, True),
    ("acband", 40, 1, float("inf"), 9, False),
    ("acband", 80, 4, 0.0, 14, True),
    ("optuna", 16, 1, 0.0, 7, True),
    ("smac", 10, 1, 0.0, 5, True),
]


class _Kill(Exception):
    pass


def _engine(scenario, run_dir, cls, runs, ratio, workers):
    history = RunHistory.open(run_dir, scenario)
    engine = Engine.start(cls, scenario.tuning_problem(), SimulatedExecutor(synthetic_answer, n_workers=workers),
                          history, EngineLimits(runs=runs), seed=SEED, progress=False, snapshot_ratio=ratio)
    return engine, history


def _finish(scenario, run_dir, cls, runs, ratio, workers):
    engine, history = _engine(scenario, run_dir, cls, runs, ratio, workers)
    with history:
        outcome = engine.run()
        return [list(r.key) for r in history], outcome.incumbent


def _killed(scenario, run_dir, cls, runs, ratio, workers, after, in_tell):
    engine, history = _engine(scenario, run_dir, cls, runs, ratio, workers)
    engine._save_engine_state = lambda: None
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
    try:
        with history:
            engine.run()
    except _Kill:
        return
    raise RuntimeError("the run was not killed")


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    for name, runs, workers, ratio, after, in_tell in CASES:
        if name not in TUNERS:
            continue
        cls = get_tuner(name)
        out = HERE / f"{name}-{'snapshot' if ratio == 0.0 else 'journal'}{'' if workers == 1 else f'-{workers}workers'}"
        shutil.rmtree(out, ignore_errors=True)
        scenario = synthetic_scenario(out / "scenario", runs=runs, seed=1)
        keys, incumbent = _finish(scenario, out / "straight", cls, runs, ratio, workers)
        shutil.rmtree(out / "straight")
        _killed(scenario, out / "run", cls, runs, ratio, workers, after, in_tell)
        with sqlite3.connect(out / "run" / "history.sqlite") as conn:
            conn.execute("VACUUM")
        for stray in (out / "run").iterdir():
            if stray.name != "history.sqlite":
                stray.unlink()
        (out / "expected.json").write_text(json.dumps(
            {"tuner": name, "runs": runs, "workers": workers, "seed": SEED, "snapshot_ratio": ratio if ratio == 0.0 else "inf",
             "killed_after_batch": after, "inside_tell": in_tell, "written_at": commit,
             "keys": keys, "incumbent": incumbent}, indent=1) + "\n")


if __name__ == "__main__":
    main()
