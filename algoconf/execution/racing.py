"""Racing and adaptive capping: censored results made on purpose, recorded as such.

A race runs k configurations (its *arms*) on one instance-seed pair; the SUCCESS with the lowest
runtime wins. A race is fair whatever the number of free workers, because its arms run in *waves*:

* The arms that start together form a wave (as many as there are free workers). The first SUCCESS in
  a wave stops its wave-mates through :meth:`Executor.stop`: they started at the same time, so they
  come back CAPPED at about the winner's time, a lower bound of their runtime (censored).
* A later wave starts only when the previous one has ended. Each of its arms is submitted with
  ``RunRequest.bound`` = the best finished successful arm's runtime × ``slack`` (default
  :data:`RACE_SLACK`; never above the cutoff, never above a bound the request already carries). A
  slower arm is stopped at that cap and is CAPPED at it (a lower bound *above* the winner's time); a
  faster arm finishes and wins. So a faster arm beats a slower one in any submission order.
* An arm that never ran (stopped before it started: the executor had no free worker after all) is no
  result: it goes back to the waiting arms and runs in a later wave. No arm is ever a loss at 0 s.
* If no arm succeeds (every arm hit the cutoff, or failed), there is no winner and every result keeps
  its own status; later waves then run without a bound.

:class:`Race` is that rule as a plain state machine (no threads, no callbacks): the caller asks it
which arms to submit now (:meth:`Race.start`), tells it each result (:meth:`Race.finish`) and stops
what it says to stop. Both the engine and the blocking :func:`run_race` drive it from their own
thread. For executors that compute results instead of running them (``executor.instant``, e.g. the
simulated executor), nothing can be stopped: the race then holds a wave's results until the wave is
complete and settles them (:func:`settle_wave`) as if the first SUCCESS had stopped the others.

:func:`capping_bound` gives a challenger's bound from the incumbent's cost (adaptive capping).
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from algoconf.execution.base import never_started
from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.execution.base import Executor

__all__ = ["RACE_SLACK", "Race", "RaceStep", "RaceOutcome", "run_race", "settle_wave", "capping_bound"]

#: a later wave's arms are capped at the best finished arm's runtime times this (10 % for timing noise)
RACE_SLACK = 1.1


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
    """Results of one race in the order of its requests; ``winner`` is the index of the winning run
    (the SUCCESS with the lowest runtime, the earlier arm on a tie), None when no arm succeeded."""

    results: tuple[RunResult, ...]
    winner: int | None

    @property
    def best(self) -> RunResult | None:
        return self.results[self.winner] if self.winner is not None else None


@dataclass(frozen=True)
class RaceStep:
    """What follows one finished arm: ``results`` are final (record them, in this order); ``stop``
    are indices of arms still running that must be stopped now (wave-mates of a winner)."""

    results: tuple[RunResult, ...] = ()
    stop: tuple[int, ...] = ()


def settle_wave(results: Sequence[RunResult]) -> list[RunResult]:
    """Results of arms that started together, computed to the end (an ``instant`` executor): those
    slower than the wave's fastest SUCCESS become CAPPED at its runtime, as if stopped by it."""
    times = [r.runtime for r in results if r.status is Status.SUCCESS]
    if not times:
        return list(results)
    t = min(times)
    out = []
    for r in results:
        if r.runtime > t and r.status in (Status.SUCCESS, Status.TIMEOUT, Status.CAPPED):
            r = RunResult(r.request, Status.CAPPED, t, wallclock=min(r.wallclock, t) if r.wallclock else t,
                          info={"race": "stopped at the winner's time"}, started=r.started,
                          finished=r.finished, worker=r.worker)
        out.append(r)
    return out


class Race:
    """The arms of one race and the rule that runs them in waves (see the module docstring).

    ``requests`` are the arms (one instance and seed). ``instant`` is the executor's ``instant``
    flag. Not thread-safe: drive it from one thread.
    """

    def __init__(self, requests: Sequence[RunRequest], *, slack: float = RACE_SLACK, instant: bool = False):
        if not requests:
            raise ValueError("a race needs at least one request")
        instances = {r.instance for r in requests}
        if len(instances) != 1:
            raise ValueError(f"a race is run on one instance, got {sorted(instances)}")
        if not (slack >= 1.0):
            raise ValueError(f"a race's slack must be at least 1, got {slack}")
        self.requests = tuple(requests)
        self.slack = float(slack)
        self.instant = bool(instant)
        self._waiting: list[int] = list(range(len(self.requests)))
        self._running: set[int] = set()
        self._wave_won = False
        self._held: dict[int, RunResult] = {}  # instant executors: the current wave's results
        self._results: dict[int, RunResult] = {}
        self.waves = 0

    # --- state --------------------------------------------------------------------------------------
    @property
    def best(self) -> float | None:
        """Runtime of the fastest finished SUCCESS so far, or None."""
        times = [r.runtime for r in self._results.values() if r.status is Status.SUCCESS]
        return min(times) if times else None

    @property
    def waiting(self) -> int:
        """Arms not submitted yet."""
        return len(self._waiting)

    @property
    def running(self) -> frozenset[int]:
        """Indices of the arms of the current wave that have not finished."""
        return frozenset(self._running)

    @property
    def can_start(self) -> bool:
        """True when arms wait and no wave is running (the next wave may start now)."""
        return bool(self._waiting) and not self._running

    @property
    def done(self) -> bool:
        return not self._waiting and not self._running

    def request(self, index: int) -> RunRequest:
        """Arm ``index`` as it would be submitted now: capped at ``best × slack`` once an arm won."""
        request = self.requests[index]
        best = self.best
        if best is None:
            return request
        cutoff = request.cutoff if request.cutoff is not None else math.inf
        bound = capping_bound(best, self.slack, cutoff)
        if request.bound is not None:
            bound = min(bound, request.bound)
        return request.with_bound(bound)

    def waiting_arms(self) -> list[tuple[int, RunRequest]]:
        """The arms not submitted yet, as ``(index, request as it would be submitted now)``."""
        return [(i, self.request(i)) for i in self._waiting]

    def unfinished(self) -> list[RunRequest]:
        """Requests of the arms without a result (running or waiting), as they would be submitted
        now: what a resumed run must submit again."""
        return [self.request(i) for i in sorted(self._running | set(self._waiting))]

    # --- transitions --------------------------------------------------------------------------------
    def start(self, free: int) -> list[tuple[int, RunRequest]]:
        """The next wave: up to ``free`` waiting arms as ``(index, request)``, now counted as running.
        Empty while a wave runs (a later wave's bound needs the earlier wave's result)."""
        if not self.can_start or free <= 0:
            return []
        wave, self._waiting = self._waiting[:free], self._waiting[free:]
        out = [(i, self.request(i)) for i in wave]
        self._running.update(wave)
        self._wave_won = False
        self.waves += 1
        return out

    def finish(self, index: int, result: RunResult) -> RaceStep:
        """Arm ``index`` came back with ``result``; see :class:`RaceStep`."""
        if index not in self._running:
            raise ValueError(f"arm {index} of the race is not running")
        self._running.discard(index)
        if never_started(result):
            self._waiting.insert(0, index)  # no result: it runs in a later wave
            return self._release() if self.instant else RaceStep()
        if self.instant:
            self._held[index] = result
            return self._release()
        self._results[index] = result
        if result.status is Status.SUCCESS and not self._wave_won:
            self._wave_won = True
            return RaceStep((result,), tuple(sorted(self._running)))
        return RaceStep((result,))

    def withdraw(self, index: int) -> None:
        """Arm ``index`` was withdrawn before it started (a cancelled future): it waits again."""
        if index in self._running:
            self._running.discard(index)
            self._waiting.insert(0, index)

    def known(self, index: int, result: RunResult) -> None:
        """Arm ``index`` already has ``result`` (e.g. from the history): it is not run."""
        if index in self._waiting:
            self._waiting.remove(index)
        self._results[index] = result

    def _release(self) -> RaceStep:
        if self._running or not self._held:
            return RaceStep()
        order = sorted(self._held)
        settled = settle_wave([self._held[i] for i in order])
        self._held.clear()
        self._results.update(zip(order, settled))
        return RaceStep(tuple(settled))

    def outcome(self) -> RaceOutcome:
        """The outcome of a finished race (every arm has a result)."""
        if not self.done or len(self._results) != len(self.requests):
            raise ValueError("the race has arms without a result")
        results = tuple(self._results[i] for i in range(len(self.requests)))
        wins = [(r.runtime, i) for i, r in enumerate(results) if r.status is Status.SUCCESS]
        return RaceOutcome(results, min(wins)[1] if wins else None)


def run_race(executor: "Executor", requests: Sequence[RunRequest], timeout: float | None = None, *,
             slack: float = RACE_SLACK, workers: int | None = None) -> RaceOutcome:
    """Race the requests (one instance, k configurations) on the executor and wait for the outcome.

    Waves are as wide as ``workers`` (default: ``executor.n_workers``; the executor's workers are
    assumed free for the race). On ``timeout`` (seconds of ``executor.now()``) the arms still running are stopped and
    :class:`TimeoutError` is raised.
    """
    race = Race(requests, slack=slack, instant=bool(getattr(executor, "instant", False)))
    width = max(1, int(executor.n_workers if workers is None else workers))
    deadline = None if timeout is None else executor.now() + timeout
    futures: dict[cf.Future, int] = {}
    while not race.done:
        for index, request in race.start(width - len(futures)):
            futures[executor.submit(request)] = index
        left = None if deadline is None else max(0.0, deadline - executor.now())
        done, _ = executor.wait(list(futures), timeout=left)
        if not done:
            for future in futures:
                executor.stop(future)
            raise TimeoutError(f"{len(futures)} runs of the race are still running after {timeout} s")
        for future in sorted(done, key=futures.__getitem__):
            step = race.finish(futures.pop(future), future.result())
            for other in step.stop:
                executor.stop(next(f for f, i in futures.items() if i == other))
    return race.outcome()
