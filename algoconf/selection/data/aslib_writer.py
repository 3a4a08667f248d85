"""Writing performance data (for instance algoconf's own runs) as an ASlib scenario directory.

``write_aslib(data, directory)`` writes ``description.txt``, ``algorithm_runs.arff``,
``feature_values.arff`` (when there are features), ``feature_costs.arff`` /
``feature_runstatus.arff`` (when known) and ``cv.arff`` (when the data has folds), so that
:func:`~algoconf.selection.data.aslib.load_aslib` (and other ASlib tools) read it back. Runtime data
only. Solved runs are ``ok``; censored ones are ``timeout`` with their bound as the runtime; pairs
never run are left out (ASlib allows missing runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from algoconf.errors import SelectionInputError
from algoconf.selection.data.arff import ArffAttribute, write_arff
from algoconf.selection.data.aslib import FEATURE_STATUS_VALUES, RUNSTATUS_VALUES
from algoconf.selection.data.performance import PerformanceData

__all__ = ["write_aslib"]


def write_aslib(data: PerformanceData, directory: str | Path, *, scenario_id: str | None = None) -> Path:
    """Write ``data`` as an ASlib scenario in ``directory`` (created); returns the directory."""
    if not data.is_runtime:
        raise SelectionInputError("write_aslib writes runtime data only")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    name = scenario_id or data.name or out.name
    steps: dict[str, Any] = dict(data.feature_steps) or ({"ALL": None} if data.feature_names else {})
    desc = {
        "scenario_id": name,
        "performance_measures": ["runtime"],
        "performance_type": ["runtime"],
        "maximize": [False],
        "algorithm_cutoff_time": data.runtime_cutoff,
        "algorithm_cutoff_memory": "?",
        "features_cutoff_time": float(data.features_cutoff) if data.features_cutoff else "?",
        "features_cutoff_memory": "?",
        "number_of_feature_steps": len(steps),
        "default_steps": list(data.default_steps or steps),
        "feature_steps": {
            s: ({"provides": list(data.feature_names)} if step is None else
                {"provides": list(step.features), **({"requires": list(step.requires)} if step.requires else {})})
            for s, step in steps.items()
        },
        "features_deterministic": list(data.feature_names),
        "features_stochastic": [],
        "algorithms_deterministic": list(data.algorithms),
        "algorithms_stochastic": [],
        "metainfo_algorithms": {a: {"configuration": "", "deterministic": True} for a in data.algorithms},
    }
    (out / "description.txt").write_text(yaml.safe_dump(desc, sort_keys=False))
    S, N = ArffAttribute, "numeric"
    rows = []
    for i, inst in enumerate(data.instances):
        for j, alg in enumerate(data.algorithms):
            if not data.observed[i, j]:
                continue
            rows.append((inst, 1.0, alg, float(data.time[i, j]), "ok" if data.event[i, j] else "timeout"))
    write_arff(
        out / "algorithm_runs.arff",
        f"{name}_runs",
        [S("instance_id", "string"), S("repetition", N), S("algorithm", "string"), S("runtime", N),
         S("runstatus", "nominal", RUNSTATUS_VALUES)],
        rows,
    )
    if data.feature_names:
        write_arff(
            out / "feature_values.arff",
            f"{name}_features",
            [S("instance_id", "string"), S("repetition", N)] + [S(f, N) for f in data.feature_names],
            [(inst, 1.0, *[float(v) for v in data.features[i]]) for i, inst in enumerate(data.instances)],
        )
    step_names = list(steps)
    if data.feature_costs is not None and step_names:
        write_arff(
            out / "feature_costs.arff",
            f"{name}_costs",
            [S("instance_id", "string"), S("repetition", N)] + [S(s, N) for s in step_names],
            [(inst, 1.0, *[float(v) for v in data.feature_costs[i]]) for i, inst in enumerate(data.instances)],
        )
    if data.feature_status is not None and step_names:
        write_arff(
            out / "feature_runstatus.arff",
            f"{name}_status",
            [S("instance_id", "string"), S("repetition", N)] + [S(s, "nominal", FEATURE_STATUS_VALUES) for s in step_names],
            [(inst, 1.0, *[str(v) if v in FEATURE_STATUS_VALUES else "unknown" for v in data.feature_status[i]])
             for i, inst in enumerate(data.instances)],
        )
    if data.folds is not None and (np.asarray(data.folds) > 0).any():
        write_arff(
            out / "cv.arff",
            f"{name}_cv",
            [S("instance_id", "string"), S("repetition", N), S("fold", N)],
            [(inst, 1.0, float(f)) for inst, f in zip(data.instances, data.folds) if f > 0],
        )
    return out
