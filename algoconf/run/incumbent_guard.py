"""The incumbent guard: a configuration run returns a tuned incumbent only when it beat the default.

Contract
--------
A tuner's final incumbent (the *candidate*) is returned by the engine only when it has been
compared with the space's default configuration on the same instance–seed pairs — at least
``min_pairs`` of them, or every training instance when there are fewer — and its mean cost there is
strictly lower. Otherwise the default is returned, and the :class:`GuardVerdict` says why.

Which runs count as evidence (:func:`usable`): a run that was neither part of a race nor stopped
early (``race is None`` and status not ``CAPPED``). A race's runs are excluded because whether an
arm's run is exact depends on its rivals (the loser is CAPPED, the winner exact), so keeping only
the exact ones would keep exactly the pairs where that arm was fast; a ``CAPPED`` run is a lower
bound that could never show the candidate better. Timeouts and failures count at their PAR-k cost
(exact by the convention, ``algoconf.records.par_cost``), qualities as they are.

The pairs (:meth:`IncumbentGuard.plan`), chosen without looking at any outcome:

1. every pair where both configurations have a usable run (reused, no new run);
2. then, while short of the pairs needed, pairs where one has a usable run and the other none
   (one new run each), in a seeded order;
3. then fresh pairs (two new runs each): training instances in a seeded order, those not yet in
   the comparison first, with a seed neither configuration has run there (a fresh random seed, or
   for deterministic targets the smallest unused one — the target ignores it).

The new runs go through the engine's executor and history (:meth:`Engine.run`'s guard phase), so
they are recorded, counted in the budgets and resumable. The engine keeps a *reserve* for them
(:meth:`IncumbentGuard.reserve`) while tuning, so that tuning plus guard stay within the budget.
An incumbent found when its reserve no longer fits is not guarded: the engine guards the last
incumbent whose reserve fitted (the default, if none), and the verdict says so
(:meth:`GuardVerdict.too_late`). When the budget still ends before the guard's runs are done, the
candidate was not compared on enough pairs and the default is kept.

The verdict (:meth:`IncumbentGuard.judge`) is censoring-aware: "better" needs the candidate's mean
to be exact and below the default's mean (which may be a lower bound).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np

from algoconf.records import RunRequest, RunResult, Status, config_key, mean_cost
from algoconf.tuners.base import TuningProblem
from algoconf.tuners.evidence import cost_of
from algoconf.tuners.sampling import default_config

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.history.contract import RunResults

__all__ = ["IncumbentGuard", "GuardPlan", "GuardReserve", "GuardVerdict", "usable"]

Pair = tuple[str, int]
_SEED_SALT = 0x9A4D


def usable(result: RunResult) -> bool:
    """True when a run is evidence for the guard: not raced, not stopped early (module docstring)."""
    return result.request.race is None and result.status is not Status.CAPPED


@dataclass(frozen=True)
class GuardPlan:
    """The pairs the guard compares on and the runs still missing there."""

    candidate_key: str
    default_key: str
    needed: int
    pairs: tuple[Pair, ...]
    requests: tuple[RunRequest, ...]


@dataclass(frozen=True)
class GuardReserve:
    """What the guard's missing runs are expected to cost: runs, wall-clock and CPU seconds."""

    runs: int = 0
    wallclock: float = 0.0
    cpu_time: float = 0.0


@dataclass(frozen=True)
class GuardVerdict:
    """The guard's decision, as shown in the outcome, the CLI's JSON and the report.

    ``verdict`` is one of ``"accepted"`` (the candidate beat the default), ``"default kept"``
    (compared and not better, or not compared on enough pairs), ``"candidate is the default"`` and
    ``"no incumbent"`` (no run finished). Costs are means over the compared pairs (None when none).
    """

    verdict: str
    reason: str
    accepted: bool
    candidate: Mapping[str, Any] | None
    candidate_key: str | None
    default_key: str
    pairs: int
    needed: int
    candidate_cost: float | None = None
    default_cost: float | None = None
    candidate_cost_exact: bool = True
    default_cost_exact: bool = True
    new_runs: int = 0  # runs the guard added to the history (this session and earlier ones)
    tuner_incumbent_key: str | None = None  # the tuner's final incumbent, when it was not the candidate

    def too_late(self, final: Mapping[str, Any]) -> "GuardVerdict":
        """This verdict on an earlier incumbent, noting that the tuner's ``final`` one came too late."""
        key = config_key(final)
        note = (f"the tuner's final incumbent {key} was found too late to be compared with the default within "
                f"the budget, so its previous incumbent {self.candidate_key} was guarded: ")
        if self.verdict == "candidate is the default":
            return replace(self, verdict="default kept", accepted=False, tuner_incumbent_key=key,
                           reason=f"the tuner's final incumbent {key} was found too late to be compared with the "
                                  "default within the budget; the default is kept")
        return replace(self, reason=note + self.reason, tuner_incumbent_key=key)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["candidate"] = dict(self.candidate) if self.candidate is not None else None
        return out


class IncumbentGuard:
    """Compares a candidate incumbent with the default; see the module docstring.

    ``min_pairs``: pairs needed (capped at the number of training instances). ``seed``: the seed of
    the guard's own pair choices (the run's seed), so a resumed run picks the same pairs.
    ``safety``: factor on the estimated time of the missing runs kept in reserve while tuning.
    """

    def __init__(self, min_pairs: int = 5, *, seed: int = 0, safety: float = 1.5):
        if int(min_pairs) < 1:
            raise ValueError(f"min_pairs must be at least 1, got {min_pairs}")
        self.min_pairs = int(min_pairs)
        self.seed = int(seed)
        self.safety = float(safety)

    # --- planning ---------------------------------------------------------------------------------
    def needed(self, problem: TuningProblem) -> int:
        return max(1, min(self.min_pairs, len(problem.instances)))

    def plan(self, problem: TuningProblem, history: RunResults, candidate: Mapping[str, Any]) -> GuardPlan:
        """The pairs to compare on and the runs missing there (none when the candidate is the default)."""
        default = default_config(problem.space)
        dkey, ckey = config_key(default), config_key(candidate)
        needed = self.needed(problem)
        if ckey == dkey:
            return GuardPlan(ckey, dkey, needed, (), ())
        c_all = _by_pair(history.results(config_key=ckey))
        d_all = _by_pair(history.results(config_key=dkey))
        c_ok = {p for p, r in c_all.items() if usable(r)}
        d_ok = {p for p, r in d_all.items() if usable(r)}
        pairs: list[Pair] = sorted(c_ok & d_ok)
        requests: list[RunRequest] = []
        rng = np.random.default_rng([self.seed, _SEED_SALT, int(ckey, 16) % 2**32])
        if len(pairs) < needed:
            singles = [(p, default) for p in sorted(c_ok) if p not in d_all]
            singles += [(p, dict(candidate)) for p in sorted(d_ok) if p not in c_all]
            for j in rng.permutation(len(singles)):
                if len(pairs) >= needed:
                    break
                pair, config = singles[int(j)]
                pairs.append(pair)
                requests.append(RunRequest(config, pair[0], pair[1], problem.cutoff))
        if len(pairs) < needed:
            taken = set(c_all) | set(d_all)
            seen = {p[0] for p in pairs}
            order = [problem.instances[int(j)] for j in rng.permutation(len(problem.instances))]
            order = [i for i in order if i not in seen] + [i for i in order if i in seen]
            for instance in order * (needed // len(order) + 1):
                if len(pairs) >= needed:
                    break
                pair = (instance, _fresh_seed(problem, rng, instance, taken))
                taken.add(pair)
                pairs.append(pair)
                requests += [RunRequest(dict(candidate), instance, pair[1], problem.cutoff),
                             RunRequest(default, instance, pair[1], problem.cutoff)]
        return GuardPlan(ckey, dkey, needed, tuple(pairs), tuple(requests))

    def reserve(self, problem: TuningProblem, history: RunResults, candidate: Mapping[str, Any] | None,
                n_workers: int = 1, *, typical: tuple[float, float] | None = None) -> GuardReserve:
        """Expected cost of the missing runs for ``candidate`` (times ``safety``), to keep in reserve.

        A run's expected time is the median of its configuration's finished, uncapped runs in the
        history (CPU from ``runtime``, wall-clock from ``wallclock`` as the executor measured it),
        else ``typical`` (the caller's median over every such run; computed from the history when
        not given). Before any run finished there is no estimate and no time is reserved (the
        runs are). The wall-clock reserve spreads the runs over ``n_workers`` but is never below
        the longest single run.
        """
        if candidate is None:
            return GuardReserve()
        times = _Times(history, typical)
        plan = self.plan(problem, history, candidate)
        return self._cost([times.of(r.config_key) for r in plan.requests], n_workers)

    def _cost(self, estimates: Sequence[tuple[float, float]], n_workers: int) -> GuardReserve:
        if not estimates:
            return GuardReserve()
        cpu = math.fsum(c for c, _ in estimates)
        walls = [w for _, w in estimates]
        wall = max(math.fsum(walls) / max(1, int(n_workers)), max(walls))
        return GuardReserve(len(estimates), _finite(wall) * self.safety, _finite(cpu) * self.safety)

    # --- judging ----------------------------------------------------------------------------------
    def judge(self, problem: TuningProblem, history: RunResults, candidate: Mapping[str, Any] | None,
              plan: GuardPlan | None = None) -> GuardVerdict:
        """The verdict on ``candidate`` from the runs now in the history (after the guard's runs)."""
        dkey = config_key(default_config(problem.space))
        needed = self.needed(problem)
        if candidate is None:
            return GuardVerdict("no incumbent", "no run finished, so there is nothing to compare", False,
                                None, None, dkey, 0, needed)
        ckey = config_key(candidate)
        if ckey == dkey:
            return GuardVerdict("candidate is the default", "the tuner's incumbent is the default configuration",
                                True, dict(candidate), ckey, dkey, 0, needed)
        plan = plan or self.plan(problem, history, candidate)
        c_all = _by_pair(history.results(config_key=ckey))
        d_all = _by_pair(history.results(config_key=dkey))
        compared = [p for p in plan.pairs if p in c_all and p in d_all and usable(c_all[p]) and usable(d_all[p])]
        new_runs = sum(1 for r in list(c_all.values()) + list(d_all.values()) if r.info.get("guard"))
        base: dict[str, Any] = dict(candidate=dict(candidate), candidate_key=ckey, default_key=dkey, pairs=len(compared),
                    needed=needed, new_runs=new_runs)
        if len(compared) < needed:
            return GuardVerdict(
                "default kept",
                f"the candidate was compared with the default on {len(compared)} of the {needed} instance-seed "
                "pairs needed (the budget ended first); the default is kept", False, **base)
        c = mean_cost(cost_of(problem, c_all[p]) for p in compared)
        d = mean_cost(cost_of(problem, d_all[p]) for p in compared)
        costs: dict[str, Any] = dict(candidate_cost=c.value, default_cost=d.value, candidate_cost_exact=c.exact,
                     default_cost_exact=d.exact)
        where = f"on {len(compared)} instance-seed pairs"
        if c.exact and c.value < d.value:
            return GuardVerdict("accepted", f"better than the default {where}: mean cost {c.value:.4g} vs "
                                f"{d.value:.4g}", True, **base, **costs)
        bound = "" if c.exact else " (the candidate's mean is only a lower bound)"
        return GuardVerdict("default kept", f"not better than the default {where}: mean cost {c.value:.4g} vs "
                            f"{d.value:.4g}{bound}; the default is kept", False, **base, **costs)


def _by_pair(results: Iterable[RunResult]) -> dict[Pair, RunResult]:
    return {(r.request.instance, int(r.request.seed)): r for r in results}


def _fresh_seed(problem: TuningProblem, rng: np.random.Generator, instance: str, taken: set[Pair]) -> int:
    if problem.deterministic:
        seed = 0
        while (instance, seed) in taken:
            seed += 1
        return seed
    while True:
        seed = int(rng.integers(0, 2**31 - 1))
        if (instance, seed) not in taken:
            return seed


class _Times:
    """Expected (CPU, wall) seconds of one run of a configuration (None: of any configuration)."""

    def __init__(self, history: RunResults, typical: tuple[float, float] | None):
        self._history = history
        self._known: dict[str | None, tuple[float, float]] = {}
        if typical is not None:
            self._known[None] = typical

    def of(self, key: str | None) -> tuple[float, float]:
        if key not in self._known:
            est = _expected_time(self._history.results(config_key=key)) if key is not None else (math.nan, math.nan)
            if not all(math.isfinite(v) for v in est):
                est = self.of(None) if key is not None else _expected_time(self._history.results())
            self._known[key] = est
        est = self._known[key]
        if not all(math.isfinite(v) for v in est):  # nothing finished yet: no estimate
            est = self._known[key] = (0.0, 0.0)
        return est


def _expected_time(results: Sequence[RunResult]) -> tuple[float, float]:
    """Median CPU and wall-clock seconds of the runs not stopped early (NaN when there are none).

    The median, not the mean: a few runs in a heavy tail (a hard instance, a loaded machine) would
    otherwise make the reserve swallow the budget; a guard that still runs out of budget keeps the
    default, which is safe."""
    done = [r for r in results if r.status is not Status.CAPPED]
    if not done:
        return math.nan, math.nan
    cpu = float(np.median([r.runtime for r in done]))
    wall = float(np.median([r.wallclock for r in done]))  # as the executor measured it (0 for instant answers)
    return cpu, wall


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0
