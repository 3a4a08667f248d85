"""Live online selection on real solvers: runs, history, resume without re-running."""

from __future__ import annotations

import shutil

import pytest

from algoconf.errors import InputError, ScenarioMismatchError
from algoconf.history import RunHistory

pytestmark = pytest.mark.skipif(
    shutil.which("minisat") is None or shutil.which("cadical") is None, reason="minisat and cadical binaries needed"
)


def _scenario(tmp_path):
    from algoconf.scenario import load_scenario
    from algoconf.runners import get_runner

    text = f"""
name: live-3sat
target:
  runner: minisat
space: {get_runner("minisat").params_file()}
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: 4
  seed: 3
  kwargs: {{variables: 80, ratio: 4.26}}
objective: runtime
cutoff: 2
time_kind: cpu
"""
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return load_scenario(path)


@pytest.mark.slow
def test_live_stream_records_every_run_and_resumes(tmp_path):
    from algoconf.selection.online.live import run_live

    scenario = _scenario(tmp_path)
    run_dir = tmp_path / "run"
    first = run_live(scenario, ["minisat", "cadical"], run_dir, seed=0, limit=2)
    assert first.n_new_runs == 2 and all(s.status == "SUCCESS" for s in first.steps)
    second = run_live(scenario, ["minisat", "cadical"], run_dir, seed=0)
    assert len(second.steps) == 4 and second.n_new_runs == 2
    assert [s.solver for s in second.steps[:2]] == [s.solver for s in first.steps]
    assert all(s.resumed for s in second.steps[:2])
    with RunHistory.open(run_dir) as history:
        assert len(history) == 4
        assert {r.request.config["solver"] for r in history} <= {"minisat", "cadical"}
    with pytest.raises(ScenarioMismatchError):
        run_live(scenario, ["minisat", "cadical"], run_dir, seed=1, limit=1)


def test_live_bad_solvers(tmp_path):
    from algoconf.selection.online.live import run_live

    scenario = _scenario(tmp_path)
    with pytest.raises(InputError, match="no runner"):
        run_live(scenario, ["minisat", "nosuchsolver"], tmp_path / "r")
    with pytest.raises(InputError, match="at least two"):
        run_live(scenario, ["minisat"], tmp_path / "r")


@pytest.mark.slow
def test_the_cli_prints_each_step_on_stderr_and_the_summary_on_stdout(tmp_path, capsys):
    import json

    from algoconf.cli.main import main

    _scenario(tmp_path)  # writes tmp_path/scenario.yaml
    code = main(["select", "online", "--live", str(tmp_path / "scenario.yaml"), "--solvers", "minisat,cadical",
                 "--run-dir", str(tmp_path / "run"), "--limit", "2", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    summary = json.loads(out)
    assert summary["instances"] == 2 and summary["run_dir"] == str(tmp_path / "run")
    steps = err.splitlines()
    assert [line.split("]")[0] for line in steps] == ["[1", "[2"] and all("(features" in line for line in steps)
