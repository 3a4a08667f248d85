"""Offline algorithm selection: selectors fitted on recorded performance data, and their evaluation.

The contract is ``base.Selector`` (scikit-learn style ``fit``/``predict`` -> schedules; checked by
:mod:`algoconf.testing.selectors`); ``registry`` names the selectors (``make_selector``,
``SELECTORS``, ``RECOMMENDED``); ``evaluation`` cross-validates them (PAR10, gap closed). The selectors:
``single_best``, ``regression``, ``survival``, ``pairwise``, ``pairwise_regression``, ``sunny``,
``isac``, ``stacking`` (the recommended blend), ``auto`` (self-tuning); their shared parts:
``presolve``, ``feature_maps``, ``candidate_choice``, ``step_choice``, ``portfolio_pruning``,
``parallel`` (``--jobs``).
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module defining it; loaded on first use, so importing one module of this
#: package does not load scikit-learn, scikit-survival or ConfigSpace before a selector that needs them is used
_EXPORTS: dict[str, str] = {
    "Schedule": "algoconf.selection.offline.base",
    "Selector": "algoconf.selection.offline.base",
    "schedule_is_valid": "algoconf.selection.offline.base",
    "SELECTORS": "algoconf.selection.offline.registry",
    "RECOMMENDED": "algoconf.selection.offline.registry",
    "make_selector": "algoconf.selection.offline.registry",
    "selector_class": "algoconf.selection.offline.registry",
    "EvaluationReport": "algoconf.selection.offline.evaluation",
    "FoldResult": "algoconf.selection.offline.evaluation",
    "evaluate": "algoconf.selection.offline.evaluation",
    "evaluate_conventions": "algoconf.selection.offline.evaluation",
    "simulate": "algoconf.selection.offline.evaluation",
    "reference_costs": "algoconf.selection.offline.evaluation",
    "fit_selector": "algoconf.selection.offline.parallel",
    "resolve_jobs": "algoconf.selection.offline.parallel",
    "greedy_presolve_schedule": "algoconf.selection.offline.presolve",
    "run_schedule": "algoconf.selection.offline.presolve",
    "SingleBest": "algoconf.selection.offline.single_best",
    "RegressionSelector": "algoconf.selection.offline.regression",
    "SurvivalForestSelector": "algoconf.selection.offline.survival",
    "survival_available": "algoconf.selection.offline.survival",
    "PairwiseSelector": "algoconf.selection.offline.pairwise",
    "PairwiseRegressionSelector": "algoconf.selection.offline.pairwise_regression",
    "SunnySelector": "algoconf.selection.offline.sunny",
    "ISACSelector": "algoconf.selection.offline.isac",
    "StackingSelector": "algoconf.selection.offline.stacking",
    "AutoSelector": "algoconf.selection.offline.auto",
    "SCALINGS": "algoconf.selection.offline.feature_maps",
    "MonotoneFeatureMap": "algoconf.selection.offline.feature_maps",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
