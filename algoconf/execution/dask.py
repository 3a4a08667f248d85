"""DaskExecutor: runs on a dask.distributed cluster (LocalCluster, a scheduler address, dask-jobqueue).

Each run is one Dask task that supervises the target's process tree on a worker with
:func:`~algoconf.execution.limits.run_limited` (same limits, same classification as
:class:`~algoconf.execution.local.LocalExecutor`). Use workers with one thread each
(``threads_per_worker=1``) and as many workers per machine as cores.

Worker loss: when a worker dies while running a run, the scheduler resubmits the run to another
worker. A run whose worker died ``max_tries`` times is given up and recorded CRASHED with
``info["reason"] = "killed worker k times"``; the pool survives (the nanny restarts workers).
``max_tries`` is enforced through the scheduler's ``allowed_failures`` (= ``max_tries - 1``), which
the executor sets on the scheduler when built (pass ``max_tries=None`` to keep the scheduler's own
setting, ``distributed.scheduler.allowed-failures``, default 3, i.e. 4 tries).

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
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Mapping

from algoconf.errors import ExecutionError
from algoconf.execution.base import Executor, execute_run, stopped_before_start
from algoconf.execution.limits import check_limits
from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

    from algoconf.instances import Instance
    from algoconf.targets.base import Target

__all__ = ["DaskExecutor"]

_THREAD_STATE = threading.local()  # per Dask worker thread: reusable children (PythonTarget)
_STOPS: dict[str, threading.Event] = {}  # per worker process: stop flags of its runs, by run id
_STOPS_LOCK = threading.Lock()
_PRESTOPPED: dict[str, float] = {}  # run id -> when a run was flagged before it started


def _run_on_worker(target, request, instance, time_kind, memory_limit_mb, run_id) -> RunResult:
    """The Dask task: one supervised run on the worker that executes it."""
    from distributed import get_worker

    worker = get_worker().address
    with _STOPS_LOCK:
        stop = _STOPS.setdefault(run_id, threading.Event())
    reused = getattr(_THREAD_STATE, "reused", None)
    if reused is None:
        reused = _THREAD_STATE.reused = {}  # children die with the worker (end of their stdin)
    try:
        if stop.is_set():  # stopped while it waited in this worker's queue
            return stopped_before_start(request, worker=worker)
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
        if max_tries is not None:
            if int(max_tries) < 1:
                raise ExecutionError(f"max_tries must be at least 1, got {max_tries}")
            allowed = int(max_tries) - 1
            client.run_on_scheduler(_set_allowed_failures, allowed)
        self.max_tries = int(client.run_on_scheduler(_get_allowed_failures)) + 1
        self._lock = threading.Lock()
        self._runs: dict[cf.Future, tuple[Any, str, RunRequest]] = {}
        self._n_workers, self._n_workers_at = 1, -math.inf

    def __repr__(self) -> str:
        return f"DaskExecutor({self.target!r}, scheduler={self.client.scheduler.address!r})"

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
        dask_future = self.client.submit(
            _run_on_worker, self.target, request, instance, self.time_kind, self.memory_limit_mb, run_id,
            key=f"algoconf-run-{run_id}", pure=False,
        )
        future: cf.Future = cf.Future()
        with self._lock:
            self._runs[future] = (dask_future, run_id, request)
        dask_future.add_done_callback(lambda df, f=future: self._resolve(f, df))
        return future

    def _resolve(self, future: cf.Future, dask_future) -> None:
        with self._lock:
            entry = self._runs.pop(future, None)
        if future.done():
            return
        status = dask_future.status
        try:
            if status == "finished":
                future.set_result(dask_future.result())
            elif status == "error":
                exc = dask_future.exception()
                if type(exc).__name__ == "KilledWorker":
                    request = entry[2] if entry else None
                    future.set_result(RunResult(
                        request=request, status=Status.CRASHED, runtime=0.0,
                        info={"reason": f"killed worker {self.max_tries} times", "error": str(exc)[:500]},
                    ))
                else:
                    future.set_exception(exc)
            elif status == "cancelled":
                future.cancel() or future.set_exception(ExecutionError("the Dask task was cancelled"))
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
