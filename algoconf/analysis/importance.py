"""Parameter importance from a run's history: Optuna's fANOVA over the configurations tried.

Each configuration the tuner ran becomes one completed Optuna trial whose value is its mean cost
(PAR-k for runtime objectives, censored runs at their bound) and whose parameters are its active
values; :func:`optuna.importance.get_param_importances` with a seeded
:class:`~optuna.importance.FanovaImportanceEvaluator` then splits the variance of that cost over
the parameters (normalised to sum to 1). Optuna only weighs parameters present in every trial, so a
conditional parameter that was inactive somewhere is left out (and listed as such).

It reads what the tuner happened to run: configurations with few runs, or runs on other instances,
make noisy means, and a tuner that concentrated on a region says little about the rest of the
space. Optuna is the ``[optuna]`` extra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ConfigSpace import ConfigurationSpace

from algoconf.extras import require

__all__ = ["ParameterImportance", "parameter_importance", "MIN_CONFIGURATIONS"]

#: fewer distinct configurations than this: no importance is computed
MIN_CONFIGURATIONS = 8


@dataclass(frozen=True)
class ParameterImportance:
    """fANOVA importances (parameter -> share of the variance, summing to 1), largest first."""

    importances: Mapping[str, float]
    n_configurations: int
    left_out: tuple[str, ...]  # conditional parameters inactive in some configuration, or constant


def _distributions(space: ConfigurationSpace, optuna: Any) -> dict[str, Any]:
    from ConfigSpace.hyperparameters import (
        CategoricalHyperparameter,
        FloatHyperparameter,
        IntegerHyperparameter,
        OrdinalHyperparameter,
    )

    out: dict[str, Any] = {}
    dist = optuna.distributions
    for hp in space.values():
        if isinstance(hp, FloatHyperparameter) and hp.lower < hp.upper:
            out[hp.name] = dist.FloatDistribution(float(hp.lower), float(hp.upper), log=bool(hp.log))
        elif isinstance(hp, IntegerHyperparameter) and hp.lower < hp.upper:
            out[hp.name] = dist.IntDistribution(int(hp.lower), int(hp.upper), log=bool(hp.log))
        elif isinstance(hp, CategoricalHyperparameter) and len(hp.choices) > 1:
            out[hp.name] = dist.CategoricalDistribution(tuple(hp.choices))
        elif isinstance(hp, OrdinalHyperparameter) and len(hp.sequence) > 1:
            out[hp.name] = dist.CategoricalDistribution(tuple(hp.sequence))
    return out


def parameter_importance(space: ConfigurationSpace, configs: Mapping[str, Mapping[str, Any]],
                         costs: Mapping[str, float], *, seed: int = 0) -> ParameterImportance | None:
    """Importances over ``configs`` (key -> active values) with mean ``costs`` (key -> cost).

    None when fewer than :data:`MIN_CONFIGURATIONS` configurations have a finite cost or no
    parameter varies. MissingExtraError without Optuna.
    """
    optuna = require("optuna", "parameter importance")
    importance = require("optuna.importance", "parameter importance")
    distributions = _distributions(space, optuna)
    usable = {k: c for k, c in configs.items() if k in costs and math.isfinite(costs[k])}
    if len(usable) < MIN_CONFIGURATIONS:
        return None
    always = [n for n in distributions if all(n in c for c in usable.values())]
    left_out = tuple(sorted(n for n in space if n not in always))
    if not always:
        return None
    trials = []
    for key, config in usable.items():
        params = {n: config[n] for n in always}
        trials.append(optuna.trial.create_trial(params=params, distributions={n: distributions[n] for n in always},
                                                value=float(costs[key])))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize")
    study.add_trials(trials)
    try:
        found = importance.get_param_importances(study, evaluator=importance.FanovaImportanceEvaluator(seed=seed))
    except (RuntimeError, ValueError):  # e.g. every trial has the same value: nothing to split
        return None
    ranked = dict(sorted(((str(k), float(v)) for k, v in found.items()), key=lambda kv: -kv[1]))
    return ParameterImportance(ranked, len(usable), left_out)
