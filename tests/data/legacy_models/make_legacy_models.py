"""Write selector models with algoconf's pre-restructuring module paths (issue 19)."""

import json
import sys
from dataclasses import replace
from pathlib import Path

from algoconf.selection.registry import make_selector

from algoconf.cli.select_offline import load_data
from algoconf.selection.model_io import save_model

repo = Path(sys.argv[1])
mini = repo / "tests" / "data" / "aslib_mini"
out = repo / "tests" / "data" / "legacy_models"
data = load_data(mini)
solvers = ("minisat", "cadical", "clasp")
cols = [data.algorithms.index(a) for a in solvers]
small = replace(
    data, algorithms=solvers, time=data.time[:, cols], event=data.event[:, cols], observed=data.observed[:, cols]
)
models = {
    "single_best": make_selector("single-best"),
    "regression": make_selector("regression", n_estimators=4, presolve=0.05, random_state=0),
    "isac": make_selector("isac", scaling="rank", min_cluster=10, random_state=0),
}
expected = {}
for name, sel in models.items():
    sel.fit(small)
    save_model(out / f"{name}.model", sel, small, source="tests/data/aslib_mini")
    plans = sel.predict(small.features)
    expected[name] = {
        "presolve_schedule": [[a, float(b)] for a, b in sel.presolve_schedule],
        "plans": [[[a, float(b)] for a, b in p] for p in plans],
    }
(out / "expected.json").write_text(json.dumps(expected) + "\n")
