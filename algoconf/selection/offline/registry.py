"""Selector names -> classes, and the project's recommended selector.

``make_selector(name, **params)`` builds an unfitted selector; :data:`SELECTORS` lists the names.
"""

from __future__ import annotations

import importlib
from typing import Any

from algoconf.errors import SelectionInputError
from algoconf.selection.offline.base import Selector

__all__ = ["SELECTORS", "RECOMMENDED", "make_selector", "selector_class"]

SELECTORS: dict[str, str] = {
    "single-best": "algoconf.selection.offline.single_best:SingleBest",
    "regression": "algoconf.selection.offline.regression:RegressionSelector",
    "survival-forest": "algoconf.selection.offline.survival:SurvivalForestSelector",
    "pairwise": "algoconf.selection.offline.pairwise:PairwiseSelector",
    "pairwise-regression": "algoconf.selection.offline.pairwise_regression:PairwiseRegressionSelector",
    "stack": "algoconf.selection.offline.stacking:StackingSelector",
    "sunny": "algoconf.selection.offline.sunny:SunnySelector",
    "isac": "algoconf.selection.offline.isac:ISACSelector",
    "auto": "algoconf.selection.offline.auto:AutoSelector",
}

# what `algoconf select evaluate` uses without --selector: the best mean gap closed in the benchmark
# among selectors that fit each model once (docs/selection.md; auto is slightly higher at ~5x the fits)
RECOMMENDED = "stack"


def selector_class(name: str) -> type[Selector]:
    try:
        module, cls = SELECTORS[name].split(":")
    except KeyError:
        raise SelectionInputError(f"unknown selector {name!r}; expected one of {', '.join(SELECTORS)}") from None
    return getattr(importlib.import_module(module), cls)


def make_selector(name: str, **params: Any) -> Selector:
    """An unfitted selector ``name`` with the given parameters (unknown ones raise)."""
    cls = selector_class(name)
    try:
        return cls(**params)
    except TypeError as err:
        raise SelectionInputError(f"{name}: {err}") from None
