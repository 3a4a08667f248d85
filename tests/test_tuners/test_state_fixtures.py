"""Run directories written before tuner state became typed dataclasses still resume exactly.

``tests/data/tuner_runs/`` holds, per registered tuner, a run killed mid-run by the code of commit
222c3e3 (tests/data/tuner_runs/make_fixtures.py): its tuner snapshot, the journal since, runs in
flight. Reading the snapshot gives back the same JSON, and resuming the run gives the runs and the
incumbent of the uninterrupted run, recorded when the fixture was written.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from algoconf.run.engine import Engine, EngineLimits
from algoconf.history import RunHistory
from algoconf.scenario import load_scenario
from algoconf.testing.tuners import synthetic_answer
from algoconf.tuners import get_tuner
from algoconf.tuners.simulated import SimulatedExecutor

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "tuner_runs"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())


def _case(tmp_path: Path, name: str):
    shutil.copytree(FIXTURES / name, tmp_path / name)
    root = tmp_path / name
    expected = json.loads((root / "expected.json").read_text())
    try:
        cls = get_tuner(expected["tuner"])
    except ImportError as err:
        pytest.skip(f"{expected['tuner']}: optional dependency missing ({err})")
    return root, expected, cls, load_scenario(root / "scenario" / "scenario.yaml")


def test_every_registered_tuner_has_a_fixture():
    from algoconf.tuners import TUNERS

    assert {json.loads((FIXTURES / c / "expected.json").read_text())["tuner"] for c in CASES} == set(TUNERS)


@pytest.mark.parametrize("name", CASES)
def test_an_old_snapshot_reads_back_to_the_same_json(tmp_path, name):
    root, expected, cls, scenario = _case(tmp_path, name)
    with sqlite3.connect(root / "run" / "history.sqlite") as conn:
        saved = json.loads(conn.execute("SELECT value FROM state WHERE name = 'tuner'").fetchone()[0])
    assert saved["tuner"] == expected["tuner"]
    tuner = cls.from_state(scenario.tuning_problem(), saved["state"])
    assert json.loads(json.dumps(tuner.state())) == saved["state"]


@pytest.mark.parametrize("name", CASES)
def test_an_old_run_directory_resumes_as_the_uninterrupted_run(tmp_path, name):
    root, expected, cls, scenario = _case(tmp_path, name)
    ratio = float(expected["snapshot_ratio"])
    history = RunHistory.open(root / "run", scenario)
    executor = SimulatedExecutor(synthetic_answer, n_workers=int(expected["workers"]))
    engine = Engine.start(cls, scenario.tuning_problem(), executor, history, EngineLimits(runs=expected["runs"]),
                          seed=expected["seed"], progress=False, snapshot_ratio=ratio)
    with history:
        outcome = engine.run()
        keys = [list(r.key) for r in history]
    assert keys == expected["keys"]
    assert outcome.incumbent == expected["incumbent"]
