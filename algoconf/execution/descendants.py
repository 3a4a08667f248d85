"""Find and kill a run's descendants that left its process group (``setsid``, ``setpgid``).

Killing a run's process group misses a descendant that started a session or group of its own
(``setsid sleep 100 &`` in a wrapper script, a daemonising solver). Two mechanisms find them:

* **A token in the environment.** :func:`tag_environment` adds ``ALGOCONF_RUN_TOKEN=<token>`` to the
  environment a run starts with; every descendant inherits it (changing session or group does not
  change the environment). :func:`kill_tagged` scans ``/proc/*/environ`` for the token and SIGKILLs
  every process carrying it, repeatedly until none is left (a process forking while it is killed).
* **This process as a child subreaper** (``prctl(PR_SET_CHILD_SUBREAPER)``, Linux ≥ 3.4,
  :func:`become_subreaper`): a descendant orphaned by the death of its parent is re-parented to
  this process instead of init, so :func:`escaped_children` can find it cheaply among this
  process's own children (``/proc/self/task/*/children``) without scanning every process. The
  subreaper reaps the escaped processes it kills, and the orphans of a run's group that died
  (:func:`reap_orphans`), so they leave no zombies.

Contract: after :func:`sweep` returns, no process carrying the token and re-parented to this
process is alive; with ``full=True``, no process carrying the token is alive anywhere. Limits: a
descendant that clears or replaces its environment (``env -i``, a daemon that re-execs with a
clean one) carries no token and is not found; a process whose environ cannot be read (another user,
e.g. after a setuid exec) is not found either; a descendant that left the group and then exits on
its own after its parent died stays a zombie of this process until it exits.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import signal
import threading
import time
from pathlib import Path
from typing import Mapping

__all__ = ["TOKEN_VARIABLE", "become_subreaper", "tag_environment", "escaped_children", "kill_tagged", "kill_orphans_of", "reap_orphans", "sweep"]

TOKEN_VARIABLE = "ALGOCONF_RUN_TOKEN"
PR_SET_CHILD_SUBREAPER = 36
_counter = itertools.count()
_subreaper_lock = threading.Lock()
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (once; True when it is one)."""
    global _subreaper
    with _subreaper_lock:
        if _subreaper is None:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                _subreaper = False
        return _subreaper


def tag_environment(env: Mapping[str, str] | None) -> tuple[dict[str, str], str]:
    """A copy of ``env`` (``os.environ`` when None) with a fresh run token, and the token."""
    token = f"{os.getpid()}.{next(_counter)}.{time.monotonic_ns()}"
    tagged = dict(os.environ if env is None else env)
    tagged[TOKEN_VARIABLE] = token
    return tagged, token


def _carries(pid: int, needle: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return needle in fh.read()
    except OSError:
        return False


def _needle(token: str) -> bytes:
    return f"{TOKEN_VARIABLE}={token}\0".encode()


def _children() -> set[int]:
    pids: set[int] = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return pids
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/children", "rb") as fh:
                pids.update(int(p) for p in fh.read().split())
        except (OSError, ValueError):
            continue
    return pids


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    rest = raw[raw.rfind(b")") + 2:].split()
    try:
        return rest[0].decode(), int(rest[2])
    except (IndexError, ValueError):
        return None


def reap_orphans(children: set[int] | None = None) -> int:
    """Reap zombie children that were re-parented to this subreaper from some run's process group.

    Only a zombie that is not a group leader and is not in this process's own group is reaped: a
    group leader may be a process somebody here started on purpose (a run's main process, a Python
    target's worker) and will wait for. The number reaped."""
    own_group = os.getpgrp()
    reaped = 0
    for pid in _children() if children is None else children:
        stat = _stat(pid)
        if stat is None or stat[0] != "Z" or stat[1] in (pid, own_group):
            continue
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                reaped += 1
        except ChildProcessError:
            pass
    return reaped


def escaped_children(token: str) -> list[int]:
    """This process's children (its own or re-parented to it) that carry ``token``."""
    needle = _needle(token)
    return [pid for pid in _children() if _carries(pid, needle)]


def kill_tagged(token: str, *, rounds: int = 20) -> list[int]:
    """SIGKILL every process carrying ``token`` until none is left; the pids killed."""
    return _kill_matching(_needle(token), rounds)


def kill_orphans_of(supervisor_pid: int) -> list[int]:
    """SIGKILL every process left by runs of the supervisor ``supervisor_pid``, which must be dead
    (tokens start with its PID: a live process with that PID would have its own runs killed).
    Used when a run directory's lock names a holder that died (kill -9): its solvers are orphans."""
    if supervisor_pid == os.getpid() or Path(f"/proc/{supervisor_pid}").exists():
        return []
    return _kill_matching(f"{TOKEN_VARIABLE}={supervisor_pid}.".encode(), 20)


def _kill_matching(needle: bytes, rounds: int) -> list[int]:
    me = os.getpid()
    killed: list[int] = []
    for _ in range(rounds):
        found = []
        try:
            names = os.listdir("/proc")
        except OSError:
            return killed
        for name in names:
            if name.isdigit() and int(name) != me and _carries(int(name), needle):
                found.append(int(name))
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.005)  # let the kills land before looking again
    return killed


def _reap(pids: list[int]) -> None:
    """Reap those of ``pids`` that are (or become, once their parent dies) children of this
    subreaper, so the processes killed leave no zombies; gives up after a second."""
    remaining = set(pids)
    deadline = time.monotonic() + 1.0
    while remaining and time.monotonic() < deadline:
        for pid in list(remaining):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child: gone, or its parent is still dying
                if not os.path.exists(f"/proc/{pid}"):
                    remaining.discard(pid)
                continue
            if done:
                remaining.discard(pid)
        if remaining:
            time.sleep(0.002)


def sweep(token: str, *, full: bool = False) -> int:
    """Kill the run's escaped descendants; the number of processes killed.

    ``full=False`` looks only at this process's children (cheap: with the subreaper set, every
    escaped subtree whose parents died hangs under this process) and scans everything only when one
    is found; ``full=True`` always scans ``/proc`` (for a run whose tree was still alive when killed,
    where an escaped process's parent may still be dying).
    """
    children = _children()
    reap_orphans(children)
    needle = _needle(token)
    if not full and not any(_carries(pid, needle) for pid in children):
        return 0
    killed = kill_tagged(token)
    _reap(killed)
    return len(killed)
