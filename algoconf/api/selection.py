"""``algoconf.select`` and ``algoconf.evaluate_selector``: algorithm selection on an ASlib folder.

    report = algoconf.evaluate_selector("SAT11-HAND")   # cross-validated, the folds of cv.arff
    report.gap_closed, report.par10
    selector = algoconf.select("SAT11-HAND")             # fitted on every instance
    selector.predict(...)

The selector is named as in ``algoconf select`` (default: the recommended stack); extra keyword
arguments are its parameters.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["select", "evaluate_selector"]


def _data(aslib_dir: str | os.PathLike) -> Any:
    from algoconf.errors import SelectionInputError
    from algoconf.selection.data.aslib import load_aslib
    from algoconf.selection.data.performance import PerformanceData

    path = Path(aslib_dir)
    if not (path / "description.txt").is_file():
        raise SelectionInputError("expected an ASlib scenario folder (with description.txt)", file=path)
    return PerformanceData.from_aslib(load_aslib(path))


def select(aslib_dir: str | os.PathLike, selector: str | None = None, *, seed: int = 0, **params: Any) -> Any:
    """A selector fitted on every instance of the ASlib scenario in ``aslib_dir``."""
    from algoconf.api.functions import ScriptStopped, loading_script
    from algoconf.selection.offline.registry import RECOMMENDED, make_selector

    if loading_script():
        raise ScriptStopped()
    data = _data(aslib_dir)
    return make_selector(selector or RECOMMENDED, random_state=seed, **params).fit(data)


def evaluate_selector(aslib_dir: str | os.PathLike, selector: str | None = None, *, seed: int = 0,
                      feature_cost: str = "charge", unsolved: str = "keep", **params: Any) -> Any:
    """Cross-validate a selector on the ASlib scenario (its cv.arff folds): an EvaluationReport
    (``par10``, ``gap_closed``, ``solved``, per-fold figures), as ``algoconf select evaluate``."""
    from algoconf.api.functions import ScriptStopped, loading_script
    from algoconf.selection.offline.evaluation import evaluate
    from algoconf.selection.offline.registry import RECOMMENDED, make_selector, selector_class

    if loading_script():
        raise ScriptStopped()
    data = _data(aslib_dir)
    name = selector or RECOMMENDED
    params = dict(params, random_state=seed)
    if selector_class(name).optimises_feature_cost:
        params.setdefault("feature_cost", feature_cost)
    make_selector(name, **params)  # bad names / parameters fail before any fitting
    return evaluate(lambda: make_selector(name, **params), data, feature_cost=feature_cost, unsolved=unsolved)
