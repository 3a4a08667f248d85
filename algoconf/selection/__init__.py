"""Algorithm selection: which algorithm (or configuration) to run on each instance.

Subpackages: ``data`` (ASlib and ARFF I/O, ``PerformanceData``), ``offline`` (selectors fitted on
recorded data, their registry and evaluation), ``online`` (selectors that learn while instances
arrive under censored feedback). At the top: ``model_io`` (the one model file format: save and load
of fitted offline selectors) and ``run`` (``algoconf select run``: a saved model's plan played on new
instances with real solvers). This package exports the names docs/selection.md and
docs/online_selection.md use.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module defining it; loaded on first use, so importing one module of this
#: package does not load the selectors' dependencies (scikit-learn, scipy, ConfigSpace)
_EXPORTS: dict[str, str] = {
    "load_aslib": "algoconf.selection.data.aslib",
    "write_aslib": "algoconf.selection.data.aslib_writer",
    "PerformanceData": "algoconf.selection.data.performance",
    "load_performance": "algoconf.selection.data.sources",
    "Selector": "algoconf.selection.offline.base",
    "SELECTORS": "algoconf.selection.offline.registry",
    "RECOMMENDED": "algoconf.selection.offline.registry",
    "make_selector": "algoconf.selection.offline.registry",
    "evaluate": "algoconf.selection.offline.evaluation",
    "save_model": "algoconf.selection.model_io",
    "load_model": "algoconf.selection.model_io",
    "run_model": "algoconf.selection.run",
    "OnlineObservation": "algoconf.selection.online.contract",
    "OnlineSelector": "algoconf.selection.online.contract",
    "RECOMMENDED_POLICY": "algoconf.selection.online.policies",
    "make_online_selector": "algoconf.selection.online.policies",
    "online_policies": "algoconf.selection.online.policies",
    "evaluate_online": "algoconf.selection.online.evaluation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
