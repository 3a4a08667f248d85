"""A target that fails every run stops the run with the cause in the one-line message: the last
failed run's command line and the end of its stderr (not only "20 of 20 runs failed")."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from algoconf.execution.base import failure_summary
from algoconf.records import RunRequest, RunResult, Status

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"

_FAILING_SOLVER = """
import sys
print("Traceback (most recent call last):", file=sys.stderr)
print('  File "solver.py", line 3, in <module>', file=sys.stderr)
print("TypeError: 'Instance' object is not subscriptable", file=sys.stderr)
sys.exit(1)
"""


@pytest.fixture
def failing_scenario(tmp_path) -> Path:
    folder = tmp_path / "scenario"
    shutil.copytree(DATA, folder)
    (folder / "solver.py").write_text(_FAILING_SOLVER)
    text = (folder / "scenario.yaml").read_text().replace("python3 solver.py", f"{sys.executable} solver.py")
    (folder / "scenario.yaml").write_text(text)
    return folder / "scenario.yaml"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "algoconf", *args], capture_output=True, text=True, timeout=300)


def test_configure_names_the_last_failed_run_and_its_stderr(failing_scenario, tmp_path):
    done = _cli("configure", str(failing_scenario), "--tuner", "random", "--budget", "30",
                "--out", str(tmp_path / "run"))
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("algoconf:")]  # (progress aside)
    assert done.returncode == 1, done.stderr
    assert len(errors) == 1, done.stderr
    line = errors[0]
    assert line.startswith("algoconf: FailureRateExceeded: 20 of 20 runs failed"), line
    assert "solver.py" in line and "--cpu-limit=" in line  # the command line of the run
    assert "TypeError: 'Instance' object is not subscriptable" in line  # the end of its stderr


def test_run_names_the_last_failed_run_too(failing_scenario, tmp_path):
    scenario = failing_scenario
    text = scenario.read_text().replace("budget:", "min_runs_for_failure_rate: 2\nbudget:")
    scenario.write_text(text)
    done = _cli("run", str(scenario), "--out", str(tmp_path / "run"), "--instances", "train")
    line = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1, done.stderr
    assert "FailureRateExceeded" in line and "TypeError: 'Instance' object is not subscriptable" in line, line
    assert "solver.py" in line


def test_failure_summary_is_one_line_with_the_tail():
    result = RunResult(RunRequest({"a": 1}, "i1.cnf", 3, 5.0), Status.CRASHED, 0.1,
                       info={"command": "solver -a 1 i1.cnf", "stderr_tail": "x\n" * 500 + "\nlast words\n"})
    text = failure_summary(result)
    assert "\n" not in text
    assert text == "CRASHED on i1.cnf (seed 3); command: solver -a 1 i1.cnf; stderr: x | x | last words"
