"""PythonTarget: a Python callable run in a child process, under the same limits as any command.

The callable is ``f(config: dict, instance: Instance, seed: int, cutoff: float | None)`` and returns
either a number (the cost, stored as ``quality``) or a dict with ``cost`` (or ``quality``), and
optionally ``runtime`` (seconds; default: the child's CPU time as measured by the executor) and
``status`` (a :class:`~algoconf.records.Status` name or an AClib word; default SUCCESS).

By default (``reuse=True``) each executor worker thread keeps one child interpreter
(:class:`~algoconf.targets.python_worker.PythonWorker`) and sends it one call after another: the
child has its own process group and the executor's CPU/wall/memory limits, a hang is killed at the
limit, and a crash, a segfault or ``os._exit`` in the callable ends only the child, which is started
afresh for the next run. The run's CPU time is measured around the call inside the child. Module-level
state of the callable survives between runs of one worker; pass ``reuse=False`` for a fresh
interpreter per run (``python -m algoconf.targets.python_child``, started like any command; its
start, 60-300 ms of CPU, is then part of the measured runtime).

Documented statuses: an exception in the callable -> CRASHED (``info["error"]`` and the traceback in
``info["traceback"]``); a NaN / infinite / non-numeric / missing cost -> CRASHED; a dead child
without a result line (segfault, ``os._exit``) -> CRASHED with the exit code or signal.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import pickle
import sys
from typing import TYPE_CHECKING, Any, Callable

from algoconf.errors import TargetError
from algoconf.execution.limits import ProcessOutcome, StopFlag
from algoconf.records import RunRequest, Status
from algoconf.targets.base import Answer, Launch, Target
from algoconf.targets.python_worker import PythonWorker

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.instances import Instance

__all__ = ["PythonTarget", "resolve_callable"]

_STATUS_WORDS = {
    "SAT": Status.SUCCESS,
    "UNSAT": Status.SUCCESS,
    "ABORT": Status.ABORTED,
    "CRASH": Status.CRASHED,
}


def resolve_callable(spec: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` (dots after the colon walk attributes)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise TargetError(f"python callable must look like 'package.module:function', got {spec!r}")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise TargetError(f"cannot import module {module_name!r} of callable {spec!r}: {exc}") from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise TargetError(f"module {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise TargetError(f"{spec!r} is not callable")
    return obj


def _finite(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is a bool, not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} is {value!r}, not a finite number")
    return number


class PythonTarget(Target):
    """Runs ``func(config, instance, seed, cutoff)`` in a child process (see module docstring)."""

    def __init__(self, func: Callable[..., Any] | str, *, env: dict[str, str] | None = None, cwd: str | None = None,
                 reuse: bool = True):
        if isinstance(func, str):
            func = resolve_callable(func)
        if not callable(func):
            raise TargetError(f"PythonTarget needs a callable or 'module:function', got {func!r}")
        if getattr(func, "__module__", None) == "__main__":
            raise TargetError(
                f"callable {getattr(func, '__qualname__', func)!r} is defined in __main__, which a child "
                "process cannot import; move it to an importable module"
            )
        try:
            pickle.dumps(func)
        except Exception as exc:  # lambdas, closures, local functions
            raise TargetError(
                f"callable {func!r} cannot be sent to a child process ({exc}); "
                "use a module-level function or 'module:function'"
            ) from None
        self.func = func
        self.env = dict(env or {})
        self.cwd = cwd
        self.reuse = bool(reuse)
        #: capability read by executors: runs go to a reused :class:`PythonWorker` per worker thread
        self.reuses_process = self.reuse
        self.worker_key = hashlib.sha256(pickle.dumps((func, sorted(self.env.items()), cwd))).hexdigest()[:16]

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        if os.environ.get("PYTHONPATH"):
            paths.append(os.environ["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
        env.update(self.env)
        return env

    def _payload(self, request: RunRequest, instance: "Instance") -> bytes:
        return pickle.dumps((self.func, dict(request.config), instance, int(request.seed), request.cutoff))

    def open_worker(self, memory_limit_mb: float | None = None) -> PythonWorker:
        """A reusable child for this target (the executor keeps one per worker thread)."""
        return PythonWorker([sys.executable, "-m", "algoconf.targets.python_server"], self._child_env(), self.cwd,
                            memory_limit_mb, preload=pickle.dumps(self.func))

    def run_reused(self, request: RunRequest, instance: "Instance", worker: PythonWorker, *, time_kind: str = "cpu",
                   stop_event: StopFlag | None = None) -> ProcessOutcome:
        """One run on a reused child, under the request's limit; :meth:`interpret` reads the outcome."""
        payload = pickle.dumps((dict(request.config), instance, int(request.seed), request.cutoff))
        return worker.run(payload, time_limit=request.limit, time_kind=time_kind, stop_event=stop_event)

    def __repr__(self) -> str:
        return f"PythonTarget({getattr(self.func, '__module__', '?')}:{getattr(self.func, '__qualname__', self.func)})"

    def prepare(self, request: RunRequest, instance: "Instance") -> Launch:
        return Launch(argv=[sys.executable, "-m", "algoconf.targets.python_child"], env=self._child_env(), cwd=self.cwd,
                      stdin=self._payload(request, instance))

    def answer(self, request: RunRequest, instance: "Instance", outcome: ProcessOutcome) -> Answer:
        lines = [ln for ln in outcome.stdout.splitlines() if ln.strip()]
        try:
            reply = json.loads(lines[-1]) if lines else None
        except json.JSONDecodeError:
            reply = None
        if not isinstance(reply, dict):
            how = f"signal {outcome.signal}" if outcome.signal is not None else f"exit code {outcome.exit_code}"
            return Answer.crashed(f"the child died without a result ({how})")
        if not reply.get("ok"):
            return Answer.crashed(
                f"the callable raised {reply.get('error', '?')}", traceback=str(reply.get("traceback", ""))[-2000:]
            )
        value = reply.get("value")
        try:
            if isinstance(value, dict):
                return self._from_dict(value)
            return Answer(Status.SUCCESS, quality=_finite(value, "cost"))
        except ValueError as exc:
            return Answer.crashed(str(exc))

    def _from_dict(self, value: dict[str, Any]) -> Answer:
        status = Status.SUCCESS
        if value.get("status") is not None:
            word = str(value["status"]).upper()
            if word in _STATUS_WORDS:
                status = _STATUS_WORDS[word]
            else:
                try:
                    status = Status(word)
                except ValueError:
                    raise ValueError(f"unknown status {value['status']!r}") from None
        cost = value.get("cost", value.get("quality"))
        if status is Status.SUCCESS and cost is None and value.get("runtime") is None:
            raise ValueError("the result dict has no 'cost'/'quality' (and no 'runtime')")
        quality = _finite(cost, "cost") if cost is not None else None
        runtime = _finite(value["runtime"], "runtime") if value.get("runtime") is not None else None
        info = {k: v for k, v in value.items() if k not in ("status", "cost", "quality", "runtime")}
        return Answer(status, runtime=runtime, quality=quality, info={"extra": info} if info else {})
