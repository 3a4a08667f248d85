"""Progress as data: what the engine, validation and portfolio building report while they run.

The library never draws anything: long phases call an observer (any callable taking a
:class:`ProgressUpdate`) and the CLI renders the updates (``algoconf/cli/progress_view.py``).

Contract
--------
* An update names its ``phase`` ("tuning", "guard", "validation", a Hydra iteration, ...), how much
  of it is ``done`` out of ``total`` (``None`` when unknown) in ``unit``, an ``eta`` in seconds
  (``None`` when unknown) and a short ``info`` text.
* A phase's last update has ``final=True`` and is always sent (emitters may skip intermediate
  updates to stay cheap, never the last one).
* For a configuration run the bar follows the budget that *binds*: of the run, wall-clock and CPU
  budgets, the one nearest to its end (the largest fraction used) — see :func:`binding_budget`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.execution.base import Executor
    from algoconf.records import RunRequest, RunResult

__all__ = ["ProgressUpdate", "ProgressObserver", "BudgetState", "binding_budget", "phase_eta", "map_with_progress"]


@dataclass(frozen=True)
class ProgressUpdate:
    """One progress report of a long phase (see module docstring)."""

    phase: str
    done: float
    total: float | None
    unit: str  # "runs", "s" (wall-clock seconds) or "CPU s"
    eta: float | None = None
    info: str = ""
    final: bool = False

    @property
    def fraction(self) -> float | None:
        if self.total is None or self.total <= 0:
            return None
        return min(1.0, max(0.0, self.done / self.total))


ProgressObserver = Callable[[ProgressUpdate], None]


@dataclass(frozen=True)
class BudgetState:
    """Used and allowed amounts of one budget (``limit`` None: no such budget)."""

    name: str  # "runs", "wallclock" or "cpu_time"
    used: float
    limit: float | None

    @property
    def unit(self) -> str:
        return {"runs": "runs", "wallclock": "s", "cpu_time": "CPU s"}[self.name]

    @property
    def fraction(self) -> float:
        if self.limit is None:
            return -1.0
        if self.limit <= 0:
            return 1.0
        return self.used / self.limit


def binding_budget(budgets: list[BudgetState]) -> BudgetState | None:
    """The budget nearest to its end (largest fraction used); None when no budget is set.

    Ties keep the order given (runs, then wall-clock, then CPU). Every budget grows with time, so
    the one furthest along ends first when they keep their pace.
    """
    set_ = [b for b in budgets if b.limit is not None]
    if not set_:
        return None
    return max(set_, key=lambda b: b.fraction)  # max() keeps the first of equal keys


def phase_eta(done: float, total: float | None, seconds: float, start_done: float = 0.0) -> float | None:
    """Seconds left at the pace so far: ``seconds`` were spent to go from ``start_done`` to ``done``."""
    if total is None or seconds <= 0:
        return None
    left = max(0.0, total - done)
    if left == 0:
        return 0.0
    pace = (done - start_done) / seconds
    if pace <= 0:
        return None
    eta = left / pace
    return eta if math.isfinite(eta) else None


def map_with_progress(executor: "Executor", requests: Sequence["RunRequest"], progress: ProgressObserver | None,
                      phase: str, *, every: float = 0.5) -> list["RunResult"]:
    """Run ``requests`` on ``executor``; results in request order. While they run, ``progress`` gets
    "runs done of runs to do" with an ETA at the pace so far, at most every ``every`` seconds, and
    always the final update."""
    futures = [executor.submit(r) for r in requests]
    if progress is None:
        return [f.result() for f in futures]
    total = len(futures)
    start = last = time.monotonic()
    if total == 0:
        progress(ProgressUpdate(phase, 0, 0, "runs", 0.0, final=True))
    for n, _ in enumerate(executor.as_completed(futures), start=1):  # the executor's clock (virtual too)
        now = time.monotonic()
        if n < total and now - last < every:
            continue
        last = now
        progress(ProgressUpdate(phase, n, total, "runs", phase_eta(n, total, now - start), final=n == total))
    return [f.result() for f in futures]
