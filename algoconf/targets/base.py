"""The target contract: how one run is launched (``prepare``) and what its outcome means (``interpret``).

An executor only ever calls :meth:`Target.prepare` and :meth:`Target.interpret`. Classification order
in :meth:`Target.interpret` (the same for every target):

1. the executor's own flags first, whatever the exit code or output says: ``timed_out`` -> TIMEOUT
   (CAPPED when the request's ``bound`` lies below its cutoff), ``stopped`` -> CAPPED; the runtime is
   the CPU time used so far, a lower bound;
2. ``memout`` -> MEMOUT;
3. the target's :meth:`Target.answer` (for a command target: its output parser) -> SUCCESS / CRASHED
   / ...; a SUCCESS whose runtime exceeds the request's limit becomes TIMEOUT (CAPPED under a bound),
   measured on the limit's clock (CPU, or wall time under a wall-clock limit, unless the target
   reported its own runtime).

Every non-SUCCESS result keeps ``exit_code``, ``signal`` and ``stderr_tail`` in ``info``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Protocol, Sequence

from algoconf.execution.limits import ProcessOutcome
from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.execution.equivalence import BehaviourProbe
    from algoconf.execution.limits import StopFlag
    from algoconf.instances import Instance
    from algoconf.targets.python_worker import PythonWorker

__all__ = ["Launch", "Answer", "Target", "ProcessReusingTarget"]


@dataclass(frozen=True)
class Launch:
    """How to start one run: the argument vector, environment (None: inherit), directory, stdin."""

    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    cwd: str | None = None
    stdin: bytes | str | None = None


@dataclass(frozen=True)
class Answer:
    """What a finished run's output says: a status, the reported runtime/quality (None: not reported)."""

    status: Status
    runtime: float | None = None
    quality: float | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def crashed(cls, reason: str, **info: Any) -> "Answer":
        return cls(Status.CRASHED, info={"reason": reason, **info})


def _is_capped(request: RunRequest) -> bool:
    return request.bound is not None and (request.cutoff is None or request.bound < request.cutoff)


class Target(ABC):
    """Turns (request, instance) into a process launch and a process outcome into a :class:`RunResult`."""

    #: seconds of CPU a SUCCESS may exceed the limit by (poll granularity) before it counts as TIMEOUT
    limit_tolerance: float = 0.0
    #: capability: runs go to a reused child (``open_worker``/``run_reused``, see PythonTarget) when
    #: the executor offers a per-thread worker store; otherwise ``prepare`` starts a process per run
    reuses_process: bool = False

    def behaviour_probe(self) -> "BehaviourProbe | None":
        """Capability: a deterministic probe of a configuration's behaviour (equivalence caching,
        :mod:`algoconf.execution.equivalence`), or None (the default) when the target has none."""
        return None

    @abstractmethod
    def prepare(self, request: RunRequest, instance: "Instance") -> Launch:
        """The process to start for this run. Raise TargetError for a run that cannot be built."""

    @abstractmethod
    def answer(self, request: RunRequest, instance: "Instance", outcome: ProcessOutcome) -> Answer:
        """Classify a process that ended on its own (not killed by the executor, no MEMOUT)."""

    def interpret(self, request: RunRequest, instance: "Instance", outcome: ProcessOutcome) -> RunResult:
        """The run's result, classified in the order given in the module docstring."""
        info: dict[str, Any] = {"exit_code": outcome.exit_code, "cpu_time": outcome.cpu_time}
        if outcome.signal is not None:
            info["signal"] = outcome.signal
        if outcome.killed_by is not None:
            info["killed_by"] = outcome.killed_by
        quality: float | None = None
        runtime = outcome.cpu_time
        if outcome.timed_out:
            status = Status.CAPPED if _is_capped(request) else Status.TIMEOUT
        elif outcome.stopped:
            status = Status.CAPPED
        elif outcome.memout:
            status = Status.MEMOUT
            info["max_rss_mb"] = round(outcome.max_rss_mb, 1)
        else:
            answer = self.answer(request, instance, outcome)
            status = answer.status
            info.update(answer.info)
            quality = answer.quality
            if answer.runtime is not None:
                runtime = answer.runtime
            limit = request.limit
            # compared on the limit's own clock: a multi-threaded run may use more CPU than wall time
            used = outcome.wallclock if outcome.time_kind == "wall" and answer.runtime is None else runtime
            if status is Status.SUCCESS and limit is not None and used > limit + self.limit_tolerance:
                info["reason"] = f"finished after the limit ({used:.3f} s > {limit:g} s)"
                status = Status.CAPPED if _is_capped(request) else Status.TIMEOUT
        if status is not Status.SUCCESS:
            info["stderr_tail"] = outcome.stderr_tail[-2000:]
        if not math.isfinite(runtime) or runtime < 0:
            info["reported_runtime"] = runtime
            runtime = outcome.cpu_time
        return RunResult(
            request=request,
            status=status,
            runtime=runtime,
            wallclock=outcome.wallclock,
            quality=quality,
            info=info,
            started=outcome.started,
            finished=outcome.finished,
        )


class ProcessReusingTarget(Protocol):
    """What an executor calls on a target whose ``reuses_process`` capability is set (PythonTarget):
    its runs go to a child kept per worker thread instead of a process per run."""

    #: equal keys may share a child (same callable, environment and directory)
    worker_key: str

    def open_worker(self, memory_limit_mb: float | None = None) -> PythonWorker:
        """A new reusable child for this target."""
        ...

    def run_reused(self, request: RunRequest, instance: Instance, worker: PythonWorker, *, time_kind: str = "cpu",
                   stop_event: StopFlag | None = None) -> ProcessOutcome:
        """One run on ``worker`` under the request's limit; :meth:`Target.interpret` reads the outcome."""
        ...
