"""One writing process per run directory: an advisory ``flock`` on ``<run_dir>/.lock``.

:func:`acquire` takes an exclusive, non-blocking ``fcntl.flock`` on the directory's lock file and
writes this process's PID into it; it is held until :func:`release` (re-entrant within a process:
a count per directory), or until the process ends, whichever comes first (the kernel drops a
dead process's locks, so a ``kill -9`` never leaves a directory locked). A second process gets
:class:`~algoconf.errors.RunDirectoryBusyError` naming the holder's PID.

A lock file that still names a PID when it is acquired was left by a holder that died without
releasing it (``kill -9``, a power cut); :func:`acquire` returns that PID when no process has it any
more, so the caller can clean up after it (the session kills the dead holder's orphaned target
processes, :func:`algoconf.execution.descendants.kill_orphans_of`).

Limits: advisory (a program that ignores the lock is not stopped); ``flock`` on NFS is only as good
as the NFS client's lock support; a process forked (not exec'd) from the holder shares its lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from algoconf.errors import RunDirectoryBusyError

__all__ = ["LOCK_FILE", "acquire", "release"]

LOCK_FILE = ".lock"
_guard = threading.Lock()
_held: dict[Path, list[int]] = {}  # resolved run directory -> [fd, count]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire(run_dir: str | Path) -> int | None:
    """Lock ``run_dir`` for this process; the PID of a dead previous holder, if any (see module doc)."""
    key = Path(run_dir).resolve()
    with _guard:
        if key in _held:
            _held[key][1] += 1
            return None
        path = key / LOCK_FILE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise RunDirectoryBusyError(f"cannot create the lock file {LOCK_FILE}: {err.strerror}", file=key) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            os.close(fd)
            who = f"pid {holder}" if holder.isdigit() else "another process"
            raise RunDirectoryBusyError(
                f"another algoconf process ({who}) is writing to this run directory; wait for it to end, "
                "stop it, or choose another --out", file=key) from None
        previous = os.pread(fd, 64, 0).decode(errors="replace").strip()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[key] = [fd, 1]
    if previous.isdigit() and int(previous) != os.getpid() and not _pid_alive(int(previous)):
        return int(previous)
    return None


def release(run_dir: str | Path) -> None:
    """Drop one hold of ``run_dir``'s lock; the last one empties the lock file and unlocks it."""
    key = Path(run_dir).resolve()
    with _guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[key]
        fd = entry[0]
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
