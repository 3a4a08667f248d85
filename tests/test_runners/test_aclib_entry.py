"""``python -m algoconf.runners``: the AClib old call prints one parsable result line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from algoconf.runners import RUNNERS

from .conftest import needs

LINE = re.compile(r"^Result of this algorithm run: (\w+), ([0-9.]+), 0, ([0-9.e+-]+), (\d+)$", re.M)


def _call(*args):
    proc = subprocess.run([sys.executable, "-m", "algoconf.runners", *map(str, args)],
                          capture_output=True, text=True, timeout=60)
    found = LINE.findall(proc.stdout)
    assert len(found) == 1, (proc.stdout, proc.stderr)
    return proc.returncode, found[0], proc.stderr


@needs(RUNNERS["minisat"])
def test_sat_unsat_and_timeout_lines(small):
    code, (status, runtime, _, seed), _ = _call("minisat", small["sat"].path, 0, 5, 2147483647, 42,
                                                "-luby", "off", "-var-decay", "0.9")
    assert code == 0 and status == "SAT" and seed == "42" and float(runtime) < 5
    _, (status, *_), _ = _call("minisat", small["unsat"].path, 0, 5, 0, 1)
    assert status == "UNSAT"
    _, (status, runtime, *_), _ = _call("minisat", small["hard"].path, 0, 0.3, 0, 1)
    assert status == "TIMEOUT" and float(runtime) <= 0.3


@needs(RUNNERS["cpsat-jobshop"])
def test_jobshop_line_carries_the_makespan(small):
    _, (status, _, quality, _), _ = _call("cpsat-jobshop", small["jsp"].path, 0, 20, 0, 3, "-linearization_level", "0")
    assert status == "SUCCESS" and float(quality) > 0


@needs(RUNNERS["minisat"])
def test_bad_arguments_print_abort(small, tmp_path):
    code, (status, *_), err = _call("minisat", tmp_path / "missing.cnf", 0, 5, 0, 1)
    assert code == 2 and status == "ABORT" and "does not exist" in err
    code, (status, *_), err = _call("minisat", small["sat"].path, 0, 5, 0, 1, "-luby")
    assert code == 2 and status == "ABORT"


@needs(RUNNERS["minisat"])
def test_wrong_answer_line_is_crashed(small):
    _, (status, *_), err = _call("minisat", small["lying"].path, 0, 5, 0, 1)
    assert status == "CRASHED" and "wrong answer" in err


def _irace(*args):
    proc = subprocess.run([sys.executable, "-m", "algoconf.runners", "--irace", *map(str, args)],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout.split(), proc.stderr


@needs(RUNNERS["minisat"])
def test_irace_protocol_prints_cost_and_time(small):
    code, out, err = _irace("--cutoff", 5, "minisat", 7, 3, 42, small["sat"].path, "--luby=off", "-var-decay", "0.9")
    assert code == 0 and len(out) == 2, err
    assert float(out[0]) == pytest.approx(float(out[1]), abs=1e-3) and float(out[0]) < 5
    code, out, _ = _irace("--cutoff", 5, "minisat", 7, 3, 42, small["hard"].path, 0.3)  # capping bound 0.3
    assert code == 0 and float(out[0]) == 50 and float(out[1]) <= 0.3
    code, _, err = _irace("minisat", 7, 3, 42, small["sat"].path)
    assert code == 2 and "--cutoff" in err


@needs(RUNNERS["minisat"])
def test_aclib2_call_prints_the_json_result_line(small):
    proc = subprocess.run([sys.executable, "-m", "algoconf.runners", "minisat", "--instance", str(small["sat"].path),
                           "--cutoff", "2", "--seed", "3", "--config", "-rnd-freq", "0.1", "-luby", "off"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    body = re.findall(r"^Result of this algorithm run: (\{.*\})$", proc.stdout, re.M)
    assert len(body) == 1, proc.stdout
    data = json.loads(body[0])
    assert data["status"] == "SAT" and 0 <= data["runtime"] <= 2 and data["cost"] == data["runtime"]


@needs(RUNNERS["minisat"])
def test_aclib2_bad_arguments_print_abort_in_json(small):
    proc = subprocess.run([sys.executable, "-m", "algoconf.runners", "minisat", "--instance", str(small["sat"].path),
                           "--cutoff", "two", "--seed", "3", "--config"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert '"status": "ABORT"' in proc.stdout
    assert proc.stderr.strip().splitlines() == ["algoconf.runners: cutoff must be a number, got 'two'"]


@needs(RUNNERS["minisat"])
def test_command_target_with_syntax_aclib2_drives_the_runner(small):
    """algoconf's own ``syntax: aclib2`` speaks the protocol the runner entry point reads."""
    from algoconf.execution.base import execute_run
    from algoconf.records import RunRequest, Status
    from algoconf.targets import CommandTarget

    target = CommandTarget([sys.executable, "-m", "algoconf.runners", "minisat"], syntax="aclib2", parser="aclib2")
    result = execute_run(target, RunRequest({"rnd-freq": 0.1}, small["sat"].name, 3, 5.0), small["sat"])
    assert result.status is Status.SUCCESS, result.info
    assert result.info["answer"] == "SAT"
