"""AC-Band: combinatorial successive elimination with parallel races (Brandt et al., AAAI 2023),
run as asynchronous brackets whose champions are intensified against the incumbent.

The schedule of one bracket
---------------------------
``N = ceil(log δ / log(1 − α))`` random configurations hold, with probability ≥ 1 − δ, one from the
best α-quantile. A bracket of ``N`` configurations spends ``E = ceil(log2(N + 1))`` epochs; epoch
``e`` races ``n_e = ceil((N + 1) / 2^e) + 1`` arms with combinatorial successive elimination (CSE):
the arms are cut into groups of at most ``k``, each group races on its own block of instances, and
a group of ``m`` arms keeps its ``max(1, floor(m·e / (e + k − 1)))`` arms with the most wins (keep
1 of k in epoch 1, gentler later). Rounds repeat until one arm is left: the epoch's champion.

A race is one instance-seed pair on which all arms of a group run (``RunRequest.race``): the
fastest SUCCESS wins and the others are stopped (CAPPED). On fewer workers than arms the engine runs
them in waves, each later arm capped at the best time so far × a slack
(:class:`~algoconf.execution.racing.Race`), so the winner is the fastest arm whatever the worker
count. Only "who finished first" is used, so censoring never needs imputation.

Asynchronous brackets (why: keep every worker busy)
---------------------------------------------------
A CSE round ends only when its last race has finished, so one schedule leaves most workers idle
while its stragglers run (4.9 % of 256 virtual workers busy, docs/tuners.md). Here several
brackets run side by side on the same worker pool: whenever the engine asks for runs and no open
bracket has a race left to hand out (they all wait for their rounds' last races), a new bracket
starts. Brackets share the configuration pool, the win statistics and the incumbent, and nothing
else; each keeps its own rounds, so a round's semantics (every arm of a group races on the same
pairs, survivors by wins) are those of a single schedule. With one worker at most one bracket is
open at a time (a round's races are all asked before the engine asks again), so a sequential run
is the plain AC-Band sequence of brackets.

Brackets grow (``grow=True``): the first has ``N = 4`` configurations, each next one twice as many,
up to ``N(α, δ)``, so the first champions come after a few races (anytime behaviour, the doubling
trick) and later brackets search as widely as the paper's schedule.

The incumbent defends by intensification (``defend=True``)
----------------------------------------------------------
An epoch's champion carries over into the bracket's next epoch (it races the new arms there), and a
champion never tried before becomes a *challenger* of the incumbent (the space's default at first).
Challengers are compared with the incumbent as ROAR does (:class:`~algoconf.tuners.random.RandomTuner`'s
intensification): on the incumbent's own instance-seed pairs, in doubling batches, adaptively
capped (``capping``, ``capping_slack``), dropped once worse (or hopeless) and promoted only after
running *every* pair of the incumbent with a strictly lower mean cost (PAR-k; a CAPPED run is a
lower bound and never promotes). Every challenger earns the incumbent one more pair, up to every
training instance once for deterministic problems. So the incumbent changes only on evidence on
shared pairs, never on a few lucky races, and the races only choose *which* configurations are
worth that comparison. Several challengers are compared at once when workers are free.
``defend=False`` is the paper's order: the incumbent races in every epoch of every bracket and each
epoch's winner becomes the incumbent (no intensification).

Races capped by the incumbent (``race_cap``, ParamILS/SMAC-style adaptive capping for races)
----------------------------------------------------------------------------------------------
When the incumbent has an exact runtime on a race's pair (for deterministic problems: on its
instance), every other arm is submitted with ``bound`` = ``race_cap`` (2) × that runtime: an arm
that slow could not beat the incumbent there. It is stopped at the cap and CAPPED (a lower bound,
no win), so a race of hopeless arms costs a few incumbent-times instead of the cutoff, and the
fastest arm under the cap still wins. ``race_cap=0`` turns it off; it is off when capping is off.

Settled at the end of a run budget
----------------------------------
Once so few runs are left that no champion of the open races could run every pair of the incumbent
(promotion needs that) and the intensifier has nothing in flight, the tuner is ``settled``: the
engine stops the races in flight instead of idling the other workers until they end.

Fixes of the reference implementation's quirks (each documented in docs/tuners.md)
----------------------------------------------------------------------------------
1. **No winner when nobody finishes.** A race where every arm times out (or fails) gives no win to
   anyone (the reference gave it to the first arm in list order).
2. **Nobody promoted unraced.** Groups are balanced (sizes differ by at most one, at most ``k``), so
   no short trailing group passes untested. A lone arm (odd count with k = 2) spars with the first
   arm of the previous group and survives only with strictly more wins.
3. **Instance reuse.** Instances come from a stream of passes (a fresh permutation each pass, a new
   seed each pass), so a small instance set is reused with new seeds when the schedules need more.
4. **Default configuration as the first incumbent** (the reference started from a random one).
5. **Optional model-based generator.** ``generator="model"`` proposes half of each epoch's new arms
   from a random forest trained on the win rates of every arm raced so far.
6. **Ties** in wins keep the carried arm first, then break at random (seeded). ``repeat=True``
   keeps starting brackets, so AC-Band uses whatever budget the engine grants.

Sized to the budget (acband_plan.py)
------------------------------------
Unless ``n_configs``/``instance_budget`` are given, every bracket is sized when it starts from the
budget the engine knows (``max_runs``, ``max_wallclock``, ``max_cpu_time``, ``n_workers``),
converted into races: ``N`` is the bracket's size (see *grow*) when its schedule fits with at least
``per_match`` instances per group and round on average, else the largest ``N`` that does (a *short*
budget: then the model-based generator is used unless ``generator`` is given); the instance budget
``B`` is the largest whose race count fits, at most ``4 × #instances × N / N(α, δ)``. Before each
later epoch the remaining epochs are shrunk (never grown) to what is left.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.tuners.acband_plan import (RaceMeasure, epoch_groups, fit_instance_budget, plan_cycle,
                                         races_left, round_instances, schedule_races)
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.tuners.capping import DEFAULT_SLACK
from algoconf.tuners.pairs import PairStream, PairStreamState
from algoconf.tuners.random import RandomState, RandomTuner
from algoconf.tuners.sampling import config_vectors, default_config, draw_seed, sample_configs
from algoconf.tuners.state import StateRecord

__all__ = ["ACBand", "ACBandState", "IntensifierState", "acband_schedule", "paper_n", "N_FIRST", "STATE_VERSION"]

#: configurations of the first bracket when brackets grow (each next bracket doubles, up to N(α, δ))
N_FIRST = 4
#: a race's arms are capped at this × the incumbent's exact time on the race's pair (when known)
RACE_CAP = 2.0
#: version of :class:`ACBandState` (1: the synchronous schedules before asynchronous brackets)
STATE_VERSION = 2


@dataclass(frozen=True)
class IntensifierState(RandomState):
    """The intensifier's state: ROAR's (:class:`~algoconf.tuners.random.RandomState`) and the
    champions waiting to be compared (``[key, configuration]``, oldest first)."""

    kind = "AC-Band intensifier state"

    pending: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ACBandState(StateRecord):
    """Everything :class:`ACBand` needs to continue exactly (its ``state()`` as a record).

    ``version`` (:data:`STATE_VERSION`), ``seed``, ``params`` (the constructor's options by name),
    ``short_run`` (the budget was short at the start), ``rng``, ``pairs`` (the races' pair stream)
    and ``next_pair`` (the next one to use), ``configs`` (key → configuration), ``stats`` (key →
    ``[wins, races]``), ``incumbent`` (the paper's incumbent, ``defend=False``), ``has_evidence``,
    ``tried`` (champions offered to the intensifier, in order), ``brackets`` (the open brackets,
    oldest first, as the tuner keeps them: rounds, groups, queued and open races with their results
    ``[status, runtime, quality, wallclock]``), ``started`` (brackets started), ``where`` (open race
    id → bracket id), ``race_max``, ``asked``, ``done``, ``exhausted``, ``measured``
    (:meth:`RaceMeasure.to_list`), ``intensifier``, and the newest bracket's plan: ``n_configs``,
    ``instance_budget``, ``short``, ``generator``.
    """

    kind = "AC-Band state"

    version: int
    seed: int
    params: dict[str, Any]
    short_run: bool
    rng: Mapping[str, Any]
    pairs: PairStreamState
    next_pair: int
    configs: dict[str, dict[str, Any]]
    stats: dict[str, list[int]]
    incumbent: str
    has_evidence: bool
    tried: list[str]
    brackets: list[dict[str, Any]]
    started: int
    where: dict[str, int]
    race_max: int
    asked: int
    done: bool
    measured: list[float]
    intensifier: IntensifierState
    n_configs: int
    instance_budget: int
    short: bool
    generator: str
    exhausted: bool = False  # absent before small spaces could be used up


def acband_schedule(alpha: float, delta: float, k: int, n_configs: int | None = None,
                    defend: bool = True) -> list[dict[str, int]]:
    """Epochs of one AC-Band bracket: ``[{"epoch", "arms", "keep_of_k", "rounds", "defend"}]``
    (``rounds`` counts CSE rounds with every arm racing, an upper bound)."""
    if not 0 < alpha < 1 or not 0 < delta < 1:
        raise ValueError("alpha and delta must be in (0, 1)")
    if k < 2:
        raise ValueError("k must be at least 2")
    n = n_configs if n_configs is not None else paper_n(alpha, delta)
    n0 = n + 1
    epochs = []
    for e in range(1, max(1, math.ceil(math.log2(n0))) + 1):
        arms = math.ceil(n0 / 2**e) + 1
        rounds = len(epoch_groups(arms, e, k, False))
        epochs.append({"epoch": e, "arms": arms, "keep_of_k": _keep(k, e, k), "rounds": max(1, rounds),
                       "defend": int(defend)})
    return epochs


def paper_n(alpha: float, delta: float) -> int:
    """``N = ceil(log δ / log(1 − α))``: random configurations holding one of the best α-quantile
    with probability ≥ 1 − δ."""
    return math.ceil(math.log(delta) / math.log(1 - alpha))


def _keep(m: int, e: int, k: int) -> int:
    return max(1, (m * e) // (e + k - 1))


def _balanced(arms: list[Any], k: int) -> list[list[Any]]:
    p = math.ceil(len(arms) / k)
    base, extra = divmod(len(arms), p)
    groups, i = [], 0
    for g in range(p):
        size = base + (1 if g < extra else 0)
        groups.append(arms[i:i + size])
        i += size
    return groups


class _Intensifier(RandomTuner):
    """ROAR's intensification whose challengers are AC-Band's champions (``offer``), not random."""

    def __init__(self, problem: TuningProblem, seed: int = 0, **options: Any) -> None:
        super().__init__(problem, seed, **options)
        self.pending: list[list[Any]] = []  # [key, config] of champions waiting to be compared

    def offer(self, key: str, config: Mapping[str, Any]) -> None:
        self.pending.append([key, dict(config)])

    @property
    def busy(self) -> bool:
        """True while a challenger is compared, waits to be, or a run is in flight."""
        return bool(self._challengers or self.pending or self._inflight)

    def _new_challenger(self) -> str | None:
        while self.pending:
            key, config = self.pending.pop(0)
            if key != self._incumbent and key not in self._requested:
                self._configs[key] = dict(config)
                return key
        return None

    def snapshot(self) -> IntensifierState:
        return IntensifierState(**vars(super().snapshot()), pending=self.pending)

    @classmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "_Intensifier":
        return cls.restore(problem, IntensifierState.from_dict(state))

    def _restore(self, problem: TuningProblem, state: RandomState) -> None:
        super()._restore(problem, state)
        assert isinstance(state, IntensifierState)
        self.pending = [[k, dict(c)] for k, c in state.pending]


class ACBand(Tuner):
    """AC-Band with parallel races of ``k`` arms in asynchronous brackets; parameters ``k``,
    ``alpha``, ``delta``, ``instance_budget``, ``n_configs`` (override N of every bracket; both
    default to the budget-sized plan), ``generator`` ("random" | "model"; default: "model" when the
    budget is short, else "random"), ``repeat`` (keep starting brackets), ``per_match`` (instances
    per group and round the plan aims for, 2), ``grow`` (first bracket of N = 4, doubling), ``defend``
    (True: challengers are intensified against the incumbent on its pairs; False: the paper's
    order), ``capping`` (None: on for runtime objectives) and ``capping_slack`` (1.2) for the
    intensification, ``first_test`` (3) its pairs before a worse challenger is dropped,
    ``race_cap`` (2; 0: off) races capped at that × the incumbent's time on their pair."""

    name = "acband"
    uses_instances = True
    supports_racing = True
    supports_capping = True
    needs_model = False

    def __init__(self, problem: TuningProblem, seed: int = 0, *, k: int = 2, alpha: float = 0.05,
                 delta: float = 0.05, instance_budget: int | None = None, n_configs: int | None = None,
                 generator: str | None = None, repeat: bool = True, per_match: int = 2, grow: bool = True,
                 defend: bool = True, capping: bool | None = None, capping_slack: float = DEFAULT_SLACK,
                 first_test: int = 3, race_cap: float | None = None) -> None:
        super().__init__(problem, seed)
        if generator not in (None, "random", "model"):
            raise ValueError(f"generator must be 'random' or 'model', got {generator!r}")
        self.k, self.alpha, self.delta = int(k), float(alpha), float(delta)
        self.repeat, self.per_match, self.defend = bool(repeat), max(1, int(per_match)), bool(defend)
        self.grow = bool(grow)
        acband_schedule(self.alpha, self.delta, self.k, n_configs)  # validates the parameters
        self._params: dict[str, Any] = {"k": self.k, "alpha": self.alpha, "delta": self.delta,
                        "instance_budget": instance_budget, "n_configs": n_configs,
                        "generator": generator, "repeat": self.repeat, "per_match": self.per_match,
                        "grow": self.grow, "defend": self.defend, "capping": capping,
                        "capping_slack": float(capping_slack), "first_test": int(first_test),
                        "race_cap": race_cap}
        self._rng = np.random.default_rng(self.seed)
        # the intensifier works on its own (instance, seed) pairs with its own generator
        self._intensifier = _Intensifier(dataclasses.replace(problem, max_runs=None), draw_seed(self._rng),
                                         capping=capping, capping_slack=capping_slack, first_test=first_test)
        self.capping = self._intensifier.capping if self.defend else None
        # races capped at race_cap × the incumbent's time on their pair (None: 2 with capping on)
        factor = RACE_CAP if race_cap is None else float(race_cap)
        if factor != 0.0 and not factor > 1.0:
            raise ValueError(f"race_cap must be > 1 (or 0: off), got {race_cap}")
        self._race_factor: float | None = None if self.capping is None or factor == 0.0 else factor
        self._inc_times: tuple[Any, ...] = ()  # ((incumbent key, its runs), its exact times by pair): a cache
        self._measured = RaceMeasure()
        self._asked = 0
        self._pairs = PairStream(problem, self._rng, reuse=True)
        self._next_pair = 0
        self._configs: dict[str, dict[str, Any]] = {}
        self._stats: dict[str, list[int]] = {}  # key -> [wins, races]
        self._incumbent = self._remember(default_config(problem.space))  # defend=False: the paper's incumbent
        self._has_evidence = False
        self._tried: list[str] = []  # champions offered to the intensifier, in order
        self._brackets: list[dict[str, Any]] = []  # open brackets, oldest first
        self._started = 0  # brackets started so far
        self._where: dict[str, int] = {}  # open race id -> bracket id
        # a short budget (the paper's N does not fit the whole run) makes the model-based generator
        # the default for every bracket; decided once, at the start (later brackets meet the end of
        # the budget, which is not a short budget, and a model fit per epoch would stall the workers)
        self._short_run = self._budget_is_short()
        self._race_max = 0  # arms of the widest race handed out
        self._done = False
        self._exhausted = False  # the space has no untried configuration left to race
        self._start_bracket()

    # --- contract ---------------------------------------------------------------------------------
    @property
    def race_size(self) -> int:
        """The largest race handed out so far or the next one (queued, or the first epoch of the
        next bracket), at most ``k``: the engine asks at least this many runs, so that a whole race
        is submitted together, and no more than the races need (a race is as wide as its epoch's
        arms, often far fewer than ``k`` = the number of workers)."""
        nxt = next((len(b["queue"][0]["arms"]) for b in self._brackets if b["queue"]), None)
        if nxt is None:
            size = self._params["n_configs"] or min(paper_n(self.alpha, self.delta),
                                                   N_FIRST * 2**self._started if self.grow else 10**9)
            nxt = min(self.k, acband_schedule(self.alpha, self.delta, self.k, size)[0]["arms"])
        return max(self._race_max, nxt)

    @property
    def plan(self) -> dict[str, Any]:
        """The newest bracket's sizing: ``n_configs``, ``instance_budget``, ``short``, ``generator``."""
        return {"n_configs": self.n_configs, "instance_budget": self.instance_budget, "short": self.short,
                "generator": self.generator}

    def ask(self, n: int = 1) -> list[RunRequest]:
        out: list[RunRequest] = []
        if self._done or self.settled:
            return out
        if self.defend:
            room = n if self.problem.max_runs is None else min(n, self.problem.max_runs - self._asked)
            if room > 0:
                got = self._intensifier.ask(room)
                self._asked += len(got)
                out.extend(got)
        while not self._done:
            for bracket in self._brackets:
                while bracket["queue"]:
                    size = len(bracket["queue"][0]["arms"])
                    if len(out) + size > n:
                        return out
                    if self.problem.max_runs is not None and self._asked + size > self.problem.max_runs:
                        self._done = True  # a race that no longer fits the run budget ends the tuner
                        return out
                    out.extend(self._hand_out(bracket))
            # every open bracket waits for its round's last races: a new one keeps the workers busy
            if len(out) >= n or not self._may_start_bracket():
                break
            self._start_bracket()
        return out

    def tell(self, results: Sequence[RunResult]) -> None:
        intensified, scored = [], set()
        ws, cpu = self._measured.worker_seconds, self._measured.cpu
        for result in results:
            ws += result.wallclock if result.wallclock else result.runtime
            cpu += result.runtime
            if self.defend and result.key in self._intensifier._inflight:
                intensified.append(result)
                continue
            rid = self._race_of(result)
            if rid is None:
                continue
            race = self._bracket(rid)["open"][rid]
            race["results"][result.request.config_key] = [result.status.value, result.runtime, result.quality,
                                                          result.wallclock]
            scored.add(rid)
        self._measured.worker_seconds, self._measured.cpu = ws, cpu
        if intensified:
            self._intensifier.tell(intensified)
        for rid in sorted(scored):
            bracket = self._bracket(rid)
            race = bracket["open"][rid]
            if len(race["results"]) == len(race["arms"]):
                self._score(bracket, race)
                del bracket["open"][rid]
                del self._where[rid]
                if not bracket["queue"] and not bracket["open"]:
                    self._end_round(bracket)

    @property
    def incumbent(self) -> dict[str, Any] | None:
        if self.defend:
            return self._intensifier.incumbent
        return dict(self._configs[self._incumbent]) if self._has_evidence else None

    @property
    def finished(self) -> bool:
        if self._where:
            return False
        if self._done:
            return True
        return not self._brackets and not self.repeat and not (self.defend and self._intensifier.busy)

    @property
    def settled(self) -> bool:
        """The run budget is (nearly) used up and nothing in flight can reach the incumbent: the
        intensifier has no run in flight and cannot run again (no run left) or has nothing to
        compare and too few runs left for a new champion to run every pair of the incumbent (which
        promotion needs). The open races then only decide champions that can never be compared,
        so the engine stops them instead of idling the other workers while they finish."""
        if not self.defend or self.problem.max_runs is None:
            return False
        it = self._intensifier
        if it._inflight:
            return False
        room = self.problem.max_runs - self._asked
        return room <= 0 or (not it.busy and room < len(it._requested.get(it._incumbent, [])))

    def state(self) -> dict[str, Any]:
        return self.snapshot().to_dict()

    @classmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "ACBand":
        if state.get("version") != STATE_VERSION:
            raise ValueError("this AC-Band state is from an older version (synchronous schedules); "
                             "start the run in a new run directory")
        return cls.restore(problem, ACBandState.from_dict(state))

    def snapshot(self) -> ACBandState:
        """The tuner's state as a record (see :mod:`algoconf.tuners.state` on aliasing)."""
        return ACBandState(
            version=STATE_VERSION, seed=self.seed, params=self._params, short_run=self._short_run,
            rng=self._rng.bit_generator.state, pairs=self._pairs.snapshot(), next_pair=self._next_pair,
            configs=self._configs, stats=self._stats, incumbent=self._incumbent, has_evidence=self._has_evidence,
            tried=self._tried, brackets=self._brackets, started=self._started, where=self._where,
            race_max=self._race_max, asked=self._asked, done=self._done, exhausted=self._exhausted,
            measured=self._measured.to_list(), intensifier=self._intensifier.snapshot(), n_configs=self.n_configs,
            instance_budget=self.instance_budget, short=self.short, generator=str(self.generator))

    @classmethod
    def restore(cls, problem: TuningProblem, state: ACBandState) -> "ACBand":
        """A tuner that continues exactly where the one that took ``state`` was."""
        tuner = cls(problem, int(state.seed), **state.params)
        tuner._rng.bit_generator.state = state.rng
        tuner._pairs = PairStream.restore(problem, tuner._rng, state.pairs)
        tuner._intensifier = _Intensifier.restore(dataclasses.replace(problem, max_runs=None), state.intensifier)
        tuner._next_pair, tuner._incumbent = int(state.next_pair), state.incumbent
        tuner._configs, tuner._stats = _copy(state.configs), _copy(state.stats)
        tuner._has_evidence, tuner._tried = bool(state.has_evidence), list(state.tried)
        tuner._brackets, tuner._where = _copy(state.brackets), dict(state.where)
        tuner._started, tuner._race_max, tuner._asked = int(state.started), int(state.race_max), int(state.asked)
        tuner._done, tuner._exhausted = bool(state.done), bool(state.exhausted)
        tuner._measured = RaceMeasure.from_list(state.measured)
        tuner.n_configs, tuner.instance_budget = int(state.n_configs), int(state.instance_budget)
        tuner.short, tuner.generator = bool(state.short), str(state.generator)
        tuner._short_run = bool(state.short_run)
        return tuner

    # --- brackets ---------------------------------------------------------------------------------
    def _may_start_bracket(self) -> bool:
        if self._done or self._exhausted:
            return False
        if not self.repeat and self._started >= 1:
            return False
        # an open bracket with races to hand out goes first; past that, one bracket per worker at most
        return len(self._brackets) < max(1, int(self.problem.n_workers or 1))

    def _start_bracket(self) -> None:
        bracket: dict[str, Any] = {"id": self._started, "epoch": 0, "round": 0, "groups": [], "queue": [],
                                   "open": {}, "champion": None}
        self._started += 1
        bracket.update(self._plan(bracket["id"]))
        self._brackets.append(bracket)
        self._start_epoch(bracket)

    def _end_bracket(self, bracket: dict[str, Any]) -> None:
        self._brackets.remove(bracket)

    def _bracket(self, rid: str) -> dict[str, Any]:
        bid = self._where[rid]
        return next(b for b in self._brackets if b["id"] == bid)

    def _hand_out(self, bracket: dict[str, Any]) -> list[RunRequest]:
        race = bracket["queue"].pop(0)
        instance, seed = race["pair"]
        rid = race["id"] if self.problem.objective == "runtime" else None  # quality: a parallel evaluation
        bound = self._race_bound(instance, int(seed)) if rid is not None else None
        out = [RunRequest(self._configs[key], instance, int(seed), self.problem.cutoff, race=rid, config_key=key,
                          bound=bound if key != self._intensifier._incumbent else None)
               for key in race["arms"]]
        bracket["open"][race["id"]] = {"group": race["group"], "arms": list(race["arms"]),
                                       "pair": [instance, int(seed)], "results": {}}
        self._where[race["id"]] = bracket["id"]
        self._asked += len(out)
        self._race_max = max(self._race_max, len(out))
        return out

    def _race_bound(self, instance: str, seed: int) -> float | None:
        """The race's cap from the incumbent (``race_cap``): its exact runtime on this pair (on this
        instance, for deterministic problems) × ``race_cap``, or None. An arm slower than that
        could not beat the incumbent there; stopped at the cap it is CAPPED (a lower bound, no win),
        so a race of hopeless arms costs a few incumbent-times, not the cutoff, while the fastest
        arm under the cap still wins."""
        factor = self._race_factor
        if factor is None:
            return None
        it = self._intensifier
        version = (it._incumbent, it._table.n_runs(it._incumbent))
        if not self._inc_times or self._inc_times[0] != version:  # rebuilt when the incumbent or its runs change
            times: dict[Any, float] = {}
            for (inst, s), cost in it._table.pairs(it._incumbent).items():
                if cost.exact:
                    times[inst if self.problem.deterministic else (inst, int(s))] = float(cost.value)
            self._inc_times = (version, times)
        t = self._inc_times[1].get(instance if self.problem.deterministic else (instance, seed))
        if t is None:
            return None
        cap = max(t, 1e-3) * factor
        return cap if self.problem.cutoff is None or cap < self.problem.cutoff else None

    # --- sizing (acband_plan.py) ------------------------------------------------------------------
    def _races_left(self, size: int | None = None) -> float:
        """Races the budget still affords, a race counted as wide as the races measured so far
        (before any: the first epoch of a bracket of ``size`` configurations, at most ``k`` arms)."""
        races, arms = self._measured.races, self._measured.arms
        if races:
            width = max(2.0, arms / races)
        else:
            size = size or self.n_configs
            width = min(self.k, acband_schedule(self.alpha, self.delta, self.k, size)[0]["arms"])
        return races_left(self.problem, width, self._asked, self._measured)

    def _plan(self, index: int) -> dict[str, Any]:
        """Size bracket number ``index``: N, instance budget, generator, schedule."""
        p = self._params
        n_paper = paper_n(self.alpha, self.delta)
        pool = len(self.problem.instances)
        size = min(n_paper, N_FIRST * 2**index) if self.grow else n_paper
        left = self._races_left(int(p["n_configs"] or size))
        if p["n_configs"] is not None:
            n, short = int(p["n_configs"]), False
            sched = acband_schedule(self.alpha, self.delta, self.k, n, self.defend)
            budget = max(1, pool) if not math.isfinite(left) else fit_instance_budget(
                sched, self.k, left, min(int(left), 4 * pool), 0, self.per_match)
        else:
            pool_cap = max(1, math.ceil(4 * pool * size / n_paper))
            n, budget, short = plan_cycle(lambda m: acband_schedule(self.alpha, self.delta, self.k, m, self.defend),
                                          size, self.k, left, pool, self.per_match, pool_cap=pool_cap)
            if not math.isfinite(left):
                budget = max(1, math.ceil(pool * size / n_paper))
        if p["instance_budget"] is not None:
            budget = int(p["instance_budget"])
        generator = p["generator"] or ("model" if self._short_run else "random")
        if generator == "model":
            # scikit-learn's first import takes about a second: pay it when the plan is made,
            # not inside an epoch's ask/tell (it would count as per-proposal overhead)
            import sklearn.ensemble  # noqa: F401
        self.n_configs, self.instance_budget, self.short, self.generator = int(n), max(1, int(budget)), bool(short), generator
        self.schedule = acband_schedule(self.alpha, self.delta, self.k, self.n_configs, self.defend)
        return {"n_configs": self.n_configs, "instance_budget": self.instance_budget, "short": self.short,
                "generator": generator, "schedule": self.schedule}

    def _budget_is_short(self) -> bool:
        """True when the paper's schedule (N(α, δ)) does not fit the whole budget."""
        n_paper = self._params["n_configs"] or paper_n(self.alpha, self.delta)
        left = self._races_left(n_paper)
        if not math.isfinite(left):
            return False
        _, _, short = plan_cycle(lambda m: acband_schedule(self.alpha, self.delta, self.k, m, self.defend),
                                 n_paper, self.k, left, len(self.problem.instances), self.per_match)
        return short

    def _shrink_to_budget(self, bracket: dict[str, Any]) -> None:
        """Before a later epoch: fit the bracket's remaining epochs into the races left (never grow)."""
        if self._params["instance_budget"] is not None:
            return
        left = self._races_left()
        first, pm = bracket["epoch"], self.per_match
        sched = bracket["schedule"]
        if math.isfinite(left) and schedule_races(sched, self.k, bracket["instance_budget"], first, pm) > left:
            bracket["instance_budget"] = fit_instance_budget(sched, self.k, left, bracket["instance_budget"], first, pm)

    # --- epochs and rounds ------------------------------------------------------------------------
    def _remember(self, config: Mapping[str, Any]) -> str:
        key = config_key(config)
        self._configs.setdefault(key, dict(config))
        return key

    def _start_epoch(self, bracket: dict[str, Any]) -> None:
        sched = bracket["schedule"]
        if bracket["epoch"] >= len(sched):
            self._end_bracket(bracket)
            return
        if bracket["epoch"] > 0:
            self._shrink_to_budget(bracket)
        spec = sched[bracket["epoch"]]
        bracket["epoch"] += 1
        total = sum(s["arms"] for s in sched)
        bracket["epoch_instances"] = [int(bracket["instance_budget"] * spec["arms"] / total), spec["rounds"]]
        carried = self._incumbent if not self.defend else bracket["champion"]
        new = self._new_arms(bracket, max(1, spec["arms"] - 1) if carried is not None else max(2, spec["arms"] - 1))
        arms = ([carried] if carried is not None else []) + [a for a in new if a != carried]
        if len(arms) < 2:  # a small space is used up: nothing left to race, and no new bracket would have more
            self._exhausted = True
            self._end_bracket(bracket)
            return
        bracket["round"] = 0
        bracket["carried"] = carried
        self._start_round(bracket, arms)

    def _start_round(self, bracket: dict[str, Any], arms: list[str]) -> None:
        e = bracket["epoch"]
        groups: list[dict[str, Any]] = []
        for g in _balanced(arms, self.k):
            if len(g) == 1:  # a lone arm spars with the first arm of the previous group
                groups.append({"arms": [g[0], groups[-1]["arms"][0]], "scored": [g[0]], "rule": "spar"})
            else:
                groups.append({"arms": g, "scored": list(g), "rule": "keep", "keep": _keep(len(g), e, self.k)})
        budget, rounds = bracket["epoch_instances"]
        per_group = round_instances(budget, rounds, len(groups), False, self.per_match)
        queue = []
        offset = 1 if self.problem.deterministic and self.defend else 0  # seed 0 is the intensifier's
        for gi, group in enumerate(groups):
            group["wins"] = {key: 0 for key in group["arms"]}
            for j in range(per_group):
                instance, seed = self._pairs.get(self._next_pair)
                self._next_pair += 1
                rid = f"acb{bracket['id']}.{e}.{bracket['round']}.{gi}.{j}"
                queue.append({"id": rid, "group": gi, "arms": list(group["arms"]),
                              "pair": [instance, int(seed) + offset]})
        bracket["groups"], bracket["queue"] = groups, queue

    def _end_round(self, bracket: dict[str, Any]) -> None:
        survivors: list[str] = []
        carried = bracket.get("carried")
        for group in bracket["groups"]:
            wins = group["wins"]
            if group["rule"] == "spar":
                lone, partner = group["arms"]
                if wins[lone] > wins[partner]:
                    survivors.append(lone)
                continue
            noise = self._rng.random(len(group["scored"]))
            ranked = sorted(zip(group["scored"], noise), key=lambda t: (-wins[t[0]], t[0] != carried, t[1]))
            survivors.extend(key for key, _ in ranked[: group["keep"]])
        bracket["groups"] = []
        bracket["round"] += 1
        if len(survivors) > 1:
            self._start_round(bracket, survivors)
            return
        champion = survivors[0]
        bracket["champion"] = champion
        if not self.defend:
            self._incumbent = champion  # the paper's order: the epoch's winner is the incumbent
        elif champion not in self._tried:
            self._tried.append(champion)
            self._intensifier.offer(champion, self._configs[champion])
        self._start_epoch(bracket)

    def _race_of(self, result: RunResult) -> str | None:
        rid = result.request.race
        if rid is not None:
            return rid if rid in self._where else None
        pair = [result.request.instance, int(result.request.seed)]
        key = result.request.config_key
        for bracket in self._brackets:  # quality objective: requests carry no race id
            for rid, race in bracket["open"].items():
                if race["pair"] == pair and key in race["arms"] and key not in race["results"]:
                    return rid
        return None

    def _score(self, bracket: dict[str, Any], race: dict[str, Any]) -> None:
        self._has_evidence = True
        group = bracket["groups"][race["group"]]
        values = list(race["results"].values())
        self._measured.races += 1
        self._measured.arms += len(values)
        self._measured.race_worker_seconds += math.fsum((v[3] if len(v) > 3 and v[3] else v[1]) for v in values)
        self._measured.race_cpu += math.fsum(v[1] for v in values)
        finished = []
        carried = bracket.get("carried")
        for key, (status, runtime, quality, *_) in race["results"].items():
            self._stats.setdefault(key, [0, 0])[1] += 1
            if Status(status) is Status.SUCCESS:
                value = runtime if self.problem.objective == "runtime" else (
                    -quality if self.problem.maximize else quality) if quality is not None else math.inf
                finished.append((value, key != carried, race["arms"].index(key), key))
        if not finished:
            return  # nobody finished: no winner (quirk fix 1)
        winner = min(finished)[3]
        group["wins"][winner] += 1
        self._stats[winner][0] += 1

    # --- candidate generation ---------------------------------------------------------------------
    def _new_arms(self, bracket: Mapping[str, Any], n: int) -> list[str]:
        fresh: list[str] = []
        if bracket["generator"] == "model" and len(self._stats) >= 8:
            fresh = self._model_arms(n // 2)
        tries = 0
        while len(fresh) < n and tries < 20:
            tries += 1
            for config in sample_configs(self.problem.space, (n - len(fresh)) * 2, draw_seed(self._rng)):
                key = config_key(config)
                if key not in self._configs and len(fresh) < n:
                    fresh.append(self._remember(config))
        return fresh

    def _model_arms(self, n: int) -> list[str]:
        from sklearn.ensemble import RandomForestRegressor

        keys = sorted(self._stats)
        x = config_vectors(self.problem.space, [self._configs[k] for k in keys])
        y = np.array([(self._stats[k][0] + 1) / (self._stats[k][1] + 2) for k in keys])
        model = RandomForestRegressor(n_estimators=20, random_state=draw_seed(self._rng)).fit(x, y)
        pool = [c for c in sample_configs(self.problem.space, 50 * max(1, n), draw_seed(self._rng))
                if config_key(c) not in self._configs]
        if not pool:
            return []
        pred = model.predict(config_vectors(self.problem.space, pool))
        chosen, seen = [], set()
        for i in np.argsort(-pred, kind="stable"):
            key = config_key(pool[i])
            if key not in seen:
                seen.add(key)
                chosen.append(self._remember(pool[i]))
            if len(chosen) >= n:
                break
        return chosen


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
