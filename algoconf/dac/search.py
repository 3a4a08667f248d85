"""Policy search as algorithm configuration over policy parameters.

A policy family (``algoconf.dac.policies.PolicyFamily``) turns a configuration into a policy; a run
of that configuration on an env instance with a seed is one episode, or a batch of episodes, and its
cost is minus the (mean) return. Any algoconf tuner (``algoconf.tuners.get_tuner``: random, acband,
smac, optuna) searches the family's space through its ask/tell contract, with the train instances as
the tuning instances.

:class:`EpisodeObjective` is the target: a picklable callable with the ``PythonTarget`` signature
``f(config, instance, seed, cutoff) -> cost``, so the same search can run through the execution
engine in child processes. :func:`search_policy` drives the tuner in-process in a dedicated
ask/tell loop (episodes of these benchmarks are pure Python and take micro- to milliseconds, far
less than starting a child interpreter); every request the tuner asks for is evaluated and told
back as a SUCCESS result with ``quality`` = cost.

Evaluation methods of one run (``method``):

* ``exact``: the benchmark's exact expected return of a Markov policy (LeadingOnes; a policy
  whose expected cost exceeds the env's evaluation cutoff — e.g. one that never finishes — costs
  the cutoff, where its episodes are truncated), or one episode on a deterministic benchmark
  (Sigmoid, Luby) — the run is deterministic;
* ``batch``: the mean return of ``episodes`` episodes from the benchmark's vectorised simulator
  (LeadingOnes, OneMax; exact in distribution), seeded by the run's seed;
* ``episodes``: the mean return of ``episodes`` env episodes seeded from the run's seed;
* ``auto``: exact where available, else batch, else episodes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from algoconf.dac.benchmarks import get_benchmark, make_env, parse_id
from algoconf.dac.env import DACEnv
from algoconf.dac.evaluate import run_episode
from algoconf.dac.policies import Policy, PolicyFamily
from algoconf.errors import DACError
from algoconf.records import RunResult, Status

__all__ = ["EpisodeObjective", "SearchResult", "search_policy", "search_objective", "METHODS"]

METHODS = ("auto", "exact", "batch", "episodes")


class EpisodeObjective:
    """Cost (minus the mean return) of a policy configuration on one instance with one seed.

    Picklable (the environment is rebuilt lazily in each process). ``method`` as in the module doc.
    """

    #: True for an objective over a given environment object (``from_env``): in-process only
    _bound: bool = False

    def __init__(
        self,
        benchmark_id: str,
        options: Mapping[str, Any] | None = None,
        family: str | None = None,
        *,
        episodes: int = 1,
        method: str = "auto",
    ) -> None:
        spec, version = parse_id(benchmark_id)
        self.benchmark_id = f"{spec.name}-v{version}"
        self.options = dict(options or {})
        self.family_name = family or next(iter(spec.families))
        if self.family_name not in spec.families:
            raise DACError(f"{spec.name} has no policy family {self.family_name!r}; it has {sorted(spec.families)}")
        if method not in METHODS:
            raise DACError(f"unknown evaluation method {method!r}; expected one of {METHODS}")
        if episodes < 1:
            raise DACError(f"episodes must be at least 1, got {episodes}")
        self.episodes = int(episodes)
        self.requested_method = method
        self._env: DACEnv | None = None
        self._family: PolicyFamily | None = None

    @classmethod
    def from_env(cls, env: Any, family: PolicyFamily, *, episodes: int = 1, method: str = "auto") -> "EpisodeObjective":
        """An objective over a given environment object and family (in-process only: not picklable).

        Used for environments outside the registry, e.g. DACBench envs wrapped by
        :func:`algoconf.dac.dacbench.from_dacbench`.
        """
        obj = cls.__new__(cls)
        if method not in METHODS:
            raise DACError(f"unknown evaluation method {method!r}; expected one of {METHODS}")
        obj.benchmark_id, obj.options, obj.family_name = env.id, {}, getattr(family, "name", "custom")
        obj.episodes, obj.requested_method = int(episodes), method
        obj._env, obj._family = env, family
        obj._bound = True
        return obj

    def __getstate__(self) -> dict[str, Any]:
        if getattr(self, "_bound", False):
            raise DACError("an objective built from an environment object cannot be sent to another process")
        state = dict(self.__dict__)
        state["_env"] = state["_family"] = None
        return state

    @property
    def env(self) -> DACEnv:
        if self._env is None:
            self._env = make_env(self.benchmark_id, **self.options)
        return self._env

    @property
    def family(self) -> PolicyFamily:
        if self._family is None:
            self._family = get_benchmark(self.benchmark_id).families[self.family_name](self.env)
        return self._family

    @property
    def method(self) -> str:
        """The method actually used (``auto`` resolved for this benchmark and family)."""
        if self.requested_method != "auto":
            return self.requested_method
        env = self.env
        if hasattr(env, "exact_return") or env.deterministic:
            return "exact"
        if hasattr(env, "batch_returns"):
            return "batch"
        return "episodes"

    @property
    def deterministic(self) -> bool:
        return self.method == "exact"

    def policy(self, config: Mapping[str, Any]) -> Policy:
        return self.family.build(config)

    def cost(self, config: Mapping[str, Any], instance: str, seed: int) -> float:
        """Minus the (mean) return of the configuration's policy on ``instance`` (a name)."""
        env = self.env
        policy = self.policy(config)
        inst = env.find_instance(instance)
        method = self.method
        if method == "exact":
            exact = getattr(env, "exact_return", None)
            if exact is not None:
                value = -exact(policy, inst)
                cutoff = getattr(env, "cutoff", None)
                return float(min(value, cutoff)) if cutoff is not None else float(value)
            if not env.deterministic:
                raise DACError(f"{env.id} has no exact evaluation; use method 'batch' or 'episodes'")
            return -run_episode(env, policy, seed=int(seed), instance=inst)[0]
        if method == "batch":
            batch = getattr(env, "batch_returns", None)
            if batch is None:
                raise DACError(f"{env.id} has no vectorised simulator; use method 'episodes'")
            rng = np.random.default_rng(int(seed))
            return -float(np.mean(batch(policy, inst, self.episodes, rng)))
        seeds = np.random.SeedSequence(int(seed)).generate_state(self.episodes)
        return -float(np.mean([run_episode(env, policy, seed=int(s), instance=inst)[0] for s in seeds]))

    def __call__(self, config: Mapping[str, Any], instance: Any, seed: int, cutoff: float | None = None) -> dict[str, Any]:
        """``PythonTarget`` entry point: ``{"cost": ..., "runtime": seconds}``."""
        start = time.process_time()
        value = self.cost(config, getattr(instance, "name", str(instance)), int(seed))
        return {"cost": value, "runtime": time.process_time() - start}


@dataclass(frozen=True)
class SearchResult:
    """The incumbent policy of a search and how it was found."""

    benchmark: str
    family: str
    tuner: str
    method: str
    config: dict[str, Any]
    policy: Policy
    runs: int
    train_cost: float
    seconds: float
    trajectory: list[tuple[int, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "family": self.family,
            "tuner": self.tuner,
            "method": self.method,
            "config": self.config,
            "policy": self.policy.to_dict(),
            "runs": self.runs,
            "train_cost": self.train_cost,
            "seconds": self.seconds,
        }


def search_policy(
    benchmark_id: str,
    *,
    options: Mapping[str, Any] | None = None,
    family: str | None = None,
    tuner: str = "random",
    budget: int = 200,
    seed: int = 0,
    episodes: int = 1,
    method: str = "auto",
    max_instances: int | None = None,
    tuner_options: Mapping[str, Any] | None = None,
    batch: int = 8,
    progress: Callable[[int, float | None], None] | None = None,
) -> SearchResult:
    """Search a policy family with an algoconf tuner over ``budget`` runs (see the module doc).

    The tuning instances are the train instances (the first ``max_instances`` of them when given).
    ``tuner_options`` go to the tuner's constructor. ``progress(runs, incumbent_cost)`` is called
    after each batch.
    """
    objective = EpisodeObjective(benchmark_id, options, family, episodes=episodes, method=method)
    return search_objective(objective, tuner=tuner, budget=budget, seed=seed, max_instances=max_instances,
                            tuner_options=tuner_options, batch=batch, progress=progress)


def search_objective(
    objective: EpisodeObjective,
    *,
    tuner: str = "random",
    budget: int = 200,
    seed: int = 0,
    max_instances: int | None = None,
    tuner_options: Mapping[str, Any] | None = None,
    batch: int = 8,
    progress: Callable[[int, float | None], None] | None = None,
) -> SearchResult:
    """The ask/tell loop of :func:`search_policy` over a ready objective (any environment object)."""
    from algoconf.tuners import TuningProblem, get_tuner

    if budget < 1:
        raise DACError(f"budget must be at least 1 run, got {budget}")
    env = objective.env
    names = tuple(inst.name for inst in env.instances.train)
    if max_instances is not None:
        names = names[: max(1, int(max_instances))]
    problem = TuningProblem(
        space=objective.family.space,
        instances=names,
        cutoff=None,
        objective="quality",
        maximize=False,
        deterministic=objective.deterministic,
        max_runs=int(budget),
        extra={"dac_benchmark": objective.benchmark_id, "dac_family": objective.family_name},
    )
    try:
        tuner_cls = get_tuner(tuner)
    except ImportError as err:
        raise DACError(f"tuner {tuner!r} is not available here: {err}") from err
    strategy = tuner_cls(problem, seed=seed, **dict(tuner_options or {}))
    costs: dict[str, list[float]] = {}
    trajectory: list[tuple[int, float]] = []
    runs = 0
    start = time.perf_counter()
    while runs < budget and not strategy.finished:
        requests = strategy.ask(min(batch, budget - runs))
        if not requests:
            break  # nothing in flight in this loop: an empty ask means the tuner has no more work
        results = []
        for request in requests:
            t0 = time.perf_counter()
            value = objective.cost(request.config, request.instance, request.seed)
            elapsed = time.perf_counter() - t0
            costs.setdefault(request.config_key, []).append(value)
            results.append(RunResult(request, Status.SUCCESS, runtime=elapsed, wallclock=elapsed, quality=value))
        strategy.tell(results)
        runs += len(requests)
        current = _incumbent_cost(strategy.incumbent, costs)
        if current is not None:
            trajectory.append((runs, current))
        if progress is not None:
            progress(runs, current)
    incumbent = strategy.incumbent
    if incumbent is None:
        raise DACError(f"tuner {tuner!r} found no incumbent in {runs} runs; raise the budget")
    return SearchResult(
        benchmark=objective.benchmark_id,
        family=objective.family_name,
        tuner=tuner,
        method=objective.method,
        config=dict(incumbent),
        policy=objective.policy(incumbent),
        runs=runs,
        train_cost=float(_incumbent_cost(incumbent, costs) or float("nan")),
        seconds=time.perf_counter() - start,
        trajectory=trajectory,
    )


def _incumbent_cost(incumbent: Mapping[str, Any] | None, costs: Mapping[str, list[float]]) -> float | None:
    from algoconf.records import config_key

    if incumbent is None:
        return None
    values = costs.get(config_key(incumbent))
    return float(np.mean(values)) if values else None
