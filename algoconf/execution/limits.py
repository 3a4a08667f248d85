"""Run one process tree under enforced limits and report what the kernel saw.

Contract of :func:`run_limited`
-------------------------------
* The command runs in a new process group (``process_group=0``; a new session on Python 3.10), so it
  and every descendant that does not call ``setpgid``/``setsid`` itself share one group id. It stays
  in the caller's session on purpose: Linux's scheduler autogroups are per session, and a new session
  per run waits behind every other session on a loaded machine (measured: median wall time of a
  3 ms minisat run 2.7 ms in the caller's session vs 10.6 ms in a new one, load average 13).
* **Time.** ``time_kind="cpu"`` measures the CPU time (user + sys) of the whole group while it runs,
  by summing ``/proc/<pid>/stat`` of its processes (own time plus the time of children they reaped).
  Checks are scheduled so that the tree cannot pass the limit by more than ~20 ms between two checks
  (at most ``n_cpus`` CPU-seconds per second are possible). ``RLIMIT_CPU`` (limit + 2 s) is a backstop
  that the kernel enforces on every process, even one orphaned by a dead supervisor; a run ended by
  its SIGXCPU counts as having hit the CPU limit (``timed_out``, ``killed_by="cpu"``). A CPU limit also
  has a wall-clock backstop (``wall_limit``, default ``max(5 * limit, limit + 10)`` s) so a sleeping or
  blocked run ends too, while a run that only gets a small share of a busy machine's CPUs still
  reaches its CPU limit: the time the tree's most delayed thread spent waiting in the kernel's run
  queue (schedstat) is added to the backstop, up to ``WALL_STARVED_MAX`` (20) times it, so a run is
  never ended by the wall before its CPU limit just because other jobs took the CPUs. A run ended
  by this backstop is TIMEOUT with ``killed_by="wall"``.
  ``time_kind="wall"`` kills at elapsed ``time_limit``.
* **Kill.** On a limit or a stop request the whole group gets SIGTERM, then SIGKILL after
  ``grace`` seconds (default 0.3). When the main process exits on its own, any process it left in its
  group is killed (SIGKILL) *before* the main process is reaped, so the group id cannot be reused in
  between. Descendants that left the group (``setsid``, ``setpgid``) are found by the run token in
  their environment and killed too (:mod:`algoconf.execution.descendants`; the supervising process
  is a child subreaper, so they cannot hide under init): after :func:`run_limited` returns, no
  process of the run is alive, except one that cleared its environment.
* **CPU time** reported is ``max(rusage of the reaped main process from os.wait4, last /proc sample of
  the group)``. The rusage covers the main process and every descendant reaped inside the tree; the
  sample covers descendants killed with the tree (which nobody in the tree reaps), up to one check
  interval. Samples are taken every 0.5 s at most (closer near a CPU limit) and once more when the
  run ends, except for runs too short to have had a first sample (under 0.5 s): for those, stray
  descendants are killed but their CPU time (at most the run's wall time each) is not counted. For
  a run that exits normally without stray descendants the figure is exactly the kernel's rusage.
* **Memory.** ``memory_mb`` sets ``RLIMIT_AS`` (address space, in MiB) through the util-linux
  ``prlimit`` program, which sets the limit and then ``exec``s the command (same pid, no race).
  MEMOUT rule: a memory limit was set, the run was not killed by us, it failed (non-zero exit or a
  signal), and either its output names an allocation failure (``std::bad_alloc``, ``MemoryError``,
  ``out of memory``, ``Cannot allocate memory``, ``memory exhausted``), or it died of SIGKILL that we did
  not send (the kernel's OOM killer), or it died of SIGSEGV/SIGABRT with a peak RSS of at least 80 % of
  the limit.
* **Output.** stdout is kept up to ``max_stdout`` bytes (the first half and the last half when longer,
  flagged ``stdout_truncated``), stderr's last ``stderr_tail`` bytes.
* Limits that cannot be enforced on this platform raise :class:`LimitNotEnforceableError` from
  :func:`check_limits` (executors call it when they are built).
"""

from __future__ import annotations

import math
import os
import re
import resource
import selectors
import shutil
import signal as _signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence

from algoconf.errors import LimitNotEnforceableError
from algoconf.execution.descendants import become_subreaper, sweep, tag_environment

__all__ = [
    "ProcessOutcome",
    "run_limited",
    "check_limits",
    "TIME_KINDS",
    "StopFlag",
    "NEW_GROUP",
    "OutputCapture",
    "kill_group",
    "read_proc_stat",
]

TIME_KINDS = ("cpu", "wall")
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
N_CPUS = os.cpu_count() or 1
CHECK_MIN = 0.02  # seconds between two CPU checks near the limit
CHECK_MAX = 0.5  # also the sampling period of runs under a wall-clock limit (for CPU accounting)
STOP_POLL = 0.05  # how often a stop request is looked at
WALL_STARVED_MAX = 20.0  # a starved CPU-limited run may run up to this many times its wall backstop
OOM_PATTERN = re.compile(
    rb"std::bad_alloc|MemoryError|out of memory|Cannot allocate memory|memory exhausted", re.I
)


class StopFlag(Protocol):
    """Anything with ``is_set()`` (``threading.Event`` is one)."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class ProcessOutcome:
    """What happened to one process tree.

    ``exit_code`` is the main process's exit status (None when it died of a signal, then ``signal``
    names it). ``time_kind`` is the clock the limit was on. ``timed_out`` is the supervisor's own flag: a time limit fired (``killed_by`` says
    which: "cpu", "wall"). ``stopped``: killed on purpose before its limit (racing, capping). Both
    are set from the supervisor's decision, never guessed from exit codes. ``cpu_time`` is user+sys
    of the tree in seconds, ``wallclock`` the elapsed seconds, ``started``/``finished`` UNIX times.
    """

    exit_code: int | None
    signal: int | None
    cpu_time: float
    wallclock: float
    stdout: str
    stderr_tail: str
    timed_out: bool = False
    stopped: bool = False
    memout: bool = False
    started: float = 0.0
    finished: float = 0.0
    killed_by: str | None = None
    max_rss_mb: float = 0.0
    stdout_truncated: bool = False
    time_kind: str = "cpu"

    @property
    def killed(self) -> bool:
        """True when the supervisor killed the run (limit or stop)."""
        return self.timed_out or self.stopped


#: Popen keyword arguments that start a child in a process group of its own (see module docstring)
NEW_GROUP: dict = {"process_group": 0} if sys.version_info >= (3, 11) else {"start_new_session": True}


def check_limits(*, time_kind: str = "cpu", memory_mb: float | None = None) -> None:
    """Raise :class:`LimitNotEnforceableError` when these limits cannot be enforced here."""
    if time_kind not in TIME_KINDS:
        raise LimitNotEnforceableError(f"unknown time kind {time_kind!r}; expected one of {TIME_KINDS}")
    if not hasattr(os, "killpg") or not hasattr(os, "wait4"):
        raise LimitNotEnforceableError("process groups and os.wait4 are needed (POSIX only)")
    if time_kind == "cpu" and not os.path.exists(f"/proc/{os.getpid()}/stat"):
        raise LimitNotEnforceableError("CPU-time limits need /proc to measure a running process tree")
    if memory_mb is not None:
        if not (memory_mb > 0):
            raise LimitNotEnforceableError(f"memory limit must be positive, got {memory_mb} MiB")
        if shutil.which("prlimit") is None:
            raise LimitNotEnforceableError(
                "memory limits need the 'prlimit' program (util-linux) to set RLIMIT_AS before exec"
            )


def read_proc_stat(pid: str) -> tuple[int, int, int, float, float] | None:
    """(ppid, pgrp, session, cpu seconds incl. reaped children, rss MiB) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    rest = raw[raw.rfind(b")") + 2 :].split()
    # fields after the command: state(0) ppid(1) pgrp(2) session(3) ... utime(11) stime(12)
    # cutime(13) cstime(14) ... rss(21)
    try:
        ticks = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
        return int(rest[1]), int(rest[2]), int(rest[3]), ticks / _CLK_TCK, int(rest[21]) * _PAGE / 2**20
    except (IndexError, ValueError):
        return None


class _TreeSampler:
    """Samples the CPU time and memory of every process of one process group from /proc.

    total = sum over live processes of (own + reaped children's time) + the last sample of each
    process that vanished while its parent was not in the tree any more (killed or orphaned: no
    process of the tree will account for it). A process that vanished while its parent was still in
    the tree was reaped by that parent, whose ``cutime`` now holds its time.
    """

    def __init__(self, group: int):
        self.group = group
        self.last: dict[int, tuple[int, float]] = {}
        self.orphaned = 0.0
        self.peak_rss_mb = 0.0
        self.n_samples = 0

    def sample(self) -> float:
        seen: dict[int, tuple[int, float]] = {}
        rss = 0.0
        try:
            names = os.listdir("/proc")
        except OSError:
            return self.total()
        self.n_samples += 1
        for name in names:
            if not name.isdigit():
                continue
            stat = read_proc_stat(name)
            if stat is not None and stat[1] == self.group:
                seen[int(name)] = (stat[0], stat[3])
                rss += stat[4]
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        if seen:
            for pid, (ppid, cpu) in self.last.items():
                if pid not in seen and ppid not in seen:
                    self.orphaned += cpu
            self.last = seen
        return self.total()

    def total(self) -> float:
        return sum(cpu for _, cpu in self.last.values()) + self.orphaned

    def run_delay(self) -> float:
        """Seconds the tree's most delayed thread has spent runnable but waiting for a CPU
        (``/proc/<pid>/task/<tid>/schedstat``, second field), over the processes of the last sample.
        0.0 where the kernel does not provide schedstat."""
        worst = 0
        for pid in list(self.last) or [self.group]:
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as fh:
                        worst = max(worst, int(fh.read().split()[1]))
                except (OSError, IndexError, ValueError):
                    continue
        return worst / 1e9


def _feed(stream, data: bytes) -> None:
    try:
        stream.write(data)
    except (BrokenPipeError, OSError):
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def kill_group(pgid: int, sig: int) -> None:
    """Send ``sig`` to every process of a group; a group that is already gone is fine."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class OutputCapture:
    """Bounded capture of one pipe: head and tail for stdout, tail only for stderr."""

    def __init__(self, limit: int, keep_head: bool):
        self.limit = max(0, int(limit))
        self.keep_head = keep_head
        self.head = bytearray()
        self.tail = bytearray()
        self.truncated = False

    def add(self, data: bytes) -> None:
        half = self.limit // 2 if self.keep_head else 0
        if self.keep_head and len(self.head) < half:
            take = half - len(self.head)
            self.head += data[:take]
            data = data[take:]
        self.tail += data
        room = self.limit - half
        if len(self.tail) > room:
            self.truncated = True
            del self.tail[: len(self.tail) - room]

    def text(self) -> str:
        return (bytes(self.head) + bytes(self.tail)).decode("utf-8", errors="replace")


def run_limited(
    argv: Sequence[str],
    *,
    time_limit: float | None,
    time_kind: str = "cpu",
    memory_mb: float | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    stdin: bytes | str | None = None,
    stop_event: StopFlag | None = None,
    wall_limit: float | None = None,
    grace: float = 0.3,
    max_stdout: int = 32 * 2**20,
    stderr_tail: int = 8192,
) -> ProcessOutcome:
    """Run ``argv`` to completion or to its limit; see the module docstring for the contract.

    ``time_limit`` None means no time limit (a ``wall_limit`` may still be given). A failure to
    start the program (missing binary, not executable) is reported as an outcome with exit code 127
    and the reason in ``stderr_tail``, since it is the target that is broken, not the executor.
    """
    check_limits(time_kind=time_kind, memory_mb=memory_mb)
    if time_limit is not None and not (time_limit > 0):
        raise ValueError(f"time_limit must be positive, got {time_limit}")
    if wall_limit is None and time_limit is not None:
        wall_limit = time_limit if time_kind == "wall" else max(5.0 * time_limit, time_limit + 10.0)
    cpu_limit = time_limit if time_kind == "cpu" else None

    cmd = [os.fspath(a) for a in argv]
    if memory_mb is not None:
        nbytes = int(memory_mb * 2**20)
        cmd = [shutil.which("prlimit") or "prlimit", f"--as={nbytes}:{nbytes}", "--", *cmd]
    stdin_bytes = stdin.encode() if isinstance(stdin, str) else stdin
    become_subreaper()
    env, token = tag_environment(env)

    started = time.time()
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            **NEW_GROUP,
        )
    except OSError as exc:
        now = time.time()
        return ProcessOutcome(
            exit_code=127, signal=None, cpu_time=0.0, wallclock=now - started, stdout="",
            stderr_tail=f"cannot start {cmd[0]!r}: {exc}", started=started, finished=now,
        )
    if cpu_limit is not None and hasattr(resource, "prlimit"):  # Linux
        backstop = int(math.ceil(cpu_limit)) + 2
        try:
            resource.prlimit(proc.pid, resource.RLIMIT_CPU, (backstop, backstop + 1))
        except (OSError, ValueError):
            pass  # the /proc check still enforces the limit
    if stdin_bytes is not None:
        if len(stdin_bytes) <= 65536:  # fits the pipe buffer: cannot block
            _feed(proc.stdin, stdin_bytes)
        else:  # the child may write before it reads: feed from a thread so neither side blocks
            threading.Thread(target=_feed, args=(proc.stdin, stdin_bytes), daemon=True).start()

    supervisor = _Supervisor(proc, token, t0=t0, cpu_limit=cpu_limit, wall_limit=wall_limit,
                             stop_event=stop_event, grace=grace, out=OutputCapture(max_stdout, keep_head=True),
                             err=OutputCapture(stderr_tail, keep_head=False))
    status, usage, wallclock = supervisor.supervise()
    return supervisor.outcome(status, usage, wallclock, started=started, memory_mb=memory_mb, time_kind=time_kind)


class _Supervisor:
    """Watches one started process tree until it is reaped: its pipes, its limits, its end.

    :meth:`supervise` runs one loop: enforce the limits (stop request, wall backstop, CPU time of
    the tree, SIGKILL ``grace`` seconds after SIGTERM), then wait for the pipes or the main
    process's exit (a pidfd, or polling ``waitid`` where there is none) until the next thing due.
    When the main process has exited it sweeps its group and the descendants that left it, reaps
    it and drains the pipes with the same pipe reader (:meth:`_pump`).
    """

    def __init__(self, proc: subprocess.Popen, token: str, *, t0: float, cpu_limit: float | None,
                 wall_limit: float | None, stop_event: StopFlag | None, grace: float, out: OutputCapture,
                 err: OutputCapture) -> None:
        self.proc, self.pid, self.token = proc, proc.pid, token
        self.t0, self.cpu_limit, self.wall_limit = t0, cpu_limit, wall_limit
        self.stop_event, self.grace = stop_event, grace
        self.out, self.err = out, err
        self.sampler = _TreeSampler(self.pid)
        self.killed_by: str | None = None
        self.stopped = False
        self.exited = False
        # a CPU-limited run starved by a busy machine gets its run-queue wait on top of the wall backstop
        # (up to WALL_STARVED_MAX times the backstop), so only a run that sleeps or blocks ends by it
        self.wall_extra = 0.0
        self.wall_ceiling = wall_limit * WALL_STARVED_MAX if wall_limit is not None else math.inf
        # the tree cannot use more than n_cpus CPU-seconds per second: no check is needed before then
        self.next_check = t0 + (min(CHECK_MAX, cpu_limit / N_CPUS) if cpu_limit is not None else CHECK_MAX)
        self.kill_deadline = math.inf  # when SIGKILL follows SIGTERM
        assert proc.stdout is not None and proc.stderr is not None  # started with both piped
        self.stdout, self.stderr = proc.stdout, proc.stderr
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.stdout, selectors.EVENT_READ, out)
        self.sel.register(self.stderr, selectors.EVENT_READ, err)
        self.pidfd: int | None = None
        if hasattr(os, "pidfd_open"):
            try:
                self.pidfd = os.pidfd_open(self.pid)
                self.sel.register(self.pidfd, selectors.EVENT_READ, None)
            except OSError:
                self.pidfd = None

    def supervise(self) -> tuple[int, resource.struct_rusage, float]:
        """Run the tree to its end; ``(wait status, rusage, wall seconds)`` of the main process.
        Whatever happens (an error, KeyboardInterrupt), the tree is not left running."""
        reaped = False
        try:
            while not self.exited:
                self._enforce(time.monotonic())
                self._pump(self._wait(time.monotonic()))
                if self.pidfd is None and not self.exited:
                    self.exited = self._main_exited()
            # main is a zombie (not reaped yet): its pid still holds the group id, so sweep the group
            if self.killed_by is None and self.sampler.n_samples:
                self.sampler.sample()
            kill_group(self.pid, _signal.SIGKILL)
            _, status, usage = os.wait4(self.pid, 0)
            reaped = True
            wallclock = time.monotonic() - self.t0
            # descendants that left the group (setsid): before draining, since they may hold the pipes
            sweep(self.token, full=self.killed_by is not None)
            # drain what the dead tree left in the pipes (a process in another group may hold them)
            drain_until = time.monotonic() + 0.5
            while self.sel.get_map():
                remaining = drain_until - time.monotonic()
                if remaining <= 0 or not self._pump(remaining):
                    break
        finally:
            self._close(reaped)
        return status, usage, wallclock

    def _enforce(self, now: float) -> None:
        """Start killing the tree when a limit or a stop request says so; SIGKILL when SIGTERM's
        grace is over."""
        if self.killed_by is not None:
            if now >= self.kill_deadline:
                kill_group(self.pid, _signal.SIGKILL)
                self.kill_deadline = math.inf
            return
        if self.stop_event is not None and self.stop_event.is_set():
            self.stopped = True
            self._begin_kill("stop")
        elif self.wall_limit is not None and now - self.t0 >= self.wall_limit + self.wall_extra:
            if self.cpu_limit is not None:
                self.sampler.sample()
                room = self.wall_ceiling - self.wall_limit
                self.wall_extra = max(self.wall_extra, min(self.sampler.run_delay(), room))
            if now - self.t0 >= self.wall_limit + self.wall_extra:
                self._begin_kill("wall")
        elif now >= self.next_check:
            cpu = self.sampler.sample()
            if self.cpu_limit is None:
                self.next_check = now + CHECK_MAX
            elif cpu >= self.cpu_limit:
                self._begin_kill("cpu")
            else:
                room = (self.cpu_limit - cpu) / N_CPUS
                self.next_check = now + min(CHECK_MAX, max(CHECK_MIN, room))

    def _wait(self, now: float) -> float:
        """Seconds until something is due (a check, the wall backstop, SIGKILL, a stop poll)."""
        wait = STOP_POLL if self.stop_event is not None else 1.0
        if self.killed_by is None:
            if self.wall_limit is not None:
                wait = min(wait, self.t0 + self.wall_limit + self.wall_extra - now)
            wait = min(wait, self.next_check - now)
        else:
            wait = min(wait, self.kill_deadline - now, 0.05)
        if self.pidfd is None:
            wait = min(wait, 0.01)
        return max(0.0, wait)

    def _pump(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the pipes (or the main process's exit) and read what
        came; False when nothing came. A pipe at its end, or the pidfd once it fired, is dropped."""
        events = self.sel.select(timeout=timeout)
        for key, _ in events:
            if key.data is None:  # pidfd readable: the main process exited
                self.exited = True
                self.sel.unregister(key.fileobj)
                continue
            chunk = os.read(key.fd, 65536)
            if chunk:
                key.data.add(chunk)
            else:
                self.sel.unregister(key.fileobj)
        return bool(events)

    def _begin_kill(self, reason: str) -> None:
        self.sampler.sample()
        self.killed_by = reason
        kill_group(self.pid, _signal.SIGTERM)
        self.kill_deadline = time.monotonic() + self.grace

    def _main_exited(self) -> bool:
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def _close(self, reaped: bool) -> None:
        self.sel.close()
        for stream in (self.stdout, self.stderr):
            try:
                stream.close()
            except OSError:
                pass
        if self.pidfd is not None:
            os.close(self.pidfd)
        if not reaped:  # interrupted (KeyboardInterrupt, an error): never leave the tree running
            kill_group(self.pid, _signal.SIGKILL)
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            sweep(self.token, full=True)
        if self.proc.returncode is None:
            self.proc.returncode = -1  # reaped here; keep Popen from waiting for a pid that may be reused

    def outcome(self, status: int, usage: resource.struct_rusage, wallclock: float, *, started: float,
                memory_mb: float | None, time_kind: str) -> ProcessOutcome:
        """The :class:`ProcessOutcome` of the reaped tree (the MEMOUT rule of the module docstring)."""
        exit_code: int | None
        sig: int | None
        if os.WIFSIGNALED(status):
            exit_code, sig = None, os.WTERMSIG(status)
        else:
            exit_code, sig = os.WEXITSTATUS(status), None
        killed_by = self.killed_by
        if killed_by is None and self.cpu_limit is not None and sig == _signal.SIGXCPU:
            killed_by = "cpu"  # the kernel's RLIMIT_CPU backstop fired before a check did (a starved supervisor)
        cpu_time = max(usage.ru_utime + usage.ru_stime, self.sampler.total())
        rss_mb = max(self.sampler.peak_rss_mb, usage.ru_maxrss / 1024.0)
        memout = False
        if memory_mb is not None and killed_by is None and (exit_code != 0 or sig is not None):
            tail = bytes(self.err.tail) + bytes(self.out.tail[-4096:])
            memout = bool(
                OOM_PATTERN.search(tail)
                or sig == _signal.SIGKILL
                or (sig in (_signal.SIGSEGV, _signal.SIGABRT) and rss_mb >= 0.8 * memory_mb)
            )
        return ProcessOutcome(
            exit_code=exit_code,
            signal=sig,
            cpu_time=cpu_time,
            wallclock=wallclock,
            stdout=self.out.text(),
            stderr_tail=self.err.text(),
            timed_out=killed_by in ("cpu", "wall"),
            stopped=self.stopped,
            memout=memout,
            started=started,
            finished=started + wallclock,
            killed_by=killed_by,
            max_rss_mb=rss_mb,
            stdout_truncated=self.out.truncated,
            time_kind=time_kind,
        )
