"""Optuna (TPE, CMA-ES) through its ask/tell interface, with instance-wise pruning as racing.

Space mapping (define-by-run, in the space's topological order)
---------------------------------------------------------------
* a parameter is suggested only when its conditions hold for the values suggested so far, so an
  inactive parameter never reaches the sampler (conditionals kept);
* float/int with ``log=True`` -> ``suggest_float/suggest_int(log=True)``; categorical ->
  ``suggest_categorical``; ordinal -> ``suggest_int`` over the position (order kept); constant ->
  fixed;
* a configuration some forbidden clause excludes is told FAIL and another is asked (bounded).

Evaluation
----------
A trial is one configuration evaluated instance by instance on the same ordered instance-seed
pairs for every trial (``n_instances`` of them, default ``min(10, #instances)``). After each run the
mean cost so far is reported as the intermediate value at step i; when the pruner (successive
halving by default: ``SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)``) says so, the
trial is told PRUNED — so pruning acts as racing on shared instances. A finished trial is told its
mean cost (PAR-k for runtime objectives). Several trials run at once (``constant_liar`` keeps TPE
from proposing the same point to parallel workers). The first trial is the space's default.

Adaptive capping (off by default; ``capping=True`` turns it on for runtime objectives, slack
``capping_slack``, see :mod:`~algoconf.tuners.capping`): pruning is where Optuna compares a trial
with others on the same pairs, so that is where the incumbent-based cap applies. The incumbent is
the best finished trial; a trial's run on pair ``i`` is capped at ``slack ×`` the incumbent's
costs on pairs ``0..i`` ``−`` the trial's own costs on pairs ``0..i−1``. A run that reaches the cap
proves the trial worse than ``slack ×`` the incumbent on the pairs so far: the trial is told PRUNED
(its lower bound is not reported as an intermediate value: it would lower the pruner's rung
values), never finished with a censored value. Before any trial has finished there is nothing to
cap against. Off by default because on the minisat matrix it saved CPU but cost quality (TPE
learns less from trials pruned early; docs/tuners.md has the numbers).

``sampler``: "tpe" (multivariate, grouped for conditional spaces), "cmaes" (needs the ``cmaes``
package; only for spaces of numerical parameters without conditions), or "auto" (CMA-ES when the
space allows it, else TPE). State: the seed and the log of asks and tells; :meth:`from_state`
replays it (Optuna samplers are deterministic for a seed and a sequence), so a resumed tuner
continues exactly.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any, Mapping, Sequence

import numpy as np

from algoconf.errors import ConfigurationError
from algoconf.records import Estimate, RunRequest, RunResult, config_key
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.tuners.capping import DEFAULT_SLACK, CappingRule
from algoconf.tuners.replay_log import ReplayLog, ReplayState
from algoconf.tuners.evidence import cost_of
from algoconf.tuners.pairs import PairStream
from algoconf.tuners.sampling import active_config, default_config

from algoconf.extras import require

optuna = require("optuna", "the optuna tuner")

__all__ = ["OptunaTuner", "space_is_continuous"]

_MAX_FORBIDDEN_RETRIES = 100


def space_is_continuous(space: Any) -> bool:
    """True when every parameter is a float or integer and there are no conditions or forbiddens."""
    from ConfigSpace.hyperparameters import FloatHyperparameter, IntegerHyperparameter

    return (not space.conditions and not space.forbidden_clauses and all(
        isinstance(hp, (FloatHyperparameter, IntegerHyperparameter)) for hp in space.values()))


class OptunaTuner(Tuner):
    """Optuna TPE / CMA-ES with instance-wise pruning; see the module docstring."""

    name = "optuna"
    uses_instances = True
    supports_racing = False
    supports_capping = True
    needs_model = True
    optional_dependency = "optuna"

    def __init__(self, problem: TuningProblem, seed: int = 0, *, sampler: str = "auto",
                 n_instances: int | None = None, reduction_factor: int = 3, max_trials_in_flight: int = 8,
                 capping: bool | None = None, capping_slack: float = DEFAULT_SLACK) -> None:
        super().__init__(problem, seed)
        # off unless asked for: measured to cost quality on the matrix (module docstring)
        self.capping = CappingRule.for_problem(problem, bool(capping), capping_slack)
        if sampler not in ("auto", "tpe", "cmaes"):
            raise ValueError(f"sampler must be 'auto', 'tpe' or 'cmaes', got {sampler!r}")
        if sampler == "cmaes" and not space_is_continuous(problem.space):
            raise ValueError("CMA-ES needs a space of numerical parameters without conditions or forbiddens")
        self._params = {"sampler": sampler, "n_instances": n_instances, "reduction_factor": reduction_factor,
                        "max_trials_in_flight": max_trials_in_flight, "capping": capping,
                        "capping_slack": float(capping_slack)}
        self.sampler_name = ("cmaes" if space_is_continuous(problem.space) else "tpe") if sampler == "auto" else sampler
        self.max_in_flight = int(max_trials_in_flight)
        rng = np.random.default_rng(self.seed)
        stream = PairStream(problem, rng)
        n = n_instances if n_instances is not None else min(10, len(problem.instances))
        self.pairs = [stream.get(i) for i in range(min(int(n), stream.max_pairs))]
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        logging.getLogger("optuna").setLevel(logging.ERROR)
        self.study = optuna.create_study(
            direction="minimize", sampler=self._sampler(), pruner=optuna.pruners.SuccessiveHalvingPruner(
                min_resource=1, reduction_factor=int(reduction_factor)))
        self.study.enqueue_trial(self._to_params(default_config(problem.space)))
        self._active: dict[int, dict[str, Any]] = {}  # trial number -> {"trial", "config", "key", "costs", "busy"}
        self._asked = 0
        self._log = ReplayLog()
        self._best: tuple[float, dict[str, Any]] | None = None
        self._best_costs: list[float] = []  # the best finished trial's cost on each pair (exact)
        self._outcomes: dict[str, float | None] = {}  # key -> final value, None when pruned

    # --- contract ---------------------------------------------------------------------------------
    def ask(self, n: int = 1) -> list[RunRequest]:
        self._log.asked(n)
        out: list[RunRequest] = []
        while len(out) < n and not self._budget_spent():
            idle = [t for t in self._active.values() if not t["busy"]]
            entry: dict[str, Any] | None
            if idle:
                entry = idle[0]
            elif len(self._active) < self.max_in_flight:
                entry = self._new_trial()
                if entry is None:
                    break
            else:
                break
            step = len(entry["costs"])
            pair = self.pairs[step]
            entry["busy"] = True
            bound = None
            if self.capping is not None and self._best_costs:
                bound = self.capping.bound([Estimate(c, True) for c in self._best_costs[: step + 1]],
                                           [Estimate(c, True) for c in entry["costs"]])
            out.append(RunRequest(entry["config"], pair[0], int(pair[1]), self.problem.cutoff, bound=bound,
                                  config_key=entry["key"]))
            self._asked += 1
        return out

    def tell(self, results: Sequence[RunResult]) -> None:
        self._log.told(results)
        for result in results:
            self._tell_one(result.request.config_key, cost_of(self.problem, result))

    @property
    def incumbent(self) -> dict[str, Any] | None:
        return dict(self._best[1]) if self._best is not None else None

    @property
    def finished(self) -> bool:
        return self._budget_spent()

    def state(self) -> dict[str, Any]:
        return self.snapshot().to_dict()

    def snapshot(self) -> ReplayState:
        """The tuner's state as a record: its seed, options and ask/tell log."""
        return ReplayState(seed=self.seed, params=self._params, log=self._log.entries)

    @classmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "OptunaTuner":
        return ReplayState.from_dict(state).rebuild(cls, problem)

    # --- internals --------------------------------------------------------------------------------
    def _budget_spent(self) -> bool:
        return self.problem.max_runs is not None and self._asked >= self.problem.max_runs

    def _sampler(self) -> Any:
        if self.sampler_name == "cmaes":
            return optuna.samplers.CmaEsSampler(seed=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(seed=self.seed, multivariate=True, group=True, constant_liar=True)

    def _new_trial(self) -> dict[str, Any] | None:
        for _ in range(_MAX_FORBIDDEN_RETRIES):
            trial = self.study.ask()
            values = self._suggest(trial)
            try:
                config = active_config(self.problem.space, values)
            except ConfigurationError:
                self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
                continue
            entry = {"trial": trial, "config": config, "key": config_key(config), "costs": [], "busy": False}
            if entry["key"] in self._outcomes:  # seen before: answered from memory, never re-run
                known = self._outcomes[entry["key"]]
                if known is None:
                    self.study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                else:
                    self.study.tell(trial, known)
                continue
            if any(e["key"] == entry["key"] for e in self._active.values()):
                self.study.tell(trial, state=optuna.trial.TrialState.FAIL)  # a duplicate of a running trial
                continue
            self._active[trial.number] = entry
            return entry
        return None

    def _tell_one(self, key: str, cost: Estimate) -> None:
        entry = next((e for e in self._active.values() if e["key"] == key and e["busy"]), None)
        if entry is None:
            return
        entry["busy"] = False
        entry["costs"].append(cost.value)
        trial = entry["trial"]
        step = len(entry["costs"]) - 1
        mean = float(np.mean(entry["costs"]))
        value = mean if math.isfinite(mean) else 1e12
        capped = not cost.exact  # stopped at its cap: a lower bound, worse than the incumbent so far
        if len(entry["costs"]) >= len(self.pairs) and not capped:
            self.study.tell(trial, value)
            self._outcomes[key] = value
            del self._active[trial.number]
            if self._best is None or value < self._best[0]:
                self._best = (value, entry["config"])
                self._best_costs = list(entry["costs"])
            return
        if capped:  # its lower bound is not reported: it would lower the pruner's rung values
            self.study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            self._outcomes[key] = None
            del self._active[trial.number]
            return
        trial.report(value, step)
        if trial.should_prune():
            self.study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            self._outcomes[key] = None
            del self._active[trial.number]

    def _suggest(self, trial: Any) -> dict[str, Any]:
        from ConfigSpace.hyperparameters import (
            CategoricalHyperparameter,
            Constant,
            FloatHyperparameter,
            IntegerHyperparameter,
            OrdinalHyperparameter,
        )

        space = self.problem.space
        values: dict[str, Any] = {}
        for name, hp in space.items():  # ConfigSpace keeps parameters in topological order
            conditions = space.parent_conditions_of.get(name, [])
            if any(not _holds(c, values) for c in conditions):
                continue
            if isinstance(hp, Constant):
                values[name] = hp.value
            elif isinstance(hp, CategoricalHyperparameter):
                values[name] = trial.suggest_categorical(name, list(hp.choices))
            elif isinstance(hp, OrdinalHyperparameter):
                values[name] = hp.sequence[trial.suggest_int(name, 0, len(hp.sequence) - 1)]
            elif isinstance(hp, IntegerHyperparameter):
                values[name] = trial.suggest_int(name, int(hp.lower), int(hp.upper), log=bool(hp.log))
            elif isinstance(hp, FloatHyperparameter):
                values[name] = trial.suggest_float(name, float(hp.lower), float(hp.upper), log=bool(hp.log))
            else:
                raise ValueError(f"parameter {name!r} of type {type(hp).__name__} has no Optuna mapping")
        return values

    def _to_params(self, config: Mapping[str, Any]) -> dict[str, Any]:
        from ConfigSpace.hyperparameters import OrdinalHyperparameter

        out = {}
        for name, value in config.items():
            hp = self.problem.space[name]
            out[name] = list(hp.sequence).index(value) if isinstance(hp, OrdinalHyperparameter) else value
        return out


def _holds(condition: Any, values: Mapping[str, Any]) -> bool:
    parents = [p.name for p in getattr(condition, "parents", None) or [condition.parent]]
    if any(p not in values for p in parents):
        return False
    try:
        return bool(condition.satisfied_by_value(values))
    except (KeyError, ValueError):
        return False
