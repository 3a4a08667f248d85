"""Crash taxonomy on real processes: each failure maps to its documented status, stderr tail kept."""

from __future__ import annotations

import shutil
import sys

import pytest

from algoconf.execution import LocalExecutor
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.targets import CommandTarget

PY = sys.executable
MINISAT = shutil.which("minisat")


def run_one(command, parser, instance, *, cutoff=5.0, time_kind="cpu", memory_limit_mb=None, config=None):
    target = CommandTarget(command, "-name=value", parser)
    with LocalExecutor(target, {instance.name: instance}, n_workers=1, time_kind=time_kind,
                       memory_limit_mb=memory_limit_mb) as ex:
        return ex.submit(RunRequest(config or {}, instance.name, 1, cutoff)).result(timeout=60)


@pytest.fixture
def cnf(tmp_path) -> Instance:
    path = tmp_path / "small.cnf"
    path.write_text("p cnf 4 4\n1 2 0\n-1 3 0\n-3 4 0\n-2 -4 0\n")
    return Instance("small", path)


def test_segfault_is_crashed_with_signal(cnf):
    r = run_one([PY, "-c", "import ctypes, sys; sys.stderr.write('about to fail'); sys.stderr.flush(); ctypes.string_at(0)"],
                "sat", cnf)
    assert r.status is Status.CRASHED and r.info["signal"] == 11 and r.info["exit_code"] is None
    assert "about to fail" in r.info["stderr_tail"]


def test_nonzero_exit_is_crashed_with_stderr_tail(cnf):
    r = run_one(["sh", "-c", "echo 'c parse error: bad clause' >&2; exit 1"], "sat", cnf)
    assert r.status is Status.CRASHED and r.info["exit_code"] == 1
    assert "bad clause" in r.info["stderr_tail"]


def test_garbage_output_is_crashed(cnf):
    r = run_one(["sh", "-c", "echo '%%%% garbage'"], "aclib", cnf)
    assert r.status is Status.CRASHED and "no 'Result of this algorithm run:'" in r.info["reason"]


@pytest.mark.parametrize("printed", ["nan", "", "NaN 1.0", "inf? 3"])
def test_nan_or_empty_cost_is_crashed(cnf, printed):
    r = run_one(["sh", "-c", f"echo '{printed}'"], "irace", cnf)
    assert r.status is Status.CRASHED and r.quality is None


def test_irace_cost_and_time_are_read(cnf):
    r = run_one(["sh", "-c", "echo 'noise'; echo '42.5 0.25'"], "irace", cnf)
    assert r.status is Status.SUCCESS and r.quality == 42.5 and r.runtime == 0.25


def test_wrong_model_is_crashed(cnf):
    r = run_one(["sh", "-c", "echo 's SATISFIABLE'; echo 'v -1 -2 -3 -4 0'; exit 10"], "sat", cnf)
    assert r.status is Status.CRASHED and "wrong model" in r.info["reason"]
    ok = run_one(["sh", "-c", "echo 's SATISFIABLE'; echo 'v 1 -2 3 4 0'; exit 10"], "sat", cnf)
    assert ok.status is Status.SUCCESS and ok.info["model_checked"] is True


@pytest.mark.skipif(MINISAT is None, reason="minisat binary not installed")
def test_real_minisat_answer_contradicting_known_answer_is_crashed(cnf):
    right = run_one([MINISAT, "-verb=0", "{instance}"], "sat", cnf)
    assert right.status is Status.SUCCESS and right.info["answer"] == "SAT"
    lying = Instance("small", cnf.path, meta={"answer": "UNSAT"})
    wrong = run_one([MINISAT, "-verb=0", "{instance}"], "sat", lying)
    assert wrong.status is Status.CRASHED and "known to be UNSAT" in wrong.info["reason"]


def test_killed_run_is_timeout_whatever_it_prints(cnf):
    # like clasp: catches SIGTERM, prints an answer and exits with a success code
    script = "trap 'echo s SATISFIABLE; echo v 1 -2 3 4 0; exit 10' TERM; while :; do :; done"
    r = run_one(["sh", "-c", script], "sat", cnf, cutoff=0.4)
    assert r.status is Status.TIMEOUT and r.censored
    assert r.runtime >= 0.4 and r.info["killed_by"] == "cpu"


def test_memout_through_the_executor(cnf):
    r = run_one([PY, "-c", "x = bytearray(800 * 2**20)"], "sat", cnf, memory_limit_mb=300)
    assert r.status is Status.MEMOUT and "MemoryError" in r.info["stderr_tail"]


def test_missing_binary_is_crashed(cnf, tmp_path):
    r = run_one([str(tmp_path / "no-such-solver"), "{instance}"], "sat", cnf)
    assert r.status is Status.CRASHED and r.info["exit_code"] == 127 and "cannot start" in r.info["stderr_tail"]
