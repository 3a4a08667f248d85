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

Stopping: ``stop(future)`` sets a ``distributed.Event`` named after the run; a watcher thread next to
the supervised process sees it (long-poll on the scheduler) and the run ends CAPPED.
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

_STOP_PREFIX = "algoconf-stop-"
_THREAD_STATE = threading.local()  # per Dask worker thread: reusable children (PythonTarget)


def _run_on_worker(target, request, instance, time_kind, memory_limit_mb, stop_name) -> RunResult:
    """The Dask task: one supervised run on the worker that executes it."""
    from distributed import Event, get_worker

    worker = get_worker().address
    remote = Event(stop_name)
    if remote.is_set():
        return stopped_before_start(request, worker=worker)
    local = threading.Event()
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            try:
                if remote.wait(timeout=1.0):
                    local.set()
                    return
            except Exception:  # scheduler gone or shutting down: nothing left to stop
                return

    watcher = threading.Thread(target=watch, name=f"algoconf-watch-{stop_name}", daemon=True)
    watcher.start()
    reused = getattr(_THREAD_STATE, "reused", None)
    if reused is None:
        reused = _THREAD_STATE.reused = {}  # children die with the worker (end of their stdin)
    try:
        return execute_run(
            target, request, instance, time_kind=time_kind, memory_limit_mb=memory_limit_mb,
            stop_event=local, worker=worker, reused=reused,
        )
    finally:
        finished.set()


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
        self._stopped: set[str] = set()  # names of stop events that were set

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
        stop_name = _STOP_PREFIX + run_id
        dask_future = self.client.submit(
            _run_on_worker, self.target, request, instance, self.time_kind, self.memory_limit_mb, stop_name,
            key=f"algoconf-run-{run_id}", pure=False,
        )
        future: cf.Future = cf.Future()
        with self._lock:
            self._runs[future] = (dask_future, stop_name, request)
        dask_future.add_done_callback(lambda df, f=future, name=stop_name: self._resolve(f, df, name))
        return future

    def _resolve(self, future: cf.Future, dask_future, stop_name: str) -> None:
        with self._lock:
            entry = self._runs.pop(future, None)
            was_stopped = stop_name in self._stopped
            self._stopped.discard(stop_name)
        if was_stopped:  # a set event stays on the scheduler until cleared
            from distributed import Event

            try:
                Event(stop_name, client=self.client).clear()
            except Exception:  # the scheduler is gone: nothing to clean up
                pass
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
        from distributed import Event

        with self._lock:
            entry = self._runs.get(future)
        if entry is None or future.done():
            return
        dask_future, stop_name, request = entry
        with self._lock:
            self._stopped.add(stop_name)
        Event(stop_name, client=self.client).set()  # a running (or starting) run ends CAPPED
        if not self._executing(dask_future.key):
            # not started yet: withdraw the task and resolve at once (should it start in between, the
            # event ends it immediately and its late result is ignored)
            with self._lock:
                self._runs.pop(future, None)
            try:
                future.set_result(stopped_before_start(request))
            except cf.InvalidStateError:
                pass
            self.client.cancel(dask_future)

    def _executing(self, key: str) -> bool:
        """Whether a worker is executing the task now (not merely holding it in its queue)."""
        state, worker = self.client.run_on_scheduler(_task_state, key)
        if state != "processing" or worker is None:
            return False
        try:
            answer = self.client.run(_worker_executing, key, workers=[worker])
        except Exception:  # the worker left meanwhile: the scheduler will reschedule the task
            return False
        return bool(answer.get(worker))

    def cancel(self, future: "cf.Future[RunResult]") -> bool:
        with self._lock:
            entry = self._runs.get(future)
        if entry is None or future.done():
            return False
        dask_future, stop_name, _ = entry
        if self._executing(dask_future.key):
            return False
        from distributed import Event

        with self._lock:
            self._stopped.add(stop_name)
        Event(stop_name, client=self.client).set()  # should it start after all, it ends at once
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
