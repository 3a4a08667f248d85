"""A self-tuning selector (AutoFolio-style): the selector family, its hyperparameters, the
pre-solving budget and the feature steps are configured per scenario on the training data only.

``fit(data)`` builds a ConfigSpace space (:func:`selector_space`), splits *the training data it is
given* into ``inner_folds`` seeded folds, and runs algoconf's random-search tuner (ROAR, from
``algoconf.tuners``) through its ask/tell contract: a "run" is one configuration fitted on all
inner folds but one and scored on the held-out inner fold (mean PAR10 with the same feature-cost
convention as the outer evaluation; quality data: mean cost). ROAR races challengers against the
incumbent fold by fold, so a poor configuration is dropped after one fold. The incumbent is then
refitted on all the training data. The outer test fold is never seen: it is not in ``data``.

Before the tuner starts, an initial design scores every family's default configuration on every
inner fold; the best family's default becomes the space's default, which is the tuner's first
incumbent (so the search never ends worse, on the inner folds, than the best default). ``max_runs``
counts the tuner's runs after this design.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from ConfigSpace import (
    CategoricalHyperparameter,
    ConfigurationSpace,
    EqualsCondition,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from algoconf.records import RunResult, Status
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Selector
from algoconf.selection.offline.evaluation import simulate
from algoconf.selection.offline.registry import make_selector
from algoconf.tuners import TuningProblem, get_tuner
from algoconf.tuners.sampling import default_config

__all__ = ["AutoSelector", "selector_space", "selector_from_config", "step_options"]

FAMILIES = ("regression", "pairwise", "sunny")


def step_options(data: PerformanceData) -> dict[str, tuple[str, ...] | None]:
    """Named feature-step choices: ``default``, ``all`` and ``cheap`` (steps whose median cost is
    under 1% of the cutoff, closed under requires), duplicates removed."""
    if not data.feature_steps:
        return {"default": None}
    names = list(data.feature_steps)
    options: dict[str, tuple[str, ...] | None] = {"default": data.step_closure(data.default_steps or names)}
    everything = data.step_closure(names)
    if everything != options["default"]:
        options["all"] = everything
    if data.feature_costs is not None and data.is_runtime:
        med = np.nanmedian(np.where(np.isnan(data.feature_costs), 0.0, data.feature_costs), axis=0)
        cheap = [s for s, c in zip(names, med) if c <= 0.01 * data.runtime_cutoff]
        if cheap:
            closure = data.step_closure(cheap)
            if closure not in options.values():
                options["cheap"] = closure
    return options


def selector_space(data: PerformanceData, *, families: tuple[str, ...] = FAMILIES, seed: int = 0) -> ConfigurationSpace:
    """The configuration space searched by :class:`AutoSelector` for ``data``."""
    cs = ConfigurationSpace(seed=seed)
    family = CategoricalHyperparameter("selector", list(families), default_value=families[0])
    cs.add(family)
    steps = list(step_options(data))
    if len(steps) > 1:
        cs.add(CategoricalHyperparameter("feature_steps", steps, default_value="default"))
    if data.is_runtime:
        cs.add(CategoricalHyperparameter("presolve", ["0", "0.01", "0.03", "0.1"], default_value="0"))
    conditional: list[tuple[str, Any]] = []
    if "regression" in families:
        conditional += [
            ("regression", CategoricalHyperparameter("reg_censoring", ["schmee-hahn", "par10"], default_value="schmee-hahn")),
            ("regression", UniformFloatHyperparameter("reg_max_features", 0.1, 1.0, default_value=0.5)),
            ("regression", UniformIntegerHyperparameter("reg_min_samples_leaf", 1, 8, default_value=2)),
            ("regression", CategoricalHyperparameter("reg_joint", [True, False], default_value=True)),
        ]
    if "pairwise" in families:
        conditional += [
            ("pairwise", UniformIntegerHyperparameter("pw_max_algorithms", 3, 10, default_value=8)),
            ("pairwise", UniformFloatHyperparameter("pw_max_features", 0.05, 0.8, default_value=0.3)),
            ("pairwise", CategoricalHyperparameter("pw_soft_votes", [True, False], default_value=True)),
        ]
    if "sunny" in families:
        conditional += [
            ("sunny", UniformIntegerHyperparameter("sunny_k", 3, 80, log=True, default_value=16)),
            ("sunny", UniformIntegerHyperparameter("sunny_max_solvers", 1, 4, default_value=3)),
            ("sunny", CategoricalHyperparameter("sunny_schedule", [True, False], default_value=True)),
            ("sunny", CategoricalHyperparameter("sunny_scaling", ["log", "rank", "standard"], default_value="log")),
        ]
    for fam, hp in conditional:
        cs.add(hp)
        cs.add(EqualsCondition(hp, family, fam))
    return cs


def selector_from_config(config: dict[str, Any], data: PerformanceData, random_state: int = 0) -> Selector:
    """The unfitted selector a configuration of :func:`selector_space` describes."""
    base: dict[str, Any] = {"random_state": random_state}
    steps = step_options(data).get(config.get("feature_steps", "default"))
    base["feature_steps"] = steps
    base["presolve"] = float(config.get("presolve", "0"))
    fam = config["selector"]
    if fam == "regression":
        return make_selector(
            "regression",
            censoring=config["reg_censoring"],
            max_features=float(config["reg_max_features"]),
            min_samples_leaf=int(config["reg_min_samples_leaf"]),
            joint=bool(config["reg_joint"]),
            **base,
        )
    if fam == "pairwise":
        return make_selector(
            "pairwise",
            max_algorithms=int(config["pw_max_algorithms"]),
            max_features=float(config["pw_max_features"]),
            soft_votes=bool(config["pw_soft_votes"]),
            **base,
        )
    return make_selector(
        "sunny",
        k=int(config["sunny_k"]),
        max_solvers=int(config["sunny_max_solvers"]),
        schedule=bool(config["sunny_schedule"]),
        scaling=str(config["sunny_scaling"]),
        **base,
    )


class AutoSelector(Selector):
    """Configures a selector per scenario with nested CV on the training data (module docstring).

    ``max_runs``: inner (configuration, fold) evaluations the tuner may use; ``inner_folds``: folds
    of the training data; ``feature_cost``: the convention used to score inner folds. The shared
    ``feature_steps``/``presolve`` parameters are not used: both are part of the searched space.
    After ``fit``, ``config_`` is the chosen configuration and ``trials_`` every inner evaluation.
    """

    name = "auto"
    produces_schedules = True
    optimises_feature_cost = True

    def __init__(
        self,
        *,
        max_runs: int = 24,
        inner_folds: int = 3,
        feature_cost: str = "charge",
        families: tuple[str, ...] = FAMILIES,
        tuner: str = "random",
        **base,
    ) -> None:
        super().__init__(**base)
        self.max_runs = max_runs
        self.inner_folds = inner_folds
        self.feature_cost = feature_cost
        self.families = tuple(families)
        self.tuner = tuner

    def fit(self, data: PerformanceData) -> "AutoSelector":
        rng = np.random.default_rng(self.random_state)
        n = data.n_instances
        inner = (rng.permutation(n) % max(2, min(self.inner_folds, n))) + 1
        names = tuple(f"inner-{f}" for f in sorted(set(inner)))
        self.trials_: list[dict[str, Any]] = []

        def score(config: dict[str, Any], fold: int) -> float:
            test = np.flatnonzero(inner == fold)
            train = np.flatnonzero(inner != fold)
            sel = selector_from_config(dict(config), data, self.random_state).fit(data.subset(train))
            value = float(simulate(sel, data, test, feature_cost=self.feature_cost)[0].mean())
            self.trials_.append({"config": dict(config), "fold": fold, "cost": value})
            return value

        # initial design: every family's default on every inner fold; the best becomes the space's
        # default, i.e. the incumbent the tuner starts from and challengers must beat
        family_cost: dict[str, float] = {}
        for fam in self.families:
            config = _default(selector_space(data, families=(fam,), seed=self.random_state))
            family_cost[fam] = float(np.mean([score(config, int(n.split("-")[1])) for n in names]))
        best_family = min(self.families, key=lambda f: (family_cost[f], self.families.index(f)))
        self.family_cost_ = family_cost
        ordered = (best_family,) + tuple(f for f in self.families if f != best_family)
        space = selector_space(data, families=ordered, seed=self.random_state)
        problem = TuningProblem(
            space=space,
            instances=names,
            cutoff=None,
            objective="quality",
            deterministic=True,
            max_runs=self.max_runs,
            crash_cost=float("inf"),
        )
        tuner = get_tuner(self.tuner)(problem, seed=self.random_state)
        runs = 0
        while runs < self.max_runs and not tuner.finished:
            requests = tuner.ask(1)
            if not requests:
                break
            results = []
            for req in requests:
                started = time.time()
                value = score(dict(req.config), int(req.instance.split("-")[1]))
                finished = time.time()
                results.append(
                    RunResult(req, Status.SUCCESS, runtime=finished - started, quality=value, started=started, finished=finished)
                )
                runs += 1
            tuner.tell(results)
        self.config_ = dict(tuner.incumbent or _default(space))
        self.model_ = selector_from_config(self.config_, data, self.random_state).fit(data)
        # expose the fitted model's plan parts under the Selector contract
        self.algorithms_ = self.model_.algorithms_
        self.used_steps = self.model_.used_steps
        self.presolve_schedule = self.model_.presolve_schedule
        self.cutoff_ = self.model_.cutoff_
        self.n_features_in_ = self.model_.n_features_in_
        self.fitted_ = True
        return self

    def predict(self, features: np.ndarray, features_ok: np.ndarray | None = None):
        return self.model_.predict(features, features_ok)


def _default(space: ConfigurationSpace) -> dict[str, Any]:
    return default_config(space)
