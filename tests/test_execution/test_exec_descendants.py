"""Descendants that leave the run's process group (setsid) are killed with the run: real processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from algoconf.execution import descendants
from algoconf.execution.limits import run_limited

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


def _exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _pids(path: Path, n: int, timeout: float = 20.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            lines = path.read_text().split()
            if len(lines) >= n:
                return [int(p) for p in lines[:n]]
        time.sleep(0.01)
    raise AssertionError(f"{path} never listed {n} pids")


def _script(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "target.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return [str(script)]


def test_a_setsid_child_is_killed_at_the_cutoff(tmp_path):
    pids = tmp_path / "pids"
    argv = _script(tmp_path, f"setsid sh -c 'echo $$ >> {pids}; exec sleep 300' &\n"
                             f"sh -c 'setsid sh -c \"echo \\$\\$ >> {pids}; exec sleep 300\" & exec sleep 300' &\n"
                             "exec sleep 300\n")
    outcome = run_limited(argv, time_limit=1.0, time_kind="wall")
    assert outcome.timed_out
    escaped = _pids(pids, 2)
    assert not any(_alive(p) for p in escaped), "a setsid descendant outlived the run"
    time.sleep(0.2)
    assert not any(_exists(p) for p in escaped), "a killed descendant was left a zombie"


def test_a_setsid_child_of_a_run_that_exits_on_its_own_is_killed(tmp_path):
    pids = tmp_path / "pids"
    argv = _script(tmp_path, f"setsid sh -c 'echo $$ >> {pids}; exec sleep 300' &\n"
                             f"while [ ! -s {pids} ]; do sleep 0.01; done\n"
                             "echo done\n")
    started = time.monotonic()
    outcome = run_limited(argv, time_limit=30.0, time_kind="cpu")
    assert outcome.exit_code == 0 and "done" in outcome.stdout and not outcome.timed_out
    [escaped] = _pids(pids, 1)
    assert not _alive(escaped)
    # the escaped child held the run's stdout: killing it lets the supervisor return at once
    assert time.monotonic() - started < 20.0


def test_a_stop_request_kills_setsid_children_too(tmp_path):
    import threading

    pids = tmp_path / "pids"
    argv = _script(tmp_path, f"setsid sh -c 'echo $$ >> {pids}; exec sleep 300' &\nexec sleep 300\n")
    stop = threading.Event()
    threading.Timer(0.0, lambda: (_pids(pids, 1), stop.set())).start()
    outcome = run_limited(argv, time_limit=60.0, time_kind="wall", stop_event=stop)
    assert outcome.stopped
    assert not _alive(_pids(pids, 1)[0])


def test_the_environment_carries_a_fresh_token_each_run():
    env1, token1 = descendants.tag_environment({"A": "1"})
    env2, token2 = descendants.tag_environment(None)
    assert token1 != token2 and env1["A"] == "1" and env1[descendants.TOKEN_VARIABLE] == token1
    assert env2[descendants.TOKEN_VARIABLE] == token2 and env2.get("PATH") == os.environ.get("PATH")


def test_orphans_of_a_run_group_are_reaped_not_left_as_zombies(tmp_path):
    pids = tmp_path / "pids"
    # a double fork: the grandchild stays in the run's group, is orphaned, then ends on its own
    argv = _script(tmp_path, f"(sh -c 'echo $$ >> {pids}; sleep 0.2' &)\nsleep 0.05\n")
    run_limited(argv, time_limit=30.0, time_kind="cpu")
    [orphan] = _pids(pids, 1)
    deadline = time.monotonic() + 10
    while _alive(orphan) and time.monotonic() < deadline:
        time.sleep(0.05)
    run_limited(["true"], time_limit=30.0, time_kind="cpu")  # the next run's sweep reaps it
    assert not _exists(orphan)
