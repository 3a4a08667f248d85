"""The one ask/tell loop: a tuner decides what to run, an executor runs it, the history keeps it.

Contract
--------
* Every worker is kept busy: whenever one is free the tuner is asked for more. A racing tuner is
  asked for at least a whole race (``race_size`` runs) even when fewer workers are free. Each race
  is a :class:`~algoconf.execution.racing.Race`: its arms run in waves as wide as the free workers
  (the first SUCCESS of a wave stops its wave-mates; a later wave is capped at the best finished
  arm's runtime × ``race_slack``), so a race is fair whatever the worker count. An arm is submitted
  only when a worker can start it, always from the engine's thread. Priority: when a worker is free,
  the next wave of the oldest race that can start one gets it; a new race is asked for only when no
  waiting arm can start (a worker would otherwise idle, e.g. while a race's wave still runs).
* Budgets ``runs``, ``wallclock`` (seconds of this loop on the executor's clock ``executor.now()``,
  virtual seconds on a simulator, summed over resumes) and ``cpu_time``
  (target CPU seconds in the history), whichever ends first. At the end, runs still in flight are
  stopped and *not* recorded (a resume runs them again).
* Every result is committed to the history *before* the tuner is told, in one transaction with
  what the engine's and the tuner's state need to follow it: a journal entry listing the asks made
  since the last commit (``["ask", n]``) and the batch about to be told (``["tell", keys]``), and the
  virtual or real time used. Now and then (when replaying the journal since the last snapshot would
  cost ``snapshot_ratio`` times what the last snapshot cost, and at the first commit of a session)
  the commit carries a snapshot instead: the tuner's ``state()`` and the runs asked and not yet told,
  and the journal restarts after it. So a commit writes what changed, not the whole state, and the
  snapshots' cost stays a fraction of the tuner's own time. A kill at any moment loses nothing: on
  resume the tuner is rebuilt from the snapshot, the journal is replayed into it (its asks and tells
  again, the results read from the history), and the runs asked and not told (in flight, or arms of
  open races waiting for a worker, with the bound they would get now) are submitted again. A request
  whose key is already in the history is answered from it, never run twice. With one worker (or a
  simulated target) a killed-and-resumed seeded run makes exactly the same decisions as an
  uninterrupted one. A run directory written before the journal existed (a state blob per commit)
  resumes too.
* Failures: ``crash_policy="abort"`` raises :class:`~algoconf.errors.RunAborted` at the first failed
  run; more than ``max_failure_rate`` failed runs among this session's results (once at least
  ``min_runs_for_failure_rate`` came back) raises :class:`~algoconf.errors.FailureRateExceeded`.
  Both are raised after the results are committed, so the run directory resumes cleanly.
* A tuner that is ``settled`` (nothing in flight can change its incumbent) ends the loop at once:
  its runs in flight are stopped and not recorded, as at a budget's end, and not run again on resume.
* Callbacks ``callback(engine, results)`` run after each tell; returning ``False`` stops the loop
  (resumable, like a budget).
* Incumbent guard (``guard``, :mod:`algoconf.run.incumbent_guard`): after the tuning loop the
  engine runs the runs the guard still needs to compare the tuner's incumbent with the default, on
  the same executor, committed to the same history (tagged ``info["guard"]``, never told to the
  tuner), within the same budgets; the outcome's incumbent is the candidate only when the guard
  accepts it, else the default, and ``outcome.guard`` holds the verdict. While tuning, the budgets
  keep the guard's expected cost in reserve (runs, wall-clock and CPU seconds of the runs it would
  need for the current incumbent), so tuning plus guard stay within them. An incumbent whose reserve
  no longer fits when it appears (found too late) is not guarded: the guard takes the last
  incumbent whose reserve fitted, and its verdict says so. Guard runs cut short by
  the budget are not recorded; a resume plans and runs what is still missing.
* Equivalence caching (``equivalence``, :mod:`algoconf.execution.equivalence`, opt-in): before a
  request is submitted (a race's arm: before its wave starts) the cache probes its configuration once
  and, when an equivalent configuration already ran on the same instance and seed, the request is
  answered from that run (recorded with ``info["shared_from"]``, told to the tuner like any result,
  counted in the run budget but not in the CPU budget); every probe's cost counts in the CPU budget.
* Progress (``progress``): an observer called with :class:`~algoconf.execution.progress.ProgressUpdate`
  s, whose total is the budget that binds (runs, wall-clock or CPU), with an ETA; the last update of
  each phase is always sent. The engine itself never prints.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np

from algoconf.errors import FailureRateExceeded, HistoryError, InputError, RunAborted
from algoconf.execution.base import Executor, failure_summary
from algoconf.execution.equivalence import EquivalenceCache, spent_cpu
from algoconf.execution.progress import BudgetState, ProgressObserver, ProgressUpdate, binding_budget, phase_eta
from algoconf.execution.racing import RACE_SLACK, Race
from algoconf.records import RunRequest, RunResult, Status, config_key, mean_cost
from algoconf.run.incumbent_guard import GuardReserve, GuardVerdict, IncumbentGuard
from algoconf.tuners.base import Tuner
from algoconf.tuners.capping import CappingSummary
from algoconf.tuners.evidence import cost_of
from algoconf.tuners.sampling import default_config

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.history.contract import HistoryStore
    from algoconf.scenario import Scenario
    from algoconf.tuners.base import TuningProblem

__all__ = ["Engine", "EngineLimits", "EngineOutcome", "Callback", "JOURNAL_FORMAT", "SNAPSHOT_RATIO"]

#: the engine state's format in the history: 2 = snapshot + journal (1, no "format": a snapshot per commit)
JOURNAL_FORMAT = 2
#: a snapshot is taken when replaying the journal since the last one would cost this many times the
#: last snapshot's own cost (so snapshots cost at most ~1/SNAPSHOT_RATIO of the tuner's time)
SNAPSHOT_RATIO = 16.0

log = logging.getLogger(__name__)

Callback = Callable[["Engine", Sequence[RunResult]], Any]


@dataclass(frozen=True)
class EngineLimits:
    """Budgets and failure policy of one configuration run (from the scenario, or overridden)."""

    runs: int | None = None
    wallclock: float | None = None
    cpu_time: float | None = None
    crash_policy: str = "record"
    max_failure_rate: float | None = 0.5
    min_runs_for_failure_rate: int = 20

    @classmethod
    def from_scenario(cls, scenario: Scenario, **overrides: Any) -> "EngineLimits":
        values: dict[str, Any] = dict(
            runs=scenario.budget.runs, wallclock=scenario.budget.wallclock, cpu_time=scenario.budget.cpu_time,
            crash_policy=scenario.crash_policy, max_failure_rate=scenario.max_failure_rate,
            min_runs_for_failure_rate=scenario.min_runs_for_failure_rate,
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass(frozen=True)
class EngineOutcome:
    """What a finished (or stopped) loop leaves: the incumbent and the accounting."""

    incumbent: dict[str, Any] | None
    incumbent_key: str | None
    incumbent_cost: float | None
    runs: int
    cpu_time: float
    wallclock: float
    stop_reason: str
    resumed: bool
    overhead_per_ask: float = 0.0  # seconds the tuner spent in ask() per proposed run
    tuner_time_per_run: float = 0.0  # seconds in ask() and tell() per run (the tuner's whole cost)
    capping: CappingSummary = field(default_factory=CappingSummary)  # what adaptive capping saved
    extra: Mapping[str, Any] = field(default_factory=dict)
    guard: Mapping[str, Any] | None = None  # the incumbent guard's verdict (GuardVerdict.to_dict()), if guarded


class Engine:
    """Drives ``tuner`` on ``executor``, recording into ``history`` (see module docstring).

    Build the tuner with :meth:`start` (fresh or resumed from the history) or pass one directly.
    """

    def __init__(self, tuner: Tuner, executor: Executor, history: HistoryStore, limits: EngineLimits | None = None,
                 *, progress: ProgressObserver | None = None, callbacks: Sequence[Callback] = (),
                 resumed_state: Mapping[str, Any] | None = None, race_slack: float = RACE_SLACK,
                 guard: IncumbentGuard | None = None, snapshot_ratio: float = SNAPSHOT_RATIO,
                 equivalence: EquivalenceCache | None = None):
        if progress is not None and progress is not False and not callable(progress):
            raise TypeError("progress must be an observer (a callable taking a ProgressUpdate) or None")
        self.tuner = tuner
        self.executor = executor
        self.history = history
        self.limits = limits or EngineLimits()
        self.progress = progress or None
        self.guard = guard
        self.equivalence = equivalence
        self._reserve_cache: dict[str | None, tuple[int, GuardReserve]] = {}
        self._fallback: dict[str, Any] | None = None  # the last incumbent whose guard reserve fitted
        self._verdict: GuardVerdict | None = None
        self.callbacks = list(callbacks)
        self._engine_state = dict(resumed_state or {})
        self._resumed = resumed_state is not None
        self._running: dict[cf.Future, RunRequest] = {}
        self._order: dict[cf.Future, int] = {}  # submission order: batches are told in it
        self._seq = 0
        self.race_slack = float(race_slack)
        self._races: dict[int, Race] = {}  # open races, oldest first
        self._startable: set[int] = set()  # open races that can start a wave now (Race.can_start)
        self._race_seq = 0
        self._arms: dict[cf.Future, tuple[int, int]] = {}  # future of a race's arm -> (race, arm index)
        self._arm_futures: dict[tuple[int, int], cf.Future] = {}  # and back
        self._ready: list[RunResult] = []  # answered from the history, to tell
        self._session_results = 0
        self._session_failures = 0
        self._last_failure: RunResult | None = None
        self._ask_time = 0.0
        self._tell_time = 0.0
        self._asks = 0
        self._stop_requested = False
        self._telling = False  # True while tell() runs: a tuner failing there is not saved half-told
        # the state journal (module docstring); a history that cannot resume keeps none
        self._journaling = bool(getattr(history, "keeps_state", False))
        self.snapshot_ratio = float(snapshot_ratio)
        self._events: list[list[Any]] = []  # asks since the last commit
        self._pending: dict[tuple[str, str, int], RunRequest] = {}  # asked of the tuner, not told yet
        self._snapshot_cost: float | None = None  # seconds the last snapshot took (None: none this session)
        self._since_snapshot = 0.0  # tuner seconds (ask, tell) since the last snapshot: what a resume replays
        self.runs = len(history)
        # target time spent: real runs (not results shared from them) and every behaviour probe
        self.cpu_time = math.fsum(spent_cpu(r) for r in history) + (equivalence.probe_cost if equivalence else 0.0)
        self._finished: list[tuple[float, float]] = []  # (CPU, wall) of runs not stopped early (guard estimates)
        if guard is not None:
            self._count_finished(history)
        self._wall_before = float(self._engine_state.get("elapsed", 0.0))
        self._started = executor.now()  # elapsed time is the executor's clock (virtual in a simulator)
        self._session_start = (self.runs, self.cpu_time)
        self._last_progress = -math.inf

    # --- construction -----------------------------------------------------------------------------
    @classmethod
    def start(cls, tuner_cls: type[Tuner], problem: TuningProblem, executor: Executor, history: HistoryStore,
              limits: EngineLimits | None = None, *, seed: int = 0, options: Mapping[str, Any] | None = None,
              **kwargs: Any) -> "Engine":
        """A fresh engine, or the continuation of the run stored in ``history``."""
        saved = history.load_state("tuner")
        engine_state = history.load_state("engine")
        if saved is None:
            try:
                tuner = tuner_cls(problem, seed=seed, **dict(options or {}))
            except (TypeError, ValueError) as err:  # an option the tuner does not take, or a bad value
                raise InputError(f"tuner {tuner_cls.name}: {err}") from None
            return cls(tuner, executor, history, limits, **kwargs)
        if saved.get("tuner") != tuner_cls.name:
            raise HistoryError(
                f"{history.path.parent} holds a run of tuner {saved.get('tuner')!r}, not {tuner_cls.name!r}; "
                "resume with the same tuner or use a new run directory"
            )
        t0 = time.perf_counter()
        tuner = tuner_cls.from_state(problem, saved["state"])
        if engine_state is not None and engine_state.get("format") == JOURNAL_FORMAT:
            return cls._resume(tuner, executor, history, limits, engine_state, t0, **kwargs)
        # format 1 (before the journal): the tuner's state before the last tell, and the runs in flight
        engine = cls(tuner, executor, history, limits, resumed_state=engine_state or {}, **kwargs)
        stored = [history.get(tuple(k)) for k in (engine_state or {}).get("untold", [])]
        missing = [k for k, r in zip((engine_state or {}).get("untold", []), stored) if r is None]
        if missing:
            raise HistoryError(f"{history.path}: committed state names runs that are not stored: {missing[:3]}")
        untold = [r for r in stored if r is not None]
        if untold:
            tuner.tell(untold)
        engine._resubmit([RunRequest.from_dict(d) for d in (engine_state or {}).get("in_flight", [])])
        return engine

    @classmethod
    def _resume(cls, tuner: Tuner, executor: Executor, history: HistoryStore, limits: EngineLimits | None,
                engine_state: Mapping[str, Any], t0: float, **kwargs: Any) -> "Engine":
        """The snapshot's tuner with the journal replayed into it (module docstring)."""
        pending: dict[tuple[str, str, int], RunRequest] = {}
        for d in engine_state.get("pending", []):
            request = RunRequest.from_dict(d)
            pending[request.key] = request
        elapsed = float(engine_state.get("elapsed", 0.0))
        for entry in history.journal():
            for kind, payload in entry["events"]:
                if kind == "ask":
                    for request in tuner.ask(int(payload)):
                        pending[request.key] = request
                elif kind == "tell":
                    found = [history.get(tuple(k)) for k in payload]
                    missing = [k for k, r in zip(payload, found) if r is None]
                    if missing:
                        raise HistoryError(f"{history.path}: its state journal names runs that are not stored: "
                                           f"{missing[:3]}")
                    results = [r for r in found if r is not None]
                    tuner.tell(results)
                    for result in results:
                        pending.pop(result.key, None)
                else:
                    raise HistoryError(f"{history.path}: its state journal holds an unknown event {kind!r}")
            elapsed = float(entry.get("elapsed", elapsed))
        engine = cls(tuner, executor, history, limits, resumed_state={"elapsed": elapsed}, **kwargs)
        engine._pending = pending
        engine._since_snapshot = time.perf_counter() - t0
        if not tuner.settled:  # a settled tuner's runs in flight were stopped as useless
            engine._resubmit(engine._resume_requests())
        return engine

    def _resume_requests(self) -> list[RunRequest]:
        """The runs asked and not told, to submit again: plain runs as asked; the unfinished arms of
        each open race with the bound they get from its arms already in the history."""
        plain: list[RunRequest] = []
        races: dict[str, list[RunRequest]] = {}
        for request in self._pending.values():
            if request.race is None:
                plain.append(request)
            else:
                races.setdefault(request.race, []).append(request)
        if not races:
            return plain
        told: dict[str, list[RunResult]] = {}
        for result in self.history.race_results(list(races)):
            if result.request.race is not None:  # (every arm of a race has its race id)
                told.setdefault(result.request.race, []).append(result)
        out = plain
        for rid, arms in races.items():
            asked = {a.key for a in arms}
            known = [r for r in told.get(rid, []) if r.key not in asked]
            race = Race([r.request for r in known] + arms, slack=self.race_slack)
            for index, result in enumerate(known):
                race.known(index, result)
            out.extend(race.unfinished())
        return out

    # --- the loop ---------------------------------------------------------------------------------
    def run(self) -> EngineOutcome:
        reason = "tuner finished"
        try:
            while True:
                reason = self._budget_reason(reserve=True)
                if reason:
                    break
                if self._stop_requested:
                    reason = "stopped by a callback"
                    break
                self._fill()
                if self.tuner.settled and not self._ready:
                    reason = "tuner finished"  # what is still in flight cannot change the incumbent
                    break
                if not self._running and not self._ready and not self._races:
                    reason = "tuner finished" if self.tuner.finished else "tuner has nothing to ask"
                    break
                batch = self._collect()
                if batch:
                    self._record_and_tell(batch)
                self._emit("tuning")
        finally:
            self._stop_in_flight()
            self._save_engine_state()
        if self.guard is not None:
            self._verdict = self._guard_phase(self.guard)
        self._emit("tuning", final=True)
        return self.outcome(reason)

    def outcome(self, reason: str = "") -> EngineOutcome:
        incumbent = self.tuner.incumbent
        verdict = self._verdict
        if verdict is not None and incumbent is not None:  # guarded: the candidate if accepted, else the default
            accepted = verdict.candidate if verdict.accepted else None  # an accepted verdict names its candidate
            incumbent = dict(accepted) if accepted is not None else default_config(self.tuner.problem.space)
        key = cost = None
        if incumbent is not None:
            key = config_key(incumbent)
            cost = self.incumbent_cost(key)
        return EngineOutcome(
            incumbent=incumbent, incumbent_key=key, incumbent_cost=cost, runs=self.runs,
            cpu_time=self.cpu_time, wallclock=self.elapsed, stop_reason=reason, resumed=self._resumed,
            overhead_per_ask=self._ask_time / self._asks if self._asks else 0.0,
            tuner_time_per_run=(self._ask_time + self._tell_time) / self._asks if self._asks else 0.0,
            capping=CappingSummary.of(self.history),
            extra={"equivalence": self.equivalence.stats().to_dict()} if self.equivalence is not None else {},
            guard=verdict.to_dict() if verdict is not None else None,
        )

    def incumbent_cost(self, key: str) -> float | None:
        results = self.history.results(config_key=key)
        if not results:
            return None
        return mean_cost(cost_of(self.tuner.problem, r) for r in results).value

    @property
    def elapsed(self) -> float:
        return self._wall_before + (self.executor.now() - self._started)

    # --- steps ------------------------------------------------------------------------------------
    def _budget_reason(self, reserve: bool = False) -> str:
        """Why the loop must stop now ("" to go on); with ``reserve``, the guard's reserve counts as used."""
        r = self._guard_reserve() if reserve else GuardReserve()
        reason = self._exceeded(r)
        return f"{reason} (incl. the incumbent guard's reserve)" if reason and r.runs else reason

    def _exceeded(self, r: GuardReserve) -> str:
        lim = self.limits
        if lim.runs is not None and self.runs + r.runs >= lim.runs:
            return f"run budget ({lim.runs}) used"
        if lim.cpu_time is not None and self.cpu_time + r.cpu_time >= lim.cpu_time:
            return f"CPU-time budget ({lim.cpu_time:g} s) used"
        if lim.wallclock is not None and self.elapsed + r.wallclock >= lim.wallclock:
            return f"wall-clock budget ({lim.wallclock:g} s) used"
        return ""

    def _guard_reserve(self) -> GuardReserve:
        """The reserve for the guard's candidate: the tuner's incumbent while its reserve fits in
        what is left of the budgets, else the last incumbent whose reserve did (``_fallback``), so
        that an incumbent found too late to be compared does not leave the guard without room."""
        if self.guard is None:
            return GuardReserve()
        incumbent = self.tuner.incumbent
        mine = self._reserve_of(self.guard, incumbent)
        if not self._exceeded(mine) or self._fallback is None:
            self._fallback = dict(incumbent) if incumbent is not None else None
            return mine
        return self._reserve_of(self.guard, self._fallback)

    def _reserve_of(self, guard: IncumbentGuard, candidate: Mapping[str, Any] | None) -> GuardReserve:
        """The guard's expected cost for ``candidate``, recomputed when the history grew by 5 %."""
        key = config_key(candidate) if candidate is not None else None
        cached = self._reserve_cache.get(key)
        if cached is None or self.runs >= cached[0] + max(1, cached[0] // 20):
            # the typical (median) run time once a few runs finished (one early run is not an estimate)
            typical = (math.nan, math.nan)
            if len(self._finished) >= 3:
                cpu, wall = np.median(np.asarray(self._finished), axis=0)
                typical = (float(cpu), float(wall))
            reserve = guard.reserve(self.tuner.problem, self.history, candidate, self.executor.n_workers,
                                         typical=typical)
            if len(self._reserve_cache) > 8:
                self._reserve_cache.clear()
            cached = self._reserve_cache[key] = (self.runs, reserve)
        return cached[1]

    def _count_finished(self, results: Any) -> None:
        for r in results:
            if r.status is not Status.CAPPED:
                self._finished.append((r.runtime, r.wallclock))

    def _fill(self) -> None:
        """Start waiting race arms first (oldest race first), then ask while workers are free (and
        the run budget leaves room)."""
        self._start_waves()
        while not self.tuner.finished:
            free = self._free()
            if free <= 0:
                return
            n = free
            if self.tuner.supports_racing:
                n = max(free, int(self.tuner.race_size))  # a whole race; its arms wait their wave
            if self.limits.runs is not None:
                left = (self.limits.runs - self.runs - len(self._running) - len(self._ready) - self._waiting_arms()
                        - self._guard_reserve().runs)
                if left <= 0:
                    return
                n = min(n, left) if not self.tuner.supports_racing else n
            t0 = time.perf_counter()
            requests = self.tuner.ask(n)
            spent = time.perf_counter() - t0
            self._ask_time += spent
            self._since_snapshot += spent
            self._asks += len(requests)
            if self._journaling:
                self._events.append(["ask", n])
                for request in requests:
                    self._pending[request.key] = request
            if not requests:
                return
            self._submit(requests)

    def _free(self) -> int:
        return self.executor.n_workers - len(self._running)

    def _waiting_arms(self) -> int:
        return sum(race.waiting for race in self._races.values())

    def _submit(self, requests: Sequence[RunRequest]) -> None:
        races: dict[str, list[RunRequest]] = {}
        for request in requests:
            if request.race is not None:
                races.setdefault(request.race, []).append(request)
                continue
            stored = self.history.get(request.key)
            if stored is None:
                stored = self._shared(request)
            if stored is not None:
                self._ready.append(stored)  # finished before (or an equivalent did): answered from the history
            else:
                self._track(self.executor.submit(request), request)
        instant = bool(getattr(self.executor, "instant", False))
        for members in races.values():
            race = Race(members, slack=self.race_slack, instant=instant)
            for index, request in enumerate(members):
                stored = self.history.get(request.key)
                if stored is not None:
                    race.known(index, stored)
                    self._ready.append(stored)
            if not race.done:
                self._race_seq += 1
                self._races[self._race_seq] = race
                if race.can_start:
                    self._startable.add(self._race_seq)
        self._start_waves()

    def _shared(self, request: RunRequest) -> RunResult | None:
        """The request's result shared from an equivalent configuration's run, or None (also
        without an equivalence cache); the probe's cost counts as target time spent."""
        if self.equivalence is None:
            return None
        result, probe_cost = self.equivalence.lookup(request)
        self.cpu_time += probe_cost
        return result

    def _share_waiting_arms(self, race: Race) -> None:
        """Answer the waiting arms of a race about to start a wave that an equivalent
        configuration's run answers (with the bound they would get now)."""
        for index, request in race.waiting_arms():
            shared = self._shared(request)
            if shared is not None:
                race.known(index, shared)
                self._ready.append(shared)

    def _start_waves(self) -> None:
        """Submit the next wave of every open race that can start one, oldest race first (only the
        races that can start are visited: hundreds may be open on many workers)."""
        if not self._startable or self._free() <= 0:
            return
        for rid in sorted(self._startable):
            free = self._free()
            if free <= 0:
                return
            race = self._races[rid]
            if self.equivalence is not None and race.can_start:
                self._share_waiting_arms(race)
                if race.done:  # every arm answered: its results wait in _ready
                    del self._races[rid]
                    self._startable.discard(rid)
                    continue
            for index, request in race.start(free):
                future = self.executor.submit(request)
                self._track(future, request)
                self._arms[future] = (rid, index)
                self._arm_futures[(rid, index)] = future
            if not race.can_start:
                self._startable.discard(rid)

    def _track(self, future: cf.Future, request: RunRequest) -> None:
        self._running[future] = request
        self._seq += 1
        self._order[future] = self._seq

    def _resubmit(self, requests: Sequence[RunRequest]) -> None:
        if requests:
            self._submit(requests)

    def _collect(self) -> list[RunResult]:
        batch, self._ready = self._ready, []
        if self._running:
            done, _ = self.executor.wait(list(self._running), timeout=0.0 if batch else self._wait_timeout())
            for future in sorted(done, key=self._order.__getitem__):
                self._running.pop(future)
                del self._order[future]
                arm = self._arms.pop(future, None)
                if arm is None:
                    batch.append(future.result())
                    continue
                del self._arm_futures[arm]
                rid, index = arm
                race = self._races[rid]
                step = race.finish(index, future.result())
                for other in step.stop:  # wave-mates of a winner
                    self.executor.stop(self._arm_futures[(rid, other)])
                batch.extend(step.results)
                if race.done:
                    del self._races[rid]
                    self._startable.discard(rid)
                elif race.can_start:
                    self._startable.add(rid)
        return batch

    def _wait_timeout(self) -> float | None:
        """How long to wait for a result on the executor's clock: its poll interval, never past the
        wall-clock budget (None: until the next result)."""
        timeout = self.executor.poll_interval
        if self.limits.wallclock is not None:
            left = max(0.0, self.limits.wallclock - self.elapsed)
            timeout = left if timeout is None else min(timeout, left)
        return timeout

    def _record_and_tell(self, batch: list[RunResult]) -> None:
        fresh = [r for r in batch if r.key not in self.history]
        if self._journaling:
            self._commit_journal(fresh, [["tell", [list(r.key) for r in batch]]])
            for r in batch:
                self._pending.pop(r.key, None)
        else:  # a history that cannot resume keeps no state
            self.history.commit(fresh)
        if self.guard is not None:
            self._count_finished(fresh)
        self.runs += len(fresh)
        self.cpu_time += math.fsum(spent_cpu(r) for r in fresh)
        t0 = time.perf_counter()
        self._telling = True
        self.tuner.tell(batch)
        self._telling = False
        spent = time.perf_counter() - t0
        self._tell_time += spent
        self._since_snapshot += spent
        self._session_results += len(fresh)
        failed = [r for r in fresh if r.status.failed]
        self._session_failures += len(failed)
        if failed:
            self._last_failure = failed[-1]
        if failed and self.limits.crash_policy == "abort":
            r = failed[0]
            raise RunAborted(
                f"run of configuration {r.request.config_key} on {r.request.instance} ended {r.status.value} "
                f"and the crash policy is 'abort': {str(r.info.get('stderr_tail', r.info.get('error', '')))[-300:]}"
            )
        lim = self.limits
        if (lim.max_failure_rate is not None and self._session_results >= lim.min_runs_for_failure_rate
                and self._session_failures > lim.max_failure_rate * self._session_results):
            raise FailureRateExceeded(
                f"{self._session_failures} of {self._session_results} runs failed (more than "
                f"{lim.max_failure_rate:.0%}); the last: {failure_summary(self._last_failure) if self._last_failure else '?'}; "
                "fix the target and rerun the same command to resume"
            )
        for callback in self.callbacks:
            if callback(self, batch) is False:
                self._stop_requested = True

    # --- the incumbent guard's phase ---------------------------------------------------------------
    def _guard_phase(self, guard: IncumbentGuard) -> GuardVerdict:
        """Run the guard's missing runs within the budgets, record them, and judge (module docstring)."""
        problem, final = self.tuner.problem, self.tuner.incumbent
        candidate = final
        if final is not None and self._fallback is not None and config_key(self._fallback) != config_key(final):
            if self._exceeded(self._reserve_of(guard, final)):
                candidate = self._fallback  # the final incumbent came too late to be compared
        if candidate is None:
            return guard.judge(problem, self.history, None)
        plan = guard.plan(problem, self.history, candidate)
        todo = [r for r in plan.requests if r.key not in self.history]
        if self.limits.runs is not None:
            todo = todo[:max(0, self.limits.runs - self.runs)]
        running: dict[cf.Future, int] = {}
        for i, request in enumerate(todo):
            running[self.executor.submit(request)] = i
        try:
            while running:
                if self._budget_reason():
                    break
                done, _ = self.executor.wait(list(running), timeout=self._wait_timeout())
                for future in sorted(done, key=running.__getitem__):
                    del running[future]
                    result = future.result()
                    result = dataclasses.replace(result, info={**result.info, "guard": True})
                    self._commit_state([result])
                    self.runs += 1
                    self.cpu_time += result.runtime
                self._emit("tuning", note=f"incumbent guard: {len(todo) - len(running)}/{len(todo)} runs")
        finally:
            for future in list(running):  # cut short by the budget: not recorded, a resume runs them
                if not self.executor.cancel(future):
                    self.executor.stop(future)
            self._save_engine_state()
        verdict = guard.judge(problem, self.history, candidate, plan)
        if candidate is not final and final is not None:
            verdict = verdict.too_late(final)
        log.info("incumbent guard: %s: %s", verdict.verdict, verdict.reason)
        return verdict

    # --- the state journal --------------------------------------------------------------------------
    def _commit_state(self, results: Sequence[RunResult]) -> None:
        """Commit results with the asks made since the last commit (no tell)."""
        if self._journaling:
            self._commit_journal(results, [])
        else:
            self.history.commit(results)

    def _commit_journal(self, results: Sequence[RunResult], tail: list[list[Any]]) -> None:
        """Commit ``results`` with the journal entry of the asks since the last commit followed by
        ``tail`` (the tell that follows), or with a snapshot when one is due (module docstring)."""
        elapsed = self.elapsed
        if self._snapshot_cost is None or self._since_snapshot >= self.snapshot_ratio * self._snapshot_cost:
            t0 = time.perf_counter()
            state: dict[str, dict[str, Any]] = {"tuner": {"tuner": self.tuner.name, "state": self.tuner.state()},
                     "engine": {"format": JOURNAL_FORMAT, "elapsed": elapsed,
                                "pending": [r.to_dict() for r in self._pending.values()]}}
            # the snapshot holds the asks; the journal restarts with the tell that follows it
            self.history.commit(results, state=state, journal={"events": tail, "elapsed": elapsed},
                                reset_journal=True)
            self._snapshot_cost = time.perf_counter() - t0
            self._since_snapshot = 0.0
        else:
            self.history.commit(results, journal={"events": self._events + tail, "elapsed": elapsed})
        self._events = []

    # --- progress ---------------------------------------------------------------------------------
    def budget_states(self) -> list[BudgetState]:
        lim = self.limits
        return [BudgetState("runs", float(self.runs), None if lim.runs is None else float(lim.runs)),
                BudgetState("wallclock", self.elapsed, lim.wallclock),
                BudgetState("cpu_time", self.cpu_time, lim.cpu_time)]

    def progress_update(self, phase: str, final: bool = False, note: str = "") -> ProgressUpdate:
        """Where the run stands against the budget that binds (see algoconf.execution.progress)."""
        binding = binding_budget(self.budget_states())
        session = self.executor.now() - self._started
        start = {"runs": self._session_start[0], "wallclock": self._wall_before, "cpu_time": self._session_start[1]}
        if binding is None:
            done, total, unit, eta = float(self.runs), None, "runs", None
        else:
            done, total, unit = binding.used, binding.limit, binding.unit
            eta = phase_eta(done, total, session, start[binding.name])
        info = f"runs {self.runs}"
        incumbent = self.tuner.incumbent
        if incumbent is not None:
            cost = self.incumbent_cost(config_key(incumbent))
            if cost is not None:
                info += f" | incumbent {cost:.3g}"
        if note:
            info += f" | {note}"
        return ProgressUpdate(phase, done, total, unit, eta, info, final)

    def _emit(self, phase: str, final: bool = False, note: str = "") -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if not final and now - self._last_progress < 0.5:
            return
        self._last_progress = now
        self.progress(self.progress_update(phase, final, note))

    def _save_engine_state(self) -> None:
        # the loop ended: the runs it stopped stay asked and not told, so a resume runs them again.
        # If tell() itself failed, the last commit (whose journal entry holds that tell) stays the truth.
        if self._telling or not self._journaling:
            return
        try:
            self._commit_state([])
        except Exception as err:  # noqa: BLE001 - never mask the loop's own exception
            log.error("could not save the engine state: %s", err)

    def _stop_in_flight(self) -> None:
        for future in list(self._running):
            if not self.executor.cancel(future):
                self.executor.stop(future)
        self._running.clear()
        self._order.clear()
        self._arms.clear()
        self._arm_futures.clear()
        self._races.clear()
        self._startable.clear()
