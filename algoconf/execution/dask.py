"""DaskExecutor: runs on a dask.distributed cluster (LocalCluster, a scheduler address, dask-jobqueue).

Each run is one Dask task that supervises the target's process tree on a worker with
:func:`~algoconf.execution.limits.run_limited` (same limits, same classification as
:class:`~algoconf.execution.local.LocalExecutor`). Use workers with one thread each
(``threads_per_worker=1``) and as many workers per machine as cores.

Worker loss: only the runs a lost worker was actually *executing* count against the ``max_tries``
rule. Each run tells the scheduler, synchronously, that it starts (an event on a topic of this
executor, sent before the target process starts), so when a worker dies the executor knows which of
the runs the scheduler had placed on it ever started. The scheduler's ``allowed_failures`` is set to
0, so every run the lost worker held comes back to the executor at once; the executor resubmits it
(a new task, another worker) unless it was started ``max_tries`` times, when it is recorded CRASHED
with ``info["reason"] = "killed worker k times"`` (k = the executions that died). A run that was only
queued on the lost worker is resubmitted, never recorded. A run lost more than ``max_tries + 8``
times in all is recorded CRASHED too (``"lost its worker n times"``), so the rule always ends even
if a start event were lost with its worker. The pool survives (the nanny restarts workers).
``max_tries=None`` leaves worker loss to the scheduler's own ``allowed_failures`` (every run placed
on a lost worker counts, started or not; no resubmission by the executor).

Stopping: ``stop(future)`` asks the scheduler which worker holds the run and raises the run's stop
flag in that worker process (``client.run``); the supervising thread sees it within 50 ms and the run
ends CAPPED. A run no worker executes yet is withdrawn and resolved CAPPED at 0 s at once. Nothing is
kept on the scheduler per run, and no message is exchanged for runs that are not stopped.
Known limit: a solver process whose *worker* is killed with ``os._exit``/SIGKILL is orphaned (it has
its own process group); its ``RLIMIT_CPU`` backstop (limit + 2 s CPU) still ends it.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import re
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Mapping

from algoconf.errors import ExecutionError, InputError
from algoconf.execution.base import Executor, execute_run, stopped_before_start
from algoconf.execution.limits import check_limits
from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

    from algoconf.instances import Instance
    from algoconf.targets.base import Target

__all__ = ["DaskExecutor", "connect_scheduler"]

_ADDRESS = re.compile(r"(tcp|tls|ucx|ws|wss)://\[?[A-Za-z0-9_.:-]+\]?(:[0-9]{1,5})?/?")


def connect_scheduler(address: str, timeout: float = 15.0) -> "Client":
    """A client of the Dask scheduler at ``address`` (``tcp://host:port``); an
    :class:`~algoconf.errors.InputError` (one line) for an address that is not one, or a scheduler
    that does not answer within ``timeout`` seconds."""
    if not _ADDRESS.fullmatch(address.strip()):
        raise InputError(f"--scheduler expects a Dask scheduler address like tcp://host:8786, got {address!r}")
    from algoconf.extras import require

    Client = require("distributed", "--scheduler").Client
    try:
        return Client(address.strip(), timeout=timeout)
    except (OSError, TimeoutError, ValueError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s: {reason[:200]}") from None

_THREAD_STATE = threading.local()  # per Dask worker thread: reusable children (PythonTarget)
_STOPS: dict[str, threading.Event] = {}  # per worker process: stop flags of its runs, by run id
_STOPS_LOCK = threading.Lock()
_PRESTOPPED: dict[str, float] = {}  # run id -> when a run was flagged before it started


def _run_on_worker(target, request, instance, time_kind, memory_limit_mb, run_id, started_topic=None) -> RunResult:
    """The Dask task: one supervised run on the worker that executes it. With ``started_topic``, the
    scheduler is told (and has stored it) before the target starts: the run is executing."""
    from distributed import get_worker

    dask_worker = get_worker()
    worker = dask_worker.address
    with _STOPS_LOCK:
        stop = _STOPS.setdefault(run_id, threading.Event())
    reused = getattr(_THREAD_STATE, "reused", None)
    if reused is None:
        reused = _THREAD_STATE.reused = {}  # children die with the worker (end of their stdin)
    try:
        if stop.is_set():  # stopped while it waited in this worker's queue
            return stopped_before_start(request, worker=worker)
        if started_topic is not None:
            from distributed.utils import sync

            sync(dask_worker.loop, dask_worker.scheduler.log_event, topic=started_topic, msg=run_id)
        return execute_run(
            target, request, instance, time_kind=time_kind, memory_limit_mb=memory_limit_mb,
            stop_event=stop, worker=worker, reused=reused,
        )
    finally:
        with _STOPS_LOCK:
            _STOPS.pop(run_id, None)
            _PRESTOPPED.pop(run_id, None)


def _signal_stop(run_id: str, key: str, dask_worker=None) -> bool:
    """On a worker: raise the stop flag of a run; True when the run is executing there now.

    A run the worker holds but has not started gets the flag too, so it ends at once should it start
    before the client's cancel arrives.
    """
    task = dask_worker.state.tasks.get(key)
    executing = task is not None and task.state in ("executing", "long-running")
    if task is None or task.state == "memory":
        return False
    now = time.monotonic()
    with _STOPS_LOCK:
        _STOPS.setdefault(run_id, threading.Event()).set()
        if not executing:  # flags of runs withdrawn before they started are dropped after an hour
            _PRESTOPPED[run_id] = now
        for old, since in list(_PRESTOPPED.items()):
            if now - since > 3600:
                _PRESTOPPED.pop(old, None)
                _STOPS.pop(old, None)
    return executing


def _pending_stops(dask_worker=None) -> int:
    """On a worker: how many stop flags it keeps (for tests: none once every run has ended)."""
    with _STOPS_LOCK:
        return len(_STOPS)


class DaskExecutor(Executor):
    """Runs on the workers of a ``dask.distributed.Client`` (see module docstring)."""

    def __init__(
        self,
        client: "Client",
        target: "Target",
        instances: Mapping[str, "Instance"],
        memory_limit_mb: float | None = None,
        time_kind: str = "cpu",
        max_tries: int | None = 2,
    ):
        super().__init__(target, instances)
        check_limits(time_kind=time_kind, memory_mb=memory_limit_mb)
        self.client = client
        self.memory_limit_mb = memory_limit_mb
        self.time_kind = time_kind
        self._started_topic: str | None = None
        if max_tries is not None:
            if int(max_tries) < 1:
                raise ExecutionError(f"max_tries must be at least 1, got {max_tries}")
            client.run_on_scheduler(_set_allowed_failures, 0)  # every loss comes back here, see above
            self.max_tries = int(max_tries)
            self._started_topic = f"algoconf-started-{uuid.uuid4().hex}"
        else:
            self.max_tries = int(client.run_on_scheduler(_get_allowed_failures)) + 1
        self._lock = threading.Lock()
        self._runs: dict[cf.Future, tuple[Any, str, RunRequest]] = {}
        self._losses: dict[cf.Future, int] = {}  # runs resubmitted after a lost worker: losses so far
        self._n_workers, self._n_workers_at = 1, -math.inf

    def __repr__(self) -> str:
        scheduler = self.client.scheduler
        return f"DaskExecutor({self.target!r}, scheduler={scheduler.address if scheduler is not None else None!r})"

    @property
    def n_workers(self) -> int:  # type: ignore[override]
        """Worker threads in the cluster (dynamic clusters change it; asked at most once a second)."""
        now = time.monotonic()
        if now - self._n_workers_at > 1.0:
            self._n_workers = max(1, sum(self.client.nthreads().values()))
            self._n_workers_at = now
        return self._n_workers

    def submit(self, request: RunRequest) -> "cf.Future[RunResult]":
        self._check_open()
        instance = self._instance(request)
        run_id = uuid.uuid4().hex
        future: cf.Future = cf.Future()
        self._submit_task(future, request, instance, run_id, f"algoconf-run-{run_id}")
        return future

    def _submit_task(self, future: cf.Future, request: RunRequest, instance: Any, run_id: str, key: str) -> None:
        dask_future = self.client.submit(
            _run_on_worker, self.target, request, instance, self.time_kind, self.memory_limit_mb, run_id,
            self._started_topic, key=key, pure=False,
        )
        with self._lock:
            self._runs[future] = (dask_future, run_id, request)
        dask_future.add_done_callback(lambda df, f=future: self._resolve(f, df))

    def _executions(self, run_id: str) -> int:
        """How many times the run started executing (its start events on the scheduler)."""
        events = self.client.get_events(self._started_topic)
        return sum(1 for _, msg in events if msg == run_id)

    def _after_lost_worker(self, future: cf.Future, entry: tuple[Any, str, RunRequest], exc: BaseException,
                           losses: int) -> None:
        """A run came back KilledWorker (its ``losses``-th time): resubmit it, or record it CRASHED."""
        _, run_id, request = entry
        executions = self._executions(run_id)
        if executions >= self.max_tries or losses > self.max_tries + 8:
            reason = (f"killed worker {executions} times" if executions >= self.max_tries
                      else f"lost its worker {losses} times ({executions} of them while running)")
            future.set_result(RunResult(request=request, status=Status.CRASHED, runtime=0.0,
                                        info={"reason": reason, "error": str(exc)[:500]}))
            return
        if self._closed:
            future.set_result(stopped_before_start(request))
            return
        with self._lock:
            self._losses[future] = losses
        self._submit_task(future, request, self._instance(request), run_id, f"algoconf-run-{run_id}-{losses}")

    def _resolve(self, future: cf.Future, dask_future) -> None:
        with self._lock:
            entry = self._runs.pop(future, None)
            losses = self._losses.pop(future, 0)
        if future.done():
            return
        status = dask_future.status
        try:
            if status == "finished":
                future.set_result(dask_future.result())
            elif status == "error":
                exc = dask_future.exception()
                if type(exc).__name__ == "KilledWorker" and entry is not None and self._started_topic is not None:
                    self._after_lost_worker(future, entry, exc, losses + 1)
                elif type(exc).__name__ == "KilledWorker" and entry is not None:
                    future.set_result(RunResult(
                        request=entry[2], status=Status.CRASHED, runtime=0.0,
                        info={"reason": f"killed worker {self.max_tries} times", "error": str(exc)[:500]},
                    ))
                else:
                    future.set_exception(exc)
            elif status == "cancelled":
                if not future.cancel():
                    future.set_exception(ExecutionError("the Dask task was cancelled"))
            else:
                future.set_exception(ExecutionError(f"the Dask task ended in state {status!r}"))
        except cf.InvalidStateError:  # resolved concurrently (cancel/stop)
            pass

    def stop(self, future: "cf.Future[RunResult]") -> None:
        with self._lock:
            entry = self._runs.get(future)
        if entry is None or future.done():
            return
        dask_future, run_id, request = entry
        if self._signal(dask_future.key, run_id):
            return  # executing: the worker kills it and it comes back CAPPED
        # not started: withdraw the task and resolve now
        with self._lock:
            self._runs.pop(future, None)
        try:
            future.set_result(stopped_before_start(request))
        except cf.InvalidStateError:
            pass
        self.client.cancel(dask_future)

    def _signal(self, key: str, run_id: str, *, stop_running: bool = True) -> bool:
        """Flag a run on the worker that holds it; True when it is executing there (and, when
        ``stop_running``, now being stopped). A run no worker holds yet is only withdrawn by cancel."""
        state, worker = self.client.run_on_scheduler(_task_state, key)
        if state != "processing" or worker is None:
            return False
        try:
            if not stop_running:
                return bool(self.client.run(_worker_executing, key, workers=[worker]).get(worker))
            return bool(self.client.run(_signal_stop, run_id, key, workers=[worker]).get(worker))
        except Exception:  # the worker left meanwhile: the scheduler reschedules the task elsewhere
            return False

    def cancel(self, future: "cf.Future[RunResult]") -> bool:
        with self._lock:
            entry = self._runs.get(future)
        if entry is None or future.done():
            return False
        dask_future, run_id, _ = entry
        if self._signal(dask_future.key, run_id, stop_running=False):
            return False  # executing: cannot be withdrawn
        self._signal(dask_future.key, run_id)  # flag it where it is queued, should it start after all
        self.client.cancel(dask_future)
        with self._lock:
            self._runs.pop(future, None)
        return future.cancel()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._lock:
            futures = list(self._runs)
        for future in futures:
            if not self.cancel(future):
                self.stop(future)
        cf.wait(futures, timeout=10)


def _set_allowed_failures(allowed: int, dask_scheduler=None) -> None:
    dask_scheduler.allowed_failures = allowed


def _get_allowed_failures(dask_scheduler=None) -> int:
    return int(dask_scheduler.allowed_failures)


def _task_state(key, dask_scheduler=None) -> tuple[str | None, str | None]:
    task = dask_scheduler.tasks.get(key)
    if task is None:
        return None, None
    worker = task.processing_on.address if task.processing_on is not None else None
    return task.state, worker


def _worker_executing(key, dask_worker=None) -> bool:
    task = dask_worker.state.tasks.get(key)
    return task is not None and task.state in ("executing", "long-running")
