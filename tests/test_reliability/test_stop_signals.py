"""SIGTERM and SIGHUP stop a real ``algoconf configure`` like Ctrl-C: exit 128 + signal, no target
process left (not even one that called setsid), and the run directory resumes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TARGET = """#!/bin/sh
# a solver that leaves a daemon in a session of its own, then works until it is killed
setsid sh -c 'echo $$ >> {pids}; exec sleep 300' &
echo $$ >> {pids}
exec sleep 300
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def write_sleeping_scenario(root: Path, *, runs: int = 20) -> tuple[Path, Path]:
    """A scenario whose every run sleeps until its 60 s wall cutoff and leaves a setsid child;
    the pids of both are appended to ``root/pids``."""
    root.mkdir(parents=True, exist_ok=True)
    pids = root / "pids"
    script = root / "solver.sh"
    script.write_text(TARGET.format(pids=pids))
    script.chmod(0o755)
    for i in range(4):
        (root / f"i{i}.txt").write_text(f"{i}\n")
    (root / "train.txt").write_text("".join(f"i{i}.txt\n" for i in range(4)))
    (root / "space.pcs").write_text("x real [0, 10] [5]\n")
    (root / "scenario.yaml").write_text(
        "name: sleeper\n"
        f"target:\n  command: \"{script} {{instance}} {{config}}\"\n  output: aclib2\n"
        "space: space.pcs\ntrain: train.txt\nobjective: runtime\ncutoff: 60\ntime_kind: wall\n"
        f"budget: {{runs: {runs}}}\nseed: 1\n")
    return root / "scenario.yaml", pids


def wait_for_pids(path: Path, n: int, proc: subprocess.Popen, timeout: float = 60.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and len(path.read_text().split()) >= n:
            return [int(p) for p in path.read_text().split()]
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} target processes started; configure rc={proc.poll()}")


def _default_stop_signals() -> None:
    """In the child: SIGTERM/SIGHUP as a fresh login shell has them. A suite started under ``nohup``
    passes SIGHUP on *ignored*, and configure rightly keeps ignoring it (like any nohup'd job)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_configure_and_leaves_no_target_process(tmp_path, sig):
    scenario, pids = write_sleeping_scenario(tmp_path / "sc")
    run_dir = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", "random",
                             "--workers", "2", "--out", str(run_dir), "--no-validate"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_stop_signals)
    try:
        started = wait_for_pids(pids, 4, proc)  # two runs in flight, each with its setsid child
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig, err[-2000:]
    assert signal.Signals(sig).name in err.strip().splitlines()[-1]
    time.sleep(0.2)
    everything = [int(p) for p in pids.read_text().split()]
    assert set(started) <= set(everything)
    assert not [p for p in everything if _alive(p)], "target processes outlived configure"
    with sqlite3.connect(run_dir / "history.sqlite") as conn:  # committed and readable
        conn.execute("SELECT COUNT(*) FROM runs").fetchone()
