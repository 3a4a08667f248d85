"""The executor contract: WHERE runs happen. Executors never decide what to run.

``submit(request) -> Future[RunResult]``; every submitted run ends in exactly one of: a RunResult
(whatever happened to the target: failures are data), ``cancel`` before it started (the future is
cancelled, no result), or an exception for a bug of the execution layer or the target definition
(e.g. an unknown instance name, a broken template). ``stop(future)`` kills a running run now; its
result is CAPPED with the CPU time so far as a lower bound (a run stopped before it started is
CAPPED with runtime 0 and ``info["reason"] == "stopped before it started"``: it did not run, and
:func:`never_started` tells such a result apart; races run such an arm again later instead of
recording it). ``as_completed`` yields futures as they finish. ``close()`` withdraws queued
runs, stops running ones and releases the workers.

Time seam: ``now()`` is the executor's clock (monotonic seconds) and ``wait(futures, timeout)``
blocks until one of the futures is done or ``timeout`` seconds pass *on that clock*. The real
executors use ``time.monotonic`` and ``concurrent.futures.wait``; the virtual-clock executor
(:mod:`algoconf.execution.virtual`) returns its simulated time and advances it to the next finish
event. A loop that takes its elapsed time from ``now()`` and waits through ``wait()`` (the engine)
therefore runs unchanged on real or virtual time. ``poll_interval`` is how long such a loop should
wait at most before looking at its budgets again (None: nothing can happen between two events, wait
for the next one).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import shlex
import socket
import threading
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, cast

from algoconf.errors import ExecutionError
from algoconf.execution.limits import StopFlag, run_limited
from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.instances import Instance
    from algoconf.targets.base import ProcessReusingTarget, Target

__all__ = ["Executor", "execute_run", "close_reused", "failure_summary", "stopped_before_start", "never_started"]

STOPPED_BEFORE_START = "stopped before it started"


def execute_run(
    target: "Target",
    request: RunRequest,
    instance: "Instance",
    *,
    time_kind: str = "cpu",
    memory_limit_mb: float | None = None,
    stop_event: StopFlag | None = None,
    worker: str = "",
    reused: dict[Any, Any] | None = None,
) -> RunResult:
    """One run, start to end, in the calling thread: ``prepare``, :func:`run_limited`, ``interpret``.

    ``reused`` is the calling thread's store of reusable children: a target with the
    ``reuses_process`` capability runs on its child kept there (created on first use, keyed by the
    target's ``worker_key``); the caller closes them (``close_reused``) when the thread ends.
    """
    if reused is not None and target.reuses_process:
        reusing = cast("ProcessReusingTarget", target)  # what the capability promises
        key = (reusing.worker_key, memory_limit_mb)
        child = reused.get(key)
        if child is None:
            child = reused[key] = reusing.open_worker(memory_limit_mb)
        outcome = reusing.run_reused(request, instance, child, time_kind=time_kind, stop_event=stop_event)
        command = f"{target!r} with config {dict(request.config)}"
    else:
        launch = target.prepare(request, instance)
        outcome = run_limited(
            launch.argv,
            time_limit=request.limit,
            time_kind=time_kind,
            memory_mb=memory_limit_mb,
            env=launch.env,
            cwd=launch.cwd,
            stdin=launch.stdin,
            stop_event=stop_event,
        )
        command = shlex.join(launch.argv)
    result = target.interpret(request, instance, outcome)
    if result.status.failed and "command" not in result.info:
        result = dataclasses.replace(result, info={**result.info, "command": command})
    if worker:
        result = dataclasses.replace(result, worker=worker)
    return result


def failure_summary(result: RunResult, max_chars: int = 600) -> str:
    """One line on a failed run for an error message: status, instance, command, end of its stderr.

    The stderr's last three non-empty lines (a Python traceback's last line names the exception) or,
    for a Python target, its ``error``; cut to ``max_chars``.
    """
    info = result.info
    text = str(info.get("error") or info.get("stderr_tail") or info.get("reason") or "")
    tail = " | ".join([line.strip() for line in text.splitlines() if line.strip()][-3:]) or "(no stderr)"
    if len(tail) > max_chars:
        tail = "..." + tail[-max_chars:]
    command = str(info.get("command", "?"))
    if len(command) > max_chars:
        command = command[:max_chars] + "..."
    return (f"{result.status.value} on {result.request.instance} (seed {result.request.seed}); "
            f"command: {command}; stderr: {tail}")


def close_reused(reused: dict[Any, Any]) -> None:
    """End every reusable child in a thread's store (see :func:`execute_run`)."""
    for child in list(reused.values()):
        child.close()
    reused.clear()


def stopped_before_start(request: RunRequest, worker: str = "") -> RunResult:
    """The result of a run stopped before it started: CAPPED at 0 s (a trivial lower bound)."""
    return RunResult(request=request, status=Status.CAPPED, runtime=0.0,
                     info={"reason": STOPPED_BEFORE_START}, worker=worker)


def never_started(result: RunResult) -> bool:
    """True for the result of a run that was stopped before it started (it says nothing of the target)."""
    return result.status is Status.CAPPED and result.info.get("reason") == STOPPED_BEFORE_START


class Executor(ABC):
    """Runs requests on workers; see the module docstring for the contract."""

    #: how many runs may execute at the same time
    n_workers: int
    #: longest wait before a driving loop looks at its budgets again (None: until the next result)
    poll_interval: float | None = 0.25

    def __init__(self, target: "Target", instances: Mapping[str, "Instance"]):
        self.target = target
        self.instances = instances
        self._closed = False
        self.host = socket.gethostname()

    def _instance(self, request: RunRequest) -> "Instance":
        try:
            return self.instances[request.instance]
        except KeyError:
            raise ExecutionError(f"unknown instance {request.instance!r}: not in the executor's instances") from None

    @abstractmethod
    def submit(self, request: RunRequest) -> "cf.Future[RunResult]":
        """Queue a run; the future resolves to its RunResult."""

    @abstractmethod
    def stop(self, future: "cf.Future[RunResult]") -> None:
        """Kill the run now; its result becomes CAPPED (no-op for a finished run)."""

    @abstractmethod
    def cancel(self, future: "cf.Future[RunResult]") -> bool:
        """Withdraw a run that has not started; True when it was withdrawn."""

    def now(self) -> float:
        """Monotonic seconds on this executor's clock (real time here; virtual time in a simulator)."""
        return time.monotonic()

    def wait(self, futures: Iterable["cf.Future[RunResult]"], timeout: float | None = None,
             return_when: str = cf.FIRST_COMPLETED) -> tuple[set["cf.Future[RunResult]"], set["cf.Future[RunResult]"]]:
        """``(done, not_done)`` once one (``FIRST_COMPLETED``) or all (``ALL_COMPLETED``) of the futures
        are done, or ``timeout`` seconds of :meth:`now` passed."""
        done, pending = cf.wait(list(futures), timeout=timeout, return_when=return_when)
        return set(done), set(pending)

    def as_completed(self, futures: Iterable["cf.Future[RunResult]"], timeout: float | None = None) -> Iterator["cf.Future[RunResult]"]:
        """Futures in the order they finish (``concurrent.futures.as_completed`` semantics)."""
        return cf.as_completed(list(futures), timeout=timeout)

    def map(self, requests: Iterable[RunRequest]) -> list[RunResult]:
        """Run all requests and return their results in request order (blocking)."""
        futures = [self.submit(r) for r in requests]
        return [f.result() for f in futures]

    @abstractmethod
    def close(self) -> None:
        """Withdraw queued runs, stop running ones, release workers. Idempotent."""

    def _check_open(self) -> None:
        if self._closed:
            raise ExecutionError(f"{type(self).__name__} is closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Job:
    """Book-keeping of one submitted run (shared by executors that supervise runs in threads)."""

    __slots__ = ("request", "instance", "stop_event", "running", "resolved")

    def __init__(self, request: RunRequest, instance: "Instance"):
        self.request = request
        self.instance = instance
        self.stop_event = threading.Event()
        self.running = False
        self.resolved = False
