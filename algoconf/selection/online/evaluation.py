"""Replay an ASlib scenario as an online stream and score online selectors on it.

Protocol (after Tornede et al., AAAI 2022, stated in full so numbers can be compared; where
algoconf's default differs from the paper's code it says so, and :data:`PROTOCOLS` names both):

* The stream is every instance of the scenario that at least one algorithm solves (an instance no
  algorithm solves has no ground truth; ``keep_unsolvable=True`` keeps them, as the paper's code
  does), shuffled with
  ``numpy.random.default_rng(seed)``; one selector per seed, seeded with the same seed.
* For each instance the selector sees the features (NaN = missing) and picks one algorithm; the
  learner then gets that algorithm's run *as it would come back live*: the runtime when the run
  solved the instance within the cutoff, else a censored observation at the cutoff (timeouts,
  crashes, memouts alike). It never sees other algorithms' runtimes.
* Cost of the step (PAR10): runtime + feature cost when that is within the cutoff, else 10 x cutoff.
  The feature cost is the sum of the costs of the feature steps used (all steps by default, as in
  the paper; missing cost entries count 0); a scenario without cost data charges nothing.
* The online oracle picks the best algorithm of every instance. Under algoconf's protocol (the
  default, ``oracle_feature_cost=True``) it pays the feature cost like every selector, so rePAR10
  measures the loss from *learning*, not from computing features. The paper's code, at its current
  head, waives the feature cost for the approaches named ``sbs``, ``oracle`` *and*
  ``online_oracle``: with ``oracle_feature_cost=False`` the oracle is the feature-free virtual best
  solver, as there. rePAR10 = mean PAR10 of the selector / mean PAR10 of the oracle, over the same
  instances.
* The single best solver in hindsight (:meth:`OnlineStream.sbs_cost`): the one algorithm with the
  lowest mean cost over the whole stream, paying the feature cost exactly when the oracle does. It
  knows the scenario in advance, so it is a yardstick, not an online method.
* :data:`PROTOCOLS`: ``"paper"`` keeps every instance (an instance nobody solves costs 10 x C to
  everyone), charges neither the oracle nor the single best the feature cost and reports the
  **median** rePAR10 over scenarios as its headline (the paper's plotting code); ``"algoconf"``
  drops instances nobody solves, charges the oracle and the single best the feature cost and
  reports the mean.
* Regret of a step = its cost - the oracle's cost; the curve is the cumulative regret.
* Learner time: wall-clock seconds spent in ``select`` + ``update`` per step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from algoconf.errors import SelectionInputError
from algoconf.selection.online.contract import OnlineObservation, OnlineSelector
from algoconf.selection.online.policies import make_online_selector

__all__ = [
    "OnlineProtocol", "OnlineStream", "PROTOCOLS", "PolicySummary", "ReplayResult", "aggregate_repar10",
    "evaluate_online", "online_protocol", "replay", "summarise",
]


@dataclass(frozen=True)
class OnlineProtocol:
    """How a replay is scored (see the module docstring): which instances stay, whether the oracle
    and the single best pay the feature cost, and how scenarios are aggregated for the headline."""

    name: str
    keep_unsolvable: bool
    oracle_feature_cost: bool
    headline: str  # "median" or "mean" over scenarios
    description: str


#: the two protocols ``algoconf select online --protocol`` offers
PROTOCOLS: dict[str, OnlineProtocol] = {
    "paper": OnlineProtocol(
        "paper", keep_unsolvable=True, oracle_feature_cost=False, headline="median",
        description="Tornede et al.'s code: every instance kept (unsolved = 10 x C), oracle and single best "
                    "without feature cost, median rePAR10 over scenarios",
    ),
    "algoconf": OnlineProtocol(
        "algoconf", keep_unsolvable=False, oracle_feature_cost=True, headline="mean",
        description="instances nobody solves dropped, oracle and single best pay the feature cost, "
                    "mean rePAR10 over scenarios",
    ),
}


def online_protocol(name: str) -> OnlineProtocol:
    """The protocol called ``name``; an unknown name is a one-line input error."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise SelectionInputError(f"--protocol: unknown protocol {name!r}; expected one of: {', '.join(PROTOCOLS)}") from None


def aggregate_repar10(values: Sequence[float]) -> dict[str, float]:
    """``{"median": ..., "mean": ...}`` of per-scenario rePAR10 values."""
    v = np.asarray(list(values), dtype=float)
    return {"median": float(np.median(v)), "mean": float(v.mean())}


@dataclass(frozen=True, eq=False)
class OnlineStream:
    """The data a replay needs, as arrays (row = instance, column = algorithm)."""

    name: str
    algorithms: tuple[str, ...]
    features: np.ndarray  # (n, d), NaN = missing
    runtime: np.ndarray  # (n, K) runtime of solved runs (ignored where not solved)
    solved: np.ndarray  # (n, K) bool: solved within the cutoff
    feature_cost: np.ndarray  # (n,) seconds charged before the chosen algorithm runs
    cutoff: float
    par_factor: float = 10.0
    oracle_feature_cost: bool = True

    def __post_init__(self) -> None:
        n, k = self.solved.shape
        if self.runtime.shape != (n, k) or self.features.shape[0] != n or self.feature_cost.shape != (n,):
            raise ValueError("stream arrays disagree in shape")
        if len(self.algorithms) != k:
            raise ValueError("one algorithm name per column expected")

    @property
    def n_instances(self) -> int:
        return self.solved.shape[0]

    def par10(self) -> np.ndarray:
        """(n, K) PAR10 without feature cost."""
        return np.where(self.solved, self.runtime, self.par_factor * self.cutoff)

    def oracle_cost(self) -> np.ndarray:
        """(n,) the online oracle's cost per instance (see the module docstring)."""
        return (self.charged() if self.oracle_feature_cost else self.par10()).min(axis=1)

    def sbs_cost(self) -> np.ndarray:
        """(n,) the cost per instance of the single best solver in hindsight: the algorithm with the
        lowest mean cost over the stream, paying the feature cost exactly when the oracle does."""
        cost = self.charged() if self.oracle_feature_cost else self.par10()
        return cost[:, int(np.argmin(cost.mean(axis=0)))]

    def sbs_repar10(self) -> float:
        """The hindsight single best's rePAR10 (mean cost / the oracle's mean cost)."""
        return float(self.sbs_cost().mean() / self.oracle_cost().mean())

    def charged(self) -> np.ndarray:
        """(n, K) PAR10 a selector pays: feature cost + runtime, 10 x cutoff beyond the cutoff."""
        total = self.runtime + self.feature_cost[:, None]
        return np.where(self.solved & (total <= self.cutoff), total, self.par_factor * self.cutoff)

    @classmethod
    def from_aslib(
        cls,
        scenario: Any,
        *,
        steps: str | Sequence[str] = "all",
        charge_feature_cost: bool = True,
        keep_unsolvable: bool = False,
        oracle_feature_cost: bool = True,
        protocol: str | OnlineProtocol | None = None,
    ) -> "OnlineStream":
        """A stream from an :class:`algoconf.selection.data.aslib.ASlibScenario` (runtime scenarios only).

        ``protocol`` (a name of :data:`PROTOCOLS` or an :class:`OnlineProtocol`), when given, sets
        ``keep_unsolvable`` and ``oracle_feature_cost``.

        ``steps``: ``"all"`` (every feature, every step's cost: the paper's setting), ``"default"``
        (the scenario's default steps and what they require) or a list of step names.
        """
        if protocol is not None:
            chosen_protocol = online_protocol(protocol) if isinstance(protocol, str) else protocol
            keep_unsolvable, oracle_feature_cost = chosen_protocol.keep_unsolvable, chosen_protocol.oracle_feature_cost
        if scenario.performance_type != "runtime" or scenario.cutoff is None:
            raise ValueError(f"{scenario.name}: online replay needs a runtime scenario with a cutoff")
        if steps == "all":
            chosen = tuple(scenario.feature_steps)
        elif steps == "default":
            chosen = scenario.step_closure(scenario.default_steps or tuple(scenario.feature_steps))
        else:
            chosen = scenario.step_closure(steps)
        if chosen and len(chosen) < len(scenario.feature_steps):
            mask = scenario.step_mask(chosen)
        else:
            mask = np.ones(len(scenario.feature_names), dtype=bool)
        features = np.asarray(scenario.features, dtype=float)[:, mask]
        n = scenario.performance.shape[0]
        cost = np.zeros(n)
        if charge_feature_cost and scenario.feature_costs is not None:
            step_names = list(scenario.feature_steps)
            cols = [step_names.index(s) for s in chosen]
            cost = np.nansum(np.asarray(scenario.feature_costs, dtype=float)[:, cols], axis=1)
        solved = np.asarray(scenario.solved, dtype=bool) & (scenario.performance <= scenario.cutoff)
        runtime = np.where(solved, np.asarray(scenario.performance, dtype=float), float(scenario.cutoff))
        keep = np.ones(n, dtype=bool) if keep_unsolvable else solved.any(axis=1)
        return cls(
            name=scenario.name,
            algorithms=tuple(scenario.algorithms),
            features=features[keep],
            runtime=runtime[keep],
            solved=solved[keep],
            feature_cost=cost[keep],
            cutoff=float(scenario.cutoff),
            oracle_feature_cost=oracle_feature_cost,
        )


@dataclass(frozen=True, eq=False)
class ReplayResult:
    """One policy on one shuffle of one stream."""

    policy: str
    scenario: str
    seed: int
    par10: float
    oracle_par10: float
    unsolved: int
    seconds_per_step: float
    regret: np.ndarray  # (n,) cumulative regret after each step
    choices: np.ndarray  # (n,) chosen algorithm index per step, in stream order

    @property
    def repar10(self) -> float:
        return self.par10 / self.oracle_par10


def replay(stream: OnlineStream, policy: str | Callable[..., OnlineSelector], seed: int, **params: Any) -> ReplayResult:
    """Run one policy over one shuffle of ``stream`` (see the module docstring).

    ``policy`` is a registered name or a factory ``f(algorithms, n_features, cutoff, seed, **params)``.
    """
    build = partial(make_online_selector, policy) if isinstance(policy, str) else policy
    selector = build(stream.algorithms, stream.features.shape[1], stream.cutoff, seed=seed, **params)
    label = policy if isinstance(policy, str) else getattr(policy, "__name__", "custom")
    order = np.random.default_rng(seed).permutation(stream.n_instances)
    charged = stream.charged()
    best = stream.oracle_cost()
    index = {a: i for i, a in enumerate(stream.algorithms)}
    n = stream.n_instances
    costs = np.empty(n)
    choices = np.empty(n, dtype=np.int64)
    learner_seconds = 0.0
    for step, i in enumerate(order):
        x = stream.features[i]
        t0 = time.perf_counter()
        name = selector.select(x)
        learner_seconds += time.perf_counter() - t0
        a = index[name]
        if stream.solved[i, a]:
            obs = OnlineObservation(float(stream.runtime[i, a]), False, stream.cutoff)
        else:
            obs = OnlineObservation(stream.cutoff, True, stream.cutoff)
        t0 = time.perf_counter()
        selector.update(x, name, obs)
        learner_seconds += time.perf_counter() - t0
        costs[step] = charged[i, a]
        choices[step] = a
    oracle = best[order]
    return ReplayResult(
        policy=label,
        scenario=stream.name,
        seed=int(seed),
        par10=float(costs.mean()),
        oracle_par10=float(oracle.mean()),
        unsolved=int(np.sum(costs >= stream.par_factor * stream.cutoff)),
        seconds_per_step=learner_seconds / max(n, 1),
        regret=np.cumsum(costs - oracle),
        choices=choices,
    )


@dataclass(frozen=True)
class PolicySummary:
    """A policy on one scenario, over all shuffles."""

    policy: str
    scenario: str
    par10: float
    oracle_par10: float
    repar10: float
    unsolved: float
    seconds_per_step: float
    n_shuffles: int
    regret_curve: tuple[float, ...] = field(default=())  # mean cumulative regret at ~50 points

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "scenario": self.scenario,
            "par10": self.par10,
            "oracle_par10": self.oracle_par10,
            "repar10": self.repar10,
            "unsolved": self.unsolved,
            "seconds_per_step": self.seconds_per_step,
            "n_shuffles": self.n_shuffles,
            "regret_curve": list(self.regret_curve),
        }


def summarise(results: Sequence[ReplayResult], points: int = 50) -> PolicySummary:
    """Average replays of one policy on one scenario (rePAR10 = mean PAR10 / oracle PAR10)."""
    if not results:
        raise ValueError("nothing to summarise")
    par10 = float(np.mean([r.par10 for r in results]))
    oracle = float(np.mean([r.oracle_par10 for r in results]))
    curve = np.mean([r.regret for r in results], axis=0)
    at = np.unique(np.linspace(0, len(curve) - 1, min(points, len(curve))).round().astype(int))
    return PolicySummary(
        policy=results[0].policy,
        scenario=results[0].scenario,
        par10=par10,
        oracle_par10=oracle,
        repar10=par10 / oracle,
        unsolved=float(np.mean([r.unsolved for r in results])),
        seconds_per_step=float(np.mean([r.seconds_per_step for r in results])),
        n_shuffles=len(results),
        regret_curve=tuple(float(v) for v in curve[at]),
    )


def evaluate_online(
    stream: OnlineStream,
    policies: Iterable[str],
    seeds: Iterable[int] = range(10),
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, PolicySummary]:
    """Every policy on every shuffle of one stream; summaries by policy name."""
    seeds = list(seeds)
    params = params or {}
    return {
        p: summarise([replay(stream, p, s, **params.get(p, {})) for s in seeds]) for p in policies
    }
