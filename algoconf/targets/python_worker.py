"""PythonWorker: one reused child interpreter that runs PythonTarget calls one after another.

Starting an interpreter and importing the callable's modules costs 60-300 ms of CPU per run; a worker
pays it once. Each executor worker thread owns at most one PythonWorker per target (see
``algoconf.execution.base.execute_run``), so runs never share a child at the same time.

Limits per run (same meaning as :func:`~algoconf.execution.limits.run_limited`):

* the child runs in its own process group; on a time limit or a stop, the whole group is killed (SIGTERM,
  0.3 s grace, SIGKILL) and the next run starts a fresh child;
* CPU time of a run is measured by the child around the call (its own CPU plus children it reaped);
  while the run goes, the limit is checked from ``/proc/<child>/stat`` (own time plus reaped
  children), so CPU of processes the callable starts counts once they are reaped;
* the memory limit is ``RLIMIT_AS`` of the child (set by ``prlimit`` at its start); a MemoryError ends
  the child after its reply (MEMOUT), and the next run starts a fresh one;
* a child that dies during a run (segfault, ``os._exit``) gives an outcome with its exit code or signal.

Differences with a fresh process per run (``PythonTarget(reuse=False)``): module-level state of the
callable survives between runs of the same worker, and processes the callable leaves running are
only killed with the child (at a limit, a crash, or when the executor closes).
"""

from __future__ import annotations

import json
import math
import os
import selectors
import shutil
import signal as _signal
import subprocess
import time
from typing import IO, Mapping, Sequence

from algoconf.execution.limits import (
    CHECK_MAX,
    CHECK_MIN,
    N_CPUS,
    NEW_GROUP,
    OOM_PATTERN,
    STOP_POLL,
    OutputCapture,
    ProcessOutcome,
    StopFlag,
    kill_group,
    read_proc_stat,
)

__all__ = ["PythonWorker"]

_FATAL = ("MemoryError", "SystemExit", "KeyboardInterrupt")


def _pipes(proc: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes], IO[bytes]]:
    """stdin, stdout and stderr of a child started with a pipe for each."""
    if proc.stdin is None or proc.stdout is None or proc.stderr is None:
        raise ValueError("the Python worker's child was started without its three pipes")
    return proc.stdin, proc.stdout, proc.stderr


class PythonWorker:
    """A reusable child running ``algoconf.targets.python_server``; not thread-safe (one per thread)."""

    #: seconds a starting child may take to import the callable before it counts as failed
    start_timeout: float = 300.0

    def __init__(self, argv: Sequence[str], env: Mapping[str, str] | None, cwd: str | None,
                 memory_mb: float | None = None, *, preload: bytes = b""):
        self.preload = preload
        self.argv = list(argv)
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.memory_mb = memory_mb
        self.proc: subprocess.Popen[bytes] | None = None
        self.pidfd: int | None = None
        self.runs = 0

    # --- life cycle ---------------------------------------------------------------------------
    def _spawn(self) -> None:
        cmd = list(self.argv)
        if self.memory_mb is not None:
            nbytes = int(self.memory_mb * 2**20)
            cmd = [shutil.which("prlimit") or "prlimit", f"--as={nbytes}:{nbytes}", "--", *cmd]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=self.env, cwd=self.cwd, **NEW_GROUP)
        stdin, stdout, stderr = _pipes(self.proc)
        self.pidfd = os.pidfd_open(self.proc.pid) if hasattr(os, "pidfd_open") else None
        self.buffer = bytearray()
        self.start_error = ""
        # hand over the callable and wait until it is imported: start-up is not part of any run
        try:
            stdin.write(len(self.preload).to_bytes(8, "little") + self.preload)
            stdin.flush()
        except (BrokenPipeError, OSError):
            pass
        line = self._read_line(stdout, self.start_timeout)
        try:
            ready = json.loads(line) if line is not None else {}
        except json.JSONDecodeError:
            ready = {}
        if not ready.get("ready"):
            err = b""
            with selectors.DefaultSelector() as sel:
                sel.register(stderr, selectors.EVENT_READ)
                while sel.select(timeout=0.2):
                    chunk = os.read(stderr.fileno(), 65536)
                    if not chunk:
                        break
                    err += chunk
            self.start_error = (str(ready.get("error", "")) + "\n" + err.decode("utf-8", "replace"))[-4000:]
            self.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        """End the child (and everything in its group). Idempotent."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        kill_group(proc.pid, _signal.SIGKILL)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is None:
                continue
            try:
                stream.close()
            except OSError:
                pass
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None

    def __del__(self):  # pragma: no cover - best effort when an executor is dropped unclosed
        try:
            self.close()
        except Exception:
            pass

    def _cpu(self) -> float:
        stat = read_proc_stat(str(self.proc.pid)) if self.proc is not None else None
        return stat[3] if stat is not None else 0.0

    # --- one run --------------------------------------------------------------------------------
    def run(self, payload: bytes, *, time_limit: float | None, time_kind: str = "cpu",
            stop_event: StopFlag | None = None, wall_limit: float | None = None,
            grace: float = 0.3, stderr_tail: int = 8192) -> ProcessOutcome:
        """Send one call to the child and supervise it until its reply, its death or a limit."""
        if wall_limit is None and time_limit is not None:
            wall_limit = time_limit if time_kind == "wall" else max(5.0 * time_limit, time_limit + 10.0)
        cpu_limit = time_limit if time_kind == "cpu" else None
        if not self.alive():
            self.close()
            self._spawn()
        if self.proc is None:  # the child could not start or import the callable
            now = time.time()
            return ProcessOutcome(exit_code=1, signal=None, cpu_time=0.0, wallclock=0.0, stdout="",
                                  stderr_tail=f"the Python worker did not start: {self.start_error}",
                                  started=now, finished=now)
        started, t0 = time.time(), time.monotonic()
        proc = self.proc
        stdin, stdout, stderr = _pipes(proc)
        cpu0 = self._cpu()
        try:
            stdin.write(len(payload).to_bytes(8, "little") + payload)
            stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child is gone: the loop below sees it exit
        err = OutputCapture(stderr_tail, keep_head=False)
        sel = selectors.DefaultSelector()
        sel.register(stdout, selectors.EVENT_READ, "out")
        sel.register(stderr, selectors.EVENT_READ, "err")
        if self.pidfd is not None:
            sel.register(self.pidfd, selectors.EVENT_READ, "exit")
        killed_by: str | None = None
        kill_deadline = math.inf
        next_check = t0 + (min(CHECK_MAX, cpu_limit / N_CPUS) if cpu_limit is not None else math.inf)
        reply: bytes | None = None
        exited = False
        cpu_seen = 0.0
        try:
            while reply is None and not exited:
                now = time.monotonic()
                if killed_by is None:
                    if stop_event is not None and stop_event.is_set():
                        killed_by = "stop"
                    elif wall_limit is not None and now - t0 >= wall_limit:
                        killed_by = "wall"
                    elif cpu_limit is not None and now >= next_check:  # next_check is inf without a limit
                        cpu_seen = self._cpu() - cpu0
                        if cpu_seen >= cpu_limit:
                            killed_by = "cpu"
                        else:
                            room = (cpu_limit - cpu_seen) / N_CPUS
                            next_check = now + min(CHECK_MAX, max(CHECK_MIN, room))
                    if killed_by is not None:
                        cpu_seen = max(cpu_seen, self._cpu() - cpu0)
                        kill_group(proc.pid, _signal.SIGTERM)
                        kill_deadline = now + grace
                elif now >= kill_deadline:
                    kill_group(proc.pid, _signal.SIGKILL)
                    kill_deadline = math.inf
                wait = STOP_POLL if stop_event is not None else 1.0
                if killed_by is None:
                    if wall_limit is not None:
                        wait = min(wait, t0 + wall_limit - now)
                    wait = min(wait, next_check - now)
                else:
                    wait = min(wait, kill_deadline - now, 0.05)
                if self.pidfd is None:
                    wait = min(wait, 0.01)
                for key, _ in sel.select(timeout=max(0.0, wait)):
                    if key.data == "exit":
                        exited = True
                        continue
                    chunk = os.read(key.fd, 65536)
                    if key.data == "err":
                        if chunk:
                            err.add(chunk)
                        else:
                            sel.unregister(key.fileobj)
                        continue
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    self.buffer += chunk
                    if b"\n" in self.buffer and killed_by is None:
                        line, _, rest = bytes(self.buffer).partition(b"\n")
                        self.buffer = bytearray(rest)
                        reply = line
                if self.pidfd is None and proc.poll() is not None:
                    exited = True
        except BaseException:  # interrupted (KeyboardInterrupt, an error): never leave the child running
            sel.close()
            self.close()
            raise
        finally:
            sel.close()
        finished_mono = time.monotonic()
        if reply is not None:
            self.runs += 1
            return self._replied(reply, err, started, t0, finished_mono, time_kind)
        # the child died or was killed: a reply written just before it exited still counts
        if killed_by is None:
            reply = self._drain_reply(proc)
            if reply is not None:
                self.close()
                return self._replied(reply, err, started, t0, finished_mono, time_kind)
        # reap it; the next run starts a fresh one
        cpu_seen = max(cpu_seen, self._cpu() - cpu0)
        kill_group(proc.pid, _signal.SIGKILL)
        status = proc.wait()
        self.close()
        return ProcessOutcome(
            exit_code=status if status >= 0 else None, signal=-status if status < 0 else None,
            cpu_time=max(0.0, cpu_seen), wallclock=finished_mono - t0, stdout="", stderr_tail=err.text(),
            timed_out=killed_by in ("cpu", "wall"), stopped=killed_by == "stop", started=started,
            finished=started + (finished_mono - t0), killed_by=killed_by, time_kind=time_kind,
        )

    def _drain_reply(self, proc: subprocess.Popen[bytes]) -> bytes | None:
        line = self._read_line(_pipes(proc)[1], 0.1)
        return line.encode() if line is not None else None

    def _read_line(self, stdout: IO[bytes], timeout: float) -> str | None:
        """The next line on the child's ``stdout``, waiting up to ``timeout`` s for more output."""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(timeout=remaining):
                    break
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    break
                self.buffer += chunk
        if b"\n" not in self.buffer:
            return None
        line, _, rest = bytes(self.buffer).partition(b"\n")
        self.buffer = bytearray(rest)
        return line.decode("utf-8", errors="replace")

    def _replied(self, line: bytes, err: OutputCapture, started: float, t0: float, finished_mono: float,
                 time_kind: str) -> ProcessOutcome:
        text = line.decode("utf-8", errors="replace")
        cpu = 0.0
        fatal = False
        memout = False
        try:
            data = json.loads(text)
            cpu = float(data.get("cpu", 0.0))
            error = str(data.get("error", ""))
            fatal = not data.get("ok") and error.startswith(_FATAL)
            memout = self.memory_mb is not None and (
                error.startswith("MemoryError") or bool(OOM_PATTERN.search(bytes(err.tail)))
            )
        except (json.JSONDecodeError, AttributeError, TypeError, ValueError):
            pass
        if fatal:
            self.close()
        return ProcessOutcome(
            exit_code=0, signal=None, cpu_time=cpu, wallclock=finished_mono - t0, stdout=text + "\n",
            stderr_tail=err.text(), memout=memout, started=started, finished=started + (finished_mono - t0),
            time_kind=time_kind,
        )
