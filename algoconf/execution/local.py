"""LocalExecutor: runs on this machine, one supervising thread per worker, one process tree per run.

At most ``n_workers`` runs execute at once (default: the number of CPU cores; more concurrent runs
than cores distorts CPU times measured against wall-clock limits). Each worker thread takes the next
queued run, starts it with :func:`~algoconf.execution.limits.run_limited` (own process group,
enforced limits) and resolves its future with the target's interpretation of the outcome.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import queue
import threading
from typing import TYPE_CHECKING, Mapping

from algoconf.errors import ExecutionError
from algoconf.execution.base import Executor, _Job, close_reused, execute_run, stopped_before_start
from algoconf.execution.limits import check_limits
from algoconf.records import RunRequest, RunResult

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.instances import Instance
    from algoconf.targets.base import Target

__all__ = ["LocalExecutor"]


class LocalExecutor(Executor):
    """Process-tree runs on this machine (see module docstring).

    Raises :class:`~algoconf.errors.LimitNotEnforceableError` when built with a limit this platform
    cannot enforce.
    """

    def __init__(
        self,
        target: "Target",
        instances: Mapping[str, "Instance"],
        n_workers: int | None = None,
        memory_limit_mb: float | None = None,
        time_kind: str = "cpu",
    ):
        super().__init__(target, instances)
        check_limits(time_kind=time_kind, memory_mb=memory_limit_mb)
        n = n_workers if n_workers is not None else (os.cpu_count() or 1)
        if int(n) < 1:
            raise ExecutionError(f"n_workers must be at least 1, got {n_workers}")
        self.n_workers = int(n)
        self.memory_limit_mb = memory_limit_mb
        self.time_kind = time_kind
        self._lock = threading.Lock()
        self._queue: "queue.SimpleQueue[tuple[cf.Future, _Job] | None]" = queue.SimpleQueue()
        self._jobs: dict[cf.Future, _Job] = {}
        self._threads = [
            threading.Thread(target=self._work, args=(i,), name=f"algoconf-local-{i}", daemon=True)
            for i in range(self.n_workers)
        ]
        for thread in self._threads:
            thread.start()

    def __repr__(self) -> str:
        return f"LocalExecutor({self.target!r}, n_workers={self.n_workers}, time_kind={self.time_kind!r})"

    def submit(self, request: RunRequest) -> "cf.Future[RunResult]":
        self._check_open()
        job = _Job(request, self._instance(request))
        future: cf.Future = cf.Future()
        with self._lock:
            self._jobs[future] = job
        future.add_done_callback(self._forget)
        self._queue.put((future, job))
        return future

    def _forget(self, future: cf.Future) -> None:
        with self._lock:
            self._jobs.pop(future, None)

    def _work(self, index: int) -> None:
        reused: dict = {}
        try:
            self._serve(index, reused)
        finally:
            close_reused(reused)

    def _serve(self, index: int, reused: dict) -> None:
        worker = f"{self.host}:local-{index}"
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, job = item
            with self._lock:
                if job.resolved or not future.set_running_or_notify_cancel():
                    continue
                job.running = True
            try:
                result = execute_run(
                    self.target, job.request, job.instance,
                    time_kind=self.time_kind, memory_limit_mb=self.memory_limit_mb,
                    stop_event=job.stop_event, worker=worker, reused=reused,
                )
            except BaseException as exc:  # a bug of the target definition: surfaced, never swallowed
                future.set_exception(exc)
            else:
                future.set_result(result)

    def stop(self, future: "cf.Future[RunResult]") -> None:
        with self._lock:
            job = self._jobs.get(future)
            if job is None or future.done():
                return
            if job.running:
                job.stop_event.set()
                return
            job.resolved = True
        future.set_result(stopped_before_start(job.request))

    def cancel(self, future: "cf.Future[RunResult]") -> bool:
        with self._lock:
            job = self._jobs.get(future)
            if job is None or job.running or job.resolved:
                return False
        # outside the lock: cancelling runs the done-callbacks, which take the lock
        return future.cancel()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._lock:
            jobs = list(self._jobs.items())
        for future, _ in jobs:
            if not self.cancel(future):
                self.stop(future)
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()
