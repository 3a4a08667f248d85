"""``algoconf run``: configuration argument, censoring-aware summary, JSON output, resume after SIGKILL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from algoconf.cli.run_cmd import parse_config_arg, summarise
from algoconf.errors import ConfigurationError
from algoconf.records import RunRequest, RunResult, Status
from algoconf.runners import get_runner
from algoconf.space.files import read_space

MINISAT_PCS = get_runner("minisat").params_file()
needs_minisat = pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")


@pytest.fixture(scope="module")
def space():
    return read_space(MINISAT_PCS)


def test_config_default_inline_and_file(space, tmp_path):
    default = parse_config_arg("default", space)
    assert default["luby"] == "on" and default["var-decay"] == 0.95
    inline = parse_config_arg("luby=off,rinc=1.5,pre=off", space)
    assert inline["luby"] == "off" and inline["rinc"] == 1.5
    assert "elim" not in inline  # inactive once pre is off
    (tmp_path / "c.json").write_text(json.dumps({"var-decay": 0.8}))
    assert parse_config_arg(str(tmp_path / "c.json"), space)["var-decay"] == 0.8
    (tmp_path / "c.txt").write_text("# tuned\n-rfirst 50\nccmin-mode=1\n")
    from_lines = parse_config_arg(str(tmp_path / "c.txt"), space)
    assert from_lines["rfirst"] == 50 and from_lines["ccmin-mode"] == "1"


@pytest.mark.parametrize("arg,match", [
    ("var-decay=2", "outside"),
    ("nope=1", "unknown parameter"),
    ("luby", "not 'default'"),
    ("luby=maybe", "not one of"),
])
def test_bad_config_is_a_configuration_error(space, arg, match):
    with pytest.raises(ConfigurationError, match=match):
        parse_config_arg(arg, space)


class _Scenario:
    cutoff = 5.0
    par_factor = 10.0


def _result(status, runtime, instance="i", cpu=None):
    req = RunRequest({}, instance, 0, 5.0)
    return RunResult(req, status, runtime, wallclock=runtime, info={"cpu_time": cpu if cpu is not None else runtime})


def test_summary_is_censoring_aware():
    results = [_result(Status.SUCCESS, 1.0, "a"), _result(Status.SUCCESS, 2.0, "b"),
               _result(Status.TIMEOUT, 5.0, "c"), _result(Status.CRASHED, 0.1, "d")]
    s = summarise(_Scenario(), results)
    assert (s["n"], s["solved"], s["timeouts"], s["crashed"]) == (4, 2, 1, 1)
    assert s["par10"] == pytest.approx((1 + 2 + 50 + 50) / 4) and s["par10_exact"]
    assert s["mean_runtime"]["exact"] is False  # a timeout's runtime is a lower bound
    assert s["median_runtime"] == {"value": 1.0, "exact": True}  # no censored value below rank 2
    assert s["cpu_time"] == pytest.approx(8.1)
    capped = summarise(_Scenario(), [_result(Status.CAPPED, 0.5), _result(Status.SUCCESS, 1.0, "b")])
    assert capped["par"]["exact"] is False


def _scenario(tmp_path, n=12, variables=200):
    text = f"""
name: tiny-minisat
target: {{runner: minisat}}
space: {MINISAT_PCS}
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: {n}
  seed: 5
  kwargs: {{variables: {variables}}}
test:
  generator: "algoconf.instances.generators:pigeonhole"
  n: 2
  seed: 5
  kwargs: {{holes: 11}}
objective: runtime
cutoff: 0.5
seed: 1
"""
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def _algoconf(capsys, *args):
    """``algoconf ARGS`` in this process: (exit code, stdout, stderr)."""
    from algoconf.cli.main import main

    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@needs_minisat
def test_json_output_keys_and_timeouts(tmp_path, capsys):
    scenario = _scenario(tmp_path, n=2, variables=60)
    code, out, err = _algoconf(capsys, "run", scenario, "--instances", "test", "--out", tmp_path / "run", "--json")
    assert code == 0, err
    data = json.loads(out)
    for key in ("n", "solved", "timeouts", "par10", "cpu_time", "results"):
        assert key in data
    assert data["n"] == 2 and data["timeouts"] == 2 and data["par10"] == pytest.approx(5.0)
    assert data["median_runtime"]["exact"] is False
    assert set(data["results"][0]) >= {"instance", "seed", "status", "runtime", "wallclock"}
    code, _, err = _algoconf(capsys, "run", scenario, "--config", "bogus=1", "--out", tmp_path / "run")
    assert code == 2 and "unknown parameter" in err


def _rows(run_dir: Path) -> int:
    db = run_dir / "history.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@needs_minisat
@pytest.mark.slow
def test_sigkilled_run_resumes_with_only_the_missing_runs(tmp_path, capsys):
    from algoconf.scenario import load_scenario

    scenario = _scenario(tmp_path, n=10, variables=210)
    run_dir = tmp_path / "run"
    load_scenario(scenario)  # generates the instances, so the killed run spends its time running
    test_rows = 0
    proc = subprocess.Popen([sys.executable, "-m", "algoconf", "run", str(scenario), "--out", str(run_dir), "--json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while _rows(run_dir) - test_rows < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = _rows(run_dir) - test_rows
    assert 3 <= done < 10, "the first run finished before it could be killed"
    code, out, err = _algoconf(capsys, "run", scenario, "--out", run_dir, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["n"] == 10 and data["reused_runs"] == done and data["new_runs"] == 10 - done
    assert _rows(run_dir) - test_rows == 10
    again = json.loads(_algoconf(capsys, "run", scenario, "--out", run_dir, "--json")[1])
    assert again["new_runs"] == 0 and again["par10"] == data["par10"]


class _QualityScenario(_Scenario):
    objective = "quality"
    maximize = False
    crash_cost = 1000.0


def test_quality_summary_charges_failures_the_crash_cost():
    ok = RunResult(RunRequest({}, "a", 0, 5.0), Status.SUCCESS, 1.0, quality=800.0)
    lost = _result(Status.TIMEOUT, 5.0, "b")
    s = summarise(_QualityScenario(), [ok, lost])
    assert s["mean_quality"] == 800.0 and s["n_quality"] == 1
    assert s["quality_cost"] == pytest.approx(900.0)
