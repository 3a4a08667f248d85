"""One solver run measured in CPU seconds of the solver process, killed past its cutoff: how a
runtime matrix's entries (``algoconf.tuners.simulated.RuntimeMatrix``) are measured.

The runtime is ``ru_utime + ru_stime`` of the process from ``wait4`` (a solver that starts no
children: the whole process tree). Linux derives that sum from the scheduler's nanosecond runtime
(the number in ``/proc/<pid>/schedstat``), not from 10 ms ticks, and the process is spawned without
``preexec_fn`` so that no Python code runs in it before exec (that would add ~3 ms to every entry).
While the solver runs its schedstat CPU time is read every :data:`POLL_SECONDS`, and the run is
killed past ``CPU_KILL_FACTOR * cutoff + CPU_KILL_SLACK`` CPU seconds (an ``RLIMIT_CPU`` one second
above that is the kernel's backstop). A wall-clock backstop only guards against a hung process:
a run it stops before its CPU cutoff was starved, not slow, and is run again.

(The engine's executors measure runs with ``algoconf.execution.limits``; this lighter loop exists
for matrix builds, whose entries are compared with each other at millisecond resolution.)
"""

from __future__ import annotations

import math
import os
import resource
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable

__all__ = ["CPU_KILL_FACTOR", "CPU_KILL_SLACK", "POLL_SECONDS", "exit_code_answered", "process_cpu", "run_once"]

CPU_KILL_FACTOR, CPU_KILL_SLACK = 1.05, 0.02  # a run is killed past 1.05 * cutoff + 0.02 CPU seconds
POLL_SECONDS = 0.02  # how often a running solver's CPU time is read


def process_cpu(pid: int) -> float:
    """CPU seconds a live (or unreaped) process has used: the scheduler's runtime, in ns."""
    with open(f"/proc/{pid}/schedstat") as handle:
        return int(handle.read().split()[0]) / 1e9


def exit_code_answered(returncode: int, stdout: bytes | None) -> bool:
    """minisat's verdict: it answered when it exited 10 (SAT) or 20 (UNSAT)."""
    return returncode in (10, 20)


def run_once(
    args: list[str],
    cutoff: float,
    backstop: float,
    tries: int = 3,
    *,
    answered: Callable[[int, bytes | None], bool] = exit_code_answered,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    capture: bool = False,
) -> tuple[float, bool]:
    """CPU seconds of one solver run and whether it answered within ``cutoff`` CPU s.

    ``answered(returncode, stdout)`` judges the answer (stdout is captured only with ``capture``;
    default: minisat's exit 10/20). Unsolved runs return ``cutoff``. The run is killed once its
    CPU time passes ``CPU_KILL``; a run the wall backstop stops before it used ``cutoff`` CPU
    seconds was starved, not slow: it is rerun (``tries`` times, backstop doubled each time), then
    RuntimeError.
    """
    kill_at = CPU_KILL_FACTOR * cutoff + CPU_KILL_SLACK
    hard = math.ceil(kill_at) + 1  # kernel backstop should this monitor itself be starved
    for attempt in range(tries):
        # no preexec_fn: Python then spawns with vfork, and no Python code runs (and is
        # counted) in the child before exec. Output goes to a file, so a full pipe never blocks it.
        out = tempfile.TemporaryFile() if capture else None
        proc = subprocess.Popen(
            args,
            stdout=out if out is not None else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
        try:
            resource.prlimit(proc.pid, resource.RLIMIT_CPU, (hard, hard))
        except OSError:
            pass  # already exited
        wall_end = time.monotonic() + backstop * 2**attempt
        stalled = False
        exited = select.poll()
        pidfd = os.pidfd_open(proc.pid)
        try:
            exited.register(pidfd, select.POLLIN)
            while not exited.poll(POLL_SECONDS * 1000):
                used = process_cpu(proc.pid)
                if used > kill_at or time.monotonic() > wall_end:
                    stalled = used <= kill_at
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
        finally:
            os.close(pidfd)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        cpu = usage.ru_utime + usage.ru_stime
        stdout = None
        if out is not None:
            out.seek(0)
            stdout = out.read()
            out.close()
        if stalled and cpu < cutoff:
            continue  # starved in wall time, not a timeout: run it again
        solved = cpu <= cutoff and answered(proc.returncode, stdout)
        return (cpu if solved else cutoff), solved
    raise RuntimeError(f"{' '.join(args)}: stopped {tries} times by the wall backstop before its CPU cutoff")
