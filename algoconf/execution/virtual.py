"""VirtualExecutor: N virtual workers on a virtual clock (a discrete-event simulator of parallel runs).

Runs are not executed here: ``answer(request) -> RunResult`` gives a run's whole outcome under its
own limits (cutoff, ``bound``), e.g. :meth:`algoconf.tuners.simulated.RuntimeMatrix.answer`, and
the executor lays the runs out in time:

* A submitted run waits in a FIFO queue until one of the ``n_workers`` virtual workers is free; it
  then starts at the current virtual time ``s`` and its answer is looked up (lazily: a run stopped
  at the instant it started is never looked up). It occupies its worker for ``d`` = the answer's
  ``wallclock`` (its ``runtime`` when the answer has no wall time) and finishes at ``s + d``.
* The clock moves only when a caller waits: :meth:`wait`, :meth:`as_completed` and a future's
  ``result()``/``exception()`` advance it to the next finish event (or by the timeout, in virtual
  seconds), resolving the runs that finish there in time order, then starting queued runs on the
  freed workers at that time. A caller that stops a race's other arms when the first one comes back
  (the engine, :func:`~algoconf.execution.racing.run_race`) stops them at that virtual moment, so a
  race is first-to-finish in virtual time; done-callbacks also run at that moment.
* ``stop(future)`` at virtual time ``t`` on a running run gives CAPPED with wall time ``t - s`` and
  runtime ``(t - s) * runtime / d`` (the answer's CPU share up to then; ``t - s`` for a matrix,
  whose runtimes are wall times too): a censored lower bound. A queued run is CAPPED at 0 (the
  base contract); ``cancel`` withdraws a queued run (no result).
* ``caller_time="charged"`` advances the clock, on every entry into the executor, by the CPU
  seconds the calling thread spent since it last left the executor (the engine's and the tuner's
  ask/tell work, the history's commits; thread CPU time rather than wall time, so that other
  processes on a loaded machine do not inflate it, and rather than process CPU time, which costs
  ~1 ms a reading in a process with many threads): runs keep going while the caller thinks, and a
  freed worker stays
  idle until the caller submits again, as with real workers (the time before the first call, e.g.
  building the tuner, is not charged). ``"free"`` (the default) makes the
  caller infinitely fast: the simulation is then exactly reproducible.

``now()`` is the virtual clock (0 at construction). Results carry ``started``/``finished`` as UNIX
times ``epoch + virtual time`` (``epoch`` = construction time by default), so timelines read as a
real run would. ``busy_time()``, ``utilisation()`` account the worker time: busy seconds (runs
started until they finished or were stopped) over ``n_workers`` × the virtual time.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import heapq
import itertools
import time
from collections import deque
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Mapping

from algoconf.errors import ExecutionError
from algoconf.execution.base import Executor, execute_run, stopped_before_start
from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.instances import Instance
    from algoconf.targets.base import Target

__all__ = ["VirtualExecutor", "CALLER_TIME", "executing_answer"]

#: how the caller's own (CPU) time is treated: "free" (the clock ignores it) or "charged"
CALLER_TIME = ("free", "charged")

Answer = Callable[[RunRequest], RunResult]


class _VirtualFuture(cf.Future):
    """A future whose ``result()``/``exception()`` drive the virtual clock until it is done."""

    def __init__(self, executor: "VirtualExecutor"):
        super().__init__()
        self._executor = executor

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            self._executor._run_until([self], timeout, all_done=True)
        return super().result(timeout=0)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        if not self.done():
            self._executor._run_until([self], timeout, all_done=True)
        return super().exception(timeout=0)


class _Job:
    __slots__ = ("request", "seq", "start", "finish", "answer", "worker", "state")

    def __init__(self, request: RunRequest, seq: int):
        self.request = request
        self.seq = seq
        self.start = 0.0
        self.finish: float | None = None  # known once the answer was looked up
        self.answer: RunResult | BaseException | None = None
        self.worker = -1
        self.state = "queued"  # queued | running | done


class VirtualExecutor(Executor):
    """Runs answered by ``answer(request)``, laid out on ``n_workers`` virtual workers (module docstring).

    ``instances`` (names), when given, are the only instances a request may name (else
    ExecutionError at submit, as on the real executors).
    """

    instant = False
    poll_interval = None  # nothing happens between events: the engine may wait for the next one

    def __init__(self, answer: Answer, n_workers: int = 1, *, instances: Collection[str] | None = None,
                 caller_time: str = "free", epoch: float | None = None):
        super().__init__(target=None, instances={})  # type: ignore[arg-type]
        if int(n_workers) < 1:
            raise ExecutionError(f"n_workers must be at least 1, got {n_workers}")
        if caller_time not in CALLER_TIME:
            raise ExecutionError(f"caller_time must be one of {', '.join(CALLER_TIME)}, got {caller_time!r}")
        self.n_workers = int(n_workers)
        self.caller_time = caller_time
        self.epoch = time.time() if epoch is None else float(epoch)
        self._answer = answer
        self._names = None if instances is None else frozenset(instances)
        self._now = 0.0
        self._seq = itertools.count()
        self._jobs: dict[cf.Future, _Job] = {}
        self._queue: deque[cf.Future] = deque()
        self._events: list[tuple[float, int, cf.Future]] = []  # (finish, seq, future) of running runs
        self._unlooked: list[cf.Future] = []  # started, answer not looked up yet
        self._free = list(range(self.n_workers))  # heap of free worker indices
        self._busy_done = 0.0  # worker seconds of runs that ended
        self._runs_started = 0
        self._charged = 0.0  # real caller seconds charged to the clock
        self._depth = 0
        self._resolved: list[cf.Future] = []  # futures resolved by the current step
        self._left_at: float | None = None  # None until the first call: set-up before it is not charged

    def __repr__(self) -> str:
        return f"VirtualExecutor(n_workers={self.n_workers}, now={self._now:.3f}, caller_time={self.caller_time!r})"

    # --- entry: charge the caller's CPU time -------------------------------------------------------
    @contextmanager
    def _entry(self) -> Iterator[None]:
        self._depth += 1
        try:
            if self._depth == 1 and self.caller_time == "charged" and self._left_at is not None:
                spent = time.thread_time() - self._left_at
                if spent > 0:
                    self._charged += spent
                    self._advance_to(self._now + spent)
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._left_at = time.thread_time()

    # --- the clock ---------------------------------------------------------------------------------
    def now(self) -> float:
        """Seconds on the virtual clock since construction."""
        with self._entry():
            return self._now

    def busy_time(self) -> float:
        """Worker seconds spent on runs so far (running runs count up to now)."""
        running = sum(self._now - job.start for job in self._jobs.values() if job.state == "running")
        return self._busy_done + running

    def utilisation(self) -> float:
        """Busy worker time over ``n_workers`` × virtual time (0 before the clock moved)."""
        return self.busy_time() / (self.n_workers * self._now) if self._now > 0 else 0.0

    @property
    def charged_seconds(self) -> float:
        """CPU seconds of the caller charged to the clock (0 unless ``caller_time="charged"``)."""
        return self._charged

    @property
    def runs_started(self) -> int:
        return self._runs_started

    def _look_up(self) -> None:
        """Answer every started run whose answer is still unknown (its finish event is then known)."""
        pending, self._unlooked = self._unlooked, []
        for future in pending:
            job = self._jobs.get(future)
            if job is None or job.state != "running" or job.finish is not None:
                continue
            answer: RunResult | BaseException
            try:
                answer = self._answer(job.request)
                duration = answer.wallclock if answer.wallclock and answer.wallclock > 0 else answer.runtime
                duration = max(0.0, float(duration))
            except BaseException as exc:  # a bug of the answer (e.g. unknown instance): surfaced at once
                answer, duration = exc, 0.0
            job.answer = answer
            job.finish = job.start + duration
            heapq.heappush(self._events, (job.finish, job.seq, future))

    def _next_event(self) -> float | None:
        self._look_up()
        while self._events:
            finish, _, future = self._events[0]
            job = self._jobs.get(future)
            if job is not None and job.state == "running":
                return finish
            heapq.heappop(self._events)  # stopped or withdrawn since
        return None

    def _advance_to(self, t: float) -> None:
        """Move the clock to ``t``, resolving (in time order) every run finishing by then."""
        while True:
            nxt = self._next_event()
            if nxt is None or nxt > t:
                break
            _, _, future = heapq.heappop(self._events)
            self._now = max(self._now, nxt)
            self._finish(future)
        self._now = max(self._now, t)

    def _step(self) -> bool:
        """Advance to the next finish event and resolve it; False when nothing runs."""
        nxt = self._next_event()
        if nxt is None:
            return False
        self._advance_to(nxt)
        return True

    def _finish(self, future: cf.Future) -> None:
        job = self._jobs[future]
        answer = job.answer
        if isinstance(answer, BaseException):
            self._settle(future, job, error=answer)
            return
        assert isinstance(answer, RunResult)
        result = dataclasses.replace(answer, request=job.request, wallclock=self._now - job.start,
                                     started=self.epoch + job.start, finished=self.epoch + self._now,
                                     worker=f"virtual-{job.worker}")
        self._settle(future, job, result=result)

    def _settle(self, future: cf.Future, job: _Job, *, result: RunResult | None = None,
                error: BaseException | None = None) -> None:
        """Free the job's worker, resolve its future (result or error), start queued runs."""
        self._release(future, job)
        self._resolved.append(future)
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
        self._dispatch()

    def _release(self, future: cf.Future, job: _Job) -> None:
        if job.state == "running":
            self._busy_done += self._now - job.start
            heapq.heappush(self._free, job.worker)
        job.state = "done"
        self._jobs.pop(future, None)

    def _dispatch(self) -> None:
        """Start queued runs on free workers at the current time."""
        while self._queue and self._free:
            future = self._queue.popleft()
            job = self._jobs.get(future)
            if job is None or job.state != "queued":
                continue
            if not future.set_running_or_notify_cancel():
                self._jobs.pop(future, None)
                continue
            job.state, job.start, job.worker = "running", self._now, heapq.heappop(self._free)
            self._runs_started += 1
            self._unlooked.append(future)

    def _run_until(self, futures: list[cf.Future], timeout: float | None, all_done: bool) -> set[cf.Future]:
        """Advance event by event until one (or all) of ``futures`` is done, or ``timeout`` virtual s;
        returns the done ones (each future's state is read once; later only what resolved is checked)."""
        with self._entry():
            deadline = None if timeout is None else self._now + max(0.0, timeout)
            self._advance_to(self._now)
            # a future of this executor is done exactly when it left the job table (no lock taken)
            done = {f for f in futures if (f not in self._jobs if getattr(f, "_executor", None) is self else f.done())}
            pending = set(futures) - done
            while pending and (all_done or not done):
                nxt = self._next_event()
                if nxt is None:
                    if any(f not in self._jobs for f in pending):
                        raise ExecutionError("waiting for a future this executor does not hold")
                    break  # nothing runs: queued futures cannot start (cannot happen with free workers)
                if deadline is not None and nxt > deadline:
                    self._advance_to(deadline)
                    break
                self._resolved = []
                self._step()
                for future in self._resolved:
                    if future in pending:
                        pending.discard(future)
                        done.add(future)
            return done

    # --- the executor contract ---------------------------------------------------------------------
    def submit(self, request: RunRequest) -> "cf.Future[RunResult]":
        self._check_open()
        if self._names is not None and request.instance not in self._names:
            raise ExecutionError(f"unknown instance {request.instance!r}: not in the executor's instances")
        with self._entry():
            future = _VirtualFuture(self)
            self._jobs[future] = _Job(request, next(self._seq))
            self._queue.append(future)
            self._dispatch()
            return future

    def stop(self, future: "cf.Future[RunResult]") -> None:
        with self._entry():
            job = self._jobs.get(future)
            if job is None or future.done():
                return
            if job.state == "queued":
                job.state = "done"
                self._jobs.pop(future, None)
                future.set_running_or_notify_cancel()
                self._resolved.append(future)
                future.set_result(stopped_before_start(job.request))
                return
            elapsed = self._now - job.start
            answer = job.answer
            runtime = elapsed
            if isinstance(answer, RunResult) and job.finish is not None and job.finish > job.start:
                runtime = elapsed * answer.runtime / (job.finish - job.start)
            result = RunResult(job.request, Status.CAPPED, runtime, wallclock=elapsed,
                               info={"reason": "stopped", "virtual": True},
                               started=self.epoch + job.start, finished=self.epoch + self._now,
                               worker=f"virtual-{job.worker}")
            self._settle(future, job, result=result)

    def cancel(self, future: "cf.Future[RunResult]") -> bool:
        with self._entry():
            job = self._jobs.get(future)
            if job is None or job.state != "queued":
                return False
            job.state = "done"
            self._jobs.pop(future, None)
            self._resolved.append(future)
            return future.cancel()

    def wait(self, futures: Iterable["cf.Future[RunResult]"], timeout: float | None = None,
             return_when: str = cf.FIRST_COMPLETED) -> tuple[set[cf.Future], set[cf.Future]]:
        """Advance the virtual clock until one (``FIRST_COMPLETED``) or all (``ALL_COMPLETED``) of the
        futures are done, or ``timeout`` virtual seconds passed."""
        futures = list(futures)
        done = self._run_until(futures, timeout, all_done=return_when == cf.ALL_COMPLETED)
        return done, set(futures) - done

    def as_completed(self, futures: Iterable["cf.Future[RunResult]"],
                     timeout: float | None = None) -> Iterator["cf.Future[RunResult]"]:
        """Futures in virtual finish order; TimeoutError when some are not done ``timeout`` virtual s on."""
        pending = list(dict.fromkeys(futures))
        deadline = None if timeout is None else self._now + timeout
        while pending:
            left = None if deadline is None else max(0.0, deadline - self._now)
            done, _ = self.wait(pending, timeout=left)
            if not done:
                raise cf.TimeoutError(f"{len(pending)} (of {len(pending)}) futures unfinished")
            ordered = sorted(done, key=_finish_order)
            for future in ordered:
                pending.remove(future)
                yield future

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._entry():
            for future in list(self._queue):
                self.cancel(future)
            for future in list(self._jobs):
                self.stop(future)


def _finish_order(future: cf.Future) -> tuple[float, int]:
    if future.cancelled() or future.exception(timeout=0) is not None:
        return (float("-inf"), 0)
    result = future.result(timeout=0)
    return (result.finished, 0)


def executing_answer(target: "Target", instances: Mapping[str, "Instance"], *, time_kind: str = "cpu",
                     memory_limit_mb: float | None = None) -> Answer:
    """An ``answer`` that really runs each request (in the calling thread, one at a time) under its
    limits: a :class:`VirtualExecutor` built on it replays a real target on N virtual workers."""

    def answer(request: RunRequest) -> RunResult:
        try:
            instance = instances[request.instance]
        except KeyError:
            raise ExecutionError(f"unknown instance {request.instance!r}: not in the executor's instances") from None
        return execute_run(target, request, instance, time_kind=time_kind, memory_limit_mb=memory_limit_mb)

    return answer
