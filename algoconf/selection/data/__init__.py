"""Selection data: ASlib scenarios (read and write), ARFF files, and the performance matrix selectors learn from.

``load_aslib`` reads an ASlib scenario (``aslib.py``, ARFF parsing in ``arff.py``), ``write_aslib``
writes one (``aslib_writer.py``), ``PerformanceData`` is the censored instances x algorithms matrix
with features, costs and folds (``performance.py``), ``check_selectable`` refuses data with nothing to
select (``input_checks.py``), ``load_performance`` reads it from an ASlib scenario or an algoconf run
directory (``sources.py``).
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module defining it; loaded on first use, so importing one module of this
#: package does not load every other module's dependencies
_EXPORTS: dict[str, str] = {
    "ArffAttribute": "algoconf.selection.data.arff",
    "ArffTable": "algoconf.selection.data.arff",
    "read_arff": "algoconf.selection.data.arff",
    "write_arff": "algoconf.selection.data.arff",
    "ASlibScenario": "algoconf.selection.data.aslib",
    "FeatureStep": "algoconf.selection.data.aslib",
    "load_aslib": "algoconf.selection.data.aslib",
    "RUNSTATUS_VALUES": "algoconf.selection.data.aslib",
    "FEATURE_STATUS_VALUES": "algoconf.selection.data.aslib",
    "write_aslib": "algoconf.selection.data.aslib_writer",
    "PerformanceData": "algoconf.selection.data.performance",
    "check_selectable": "algoconf.selection.data.input_checks",
    "load_performance": "algoconf.selection.data.sources",
    "read_features_csv": "algoconf.selection.data.sources",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
