"""Racing and adaptive capping: censored results made on purpose, recorded as such.

A race runs k configurations on one instance at once. The first run to finish with SUCCESS wins;
every other run of the race is stopped through :meth:`Executor.stop` and comes back CAPPED, its CPU
time so far being a lower bound of its true runtime (a run that had not started yet is CAPPED at 0).
If no run succeeds (all hit the cutoff, or failed), there is no winner and every result keeps its own
status (TIMEOUT for runs that hit the cutoff).

:class:`RaceTracker` does this without blocking (for an engine that keeps submitting other work);
:func:`run_race` is the blocking convenience. :func:`capping_bound` gives a challenger's bound from
the incumbent's cost (adaptive capping).
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import threading
from dataclasses import dataclass
from functools import partial
from typing import Sequence

from algoconf.execution.base import Executor
from algoconf.records import RunRequest, RunResult, Status

__all__ = ["RaceTracker", "RaceOutcome", "run_race", "capping_bound"]


def capping_bound(incumbent_cost: float, slack: float = 1.3, cutoff: float = math.inf) -> float:
    """The time after which a challenger is stopped: ``slack * incumbent_cost``, within ``[0, cutoff]``.

    An unknown (NaN) or infinite incumbent cost gives the cutoff (no capping).
    """
    if not (slack > 0):
        raise ValueError(f"slack must be positive, got {slack}")
    if cutoff is None or math.isnan(cutoff):
        cutoff = math.inf
    if incumbent_cost is None or math.isnan(incumbent_cost) or math.isinf(incumbent_cost):
        return max(0.0, float(cutoff))
    return min(float(cutoff), max(0.0, float(incumbent_cost) * slack))


@dataclass(frozen=True)
class RaceOutcome:
    """Results of one race in the order of its requests; ``winner`` is the index of the winning run."""

    results: tuple[RunResult, ...]
    winner: int | None

    @property
    def best(self) -> RunResult | None:
        return self.results[self.winner] if self.winner is not None else None


class RaceTracker:
    """Watches the futures of one race and stops the others at the first SUCCESS (non-blocking).

    The tracker reacts from the futures' done-callbacks, so it works whatever thread resolves them.
    """

    def __init__(self, executor: Executor, futures: Sequence["cf.Future[RunResult]"]):
        self.executor = executor
        self.futures = tuple(futures)
        self._lock = threading.Lock()
        self._winner: int | None = None
        for index, future in enumerate(self.futures):
            future.add_done_callback(partial(self._on_done, index))

    def _on_done(self, index: int, future: "cf.Future[RunResult]") -> None:
        if future.cancelled() or future.exception() is not None:
            return
        if future.result().status is not Status.SUCCESS:
            return
        with self._lock:
            if self._winner is not None:
                return
            self._winner = index
        for other, rival in enumerate(self.futures):
            if other != index and not rival.done():
                self.executor.stop(rival)

    @property
    def winner(self) -> int | None:
        """Index of the first successful run so far, or None."""
        with self._lock:
            return self._winner

    @property
    def done(self) -> bool:
        return all(f.done() for f in self.futures)

    def outcome(self, timeout: float | None = None) -> RaceOutcome:
        """Wait for every run of the race and return the outcome."""
        done, pending = cf.wait(self.futures, timeout=timeout)
        if pending:
            raise TimeoutError(f"{len(pending)} runs of the race are still running after {timeout} s")
        return RaceOutcome(tuple(f.result() for f in self.futures), self.winner)


def run_race(executor: Executor, requests: Sequence[RunRequest], timeout: float | None = None) -> RaceOutcome:
    """Race the requests (one instance, k configurations) on the executor and wait for the outcome."""
    if not requests:
        raise ValueError("a race needs at least one request")
    instances = {r.instance for r in requests}
    if len(instances) != 1:
        raise ValueError(f"a race is run on one instance, got {sorted(instances)}")
    futures = [executor.submit(r) for r in requests]
    return RaceTracker(executor, futures).outcome(timeout)
