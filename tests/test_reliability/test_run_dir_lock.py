"""One writing process per run directory (algoconf.history.lock): a second ``configure`` on the same
``--out`` is refused with one line naming the first's PID; a killed holder leaves no lock, and the
next writer kills the solvers the dead one orphaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from algoconf.errors import RunDirectoryBusyError
from algoconf.history import RunHistory

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_stop_signals import _alive, wait_for_pids, write_sleeping_scenario  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(REPO))


def _configure(scenario: Path, run_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", "random",
                             "--workers", "2", "--out", str(run_dir), "--no-validate"],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def test_a_second_configure_on_the_same_run_directory_is_refused(tmp_path):
    scenario, pids = write_sleeping_scenario(tmp_path / "sc")
    run_dir = tmp_path / "run"
    first = _configure(scenario, run_dir)
    try:
        wait_for_pids(pids, 4, first)
        second = subprocess.run([sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", "random",
                                 "--out", str(run_dir), "--no-validate"], env=ENV, capture_output=True, text=True,
                                timeout=120)
        assert second.returncode == 2
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"pid {first.pid}" in lines[0] and str(run_dir) in lines[0], second.stderr
        assert first.poll() is None  # the holder goes on
        assert len(pids.read_text().split()) == 4  # and the refused process ran nothing
    finally:
        _stop(first)
    assert first.returncode == 128 + signal.SIGTERM


HOLD = """
import sys, time
from algoconf.history import RunHistory
h = RunHistory.open(sys.argv[1], fingerprint={"test": "lock"})
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_the_lock_is_reentrant_in_a_process_and_released_on_close(tmp_path):
    a = RunHistory.open(tmp_path, fingerprint={"test": "lock"})
    b = RunHistory.open(tmp_path, fingerprint={"test": "lock"})
    RunHistory.open(tmp_path).close()  # reading takes no lock
    b.close()
    probe = [sys.executable, "-c", HOLD, str(tmp_path), "0"]
    held = subprocess.run(probe, env=ENV, capture_output=True, text=True, timeout=60)
    assert held.returncode == 1 and "RunDirectoryBusyError" in held.stderr and f"pid {os.getpid()}" in held.stderr
    a.close()
    free = subprocess.run(probe, env=ENV, capture_output=True, text=True, timeout=60)
    assert free.returncode == 0, free.stderr


def test_kill_9_of_the_holder_frees_the_directory_and_names_the_dead_pid(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "300"], env=ENV, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "locked"
    with pytest.raises(RunDirectoryBusyError, match=f"pid {proc.pid}"):
        RunHistory.open(tmp_path, fingerprint={"test": "lock"})
    proc.kill()
    proc.wait()
    with RunHistory.open(tmp_path, fingerprint={"test": "lock"}) as history:
        assert history.stale_writer_pid == proc.pid


def test_a_resumed_configure_kills_the_solvers_a_killed_one_orphaned(tmp_path):
    scenario, pids = write_sleeping_scenario(tmp_path / "sc")
    run_dir = tmp_path / "run"
    first = _configure(scenario, run_dir)
    try:
        orphaned = wait_for_pids(pids, 4, first)
    finally:
        first.kill()
        first.communicate()
    time.sleep(0.2)
    assert any(_alive(p) for p in orphaned)  # kill -9 cannot clean up: they run on
    second = _configure(scenario, run_dir)
    try:
        wait_for_pids(pids, 8, second)
        assert not [p for p in orphaned if _alive(p)]
    finally:
        _stop(second)
    assert not [p for p in map(int, pids.read_text().split()) if _alive(p)]
