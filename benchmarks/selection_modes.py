"""How should the stack choose between its two modes? Rules replayed on the same fitted stacks,
per ASlib scenario and seed.

The stack (``algoconf/selection/offline/stacking.py``) ends either in *select* mode (one algorithm per
instance, from its blended members) or in *sunny* mode (SUNNY's per-instance schedule). Both are
costed per training row by inner cross-validation of their own choice (``select-cv`` and
``sunny-cv``). This script fits the stack once per fold of ``cv.arff`` with ``mode_rule="best"``
(the choice is replayed afterwards, so the rule does not matter for the fit), keeps both modes'
per-row inner costs and both modes' test-fold costs (feature cost charged, all instances kept) in a
cache, and then compares rules without refitting:

* ``select`` / ``sunny``: always that mode;
* ``mean``: the lower mean inner cost (``mode_rule="best"``; a tie keeps select);
* ``1se-select``: select unless SUNNY is cheaper by more than one standard error of the per-row
  difference;
* ``1se-sunny``: SUNNY unless select is cheaper by more than one standard error
  (``mode_rule="1se"``, the default since session 6);
* ``z=...``: the same with other multiples of the standard error (sensitivity).

The printed figure is the fraction of the SBS-VBS gap closed (feature cost charged), as in
``benchmarks/selection.py``. Quality scenarios have no SUNNY mode and are skipped.

    python benchmarks/selection_modes.py --scenarios CSP-2010,QBF-2011 --seeds 0   # fits, caches
    python benchmarks/selection_modes.py --seeds 0,1,2                             # all (about 35 min per seed)

The ASlib data is found via ALGOCONF_ASLIB_DIR or <repo>/../shared/data/aslib (never copied).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from algoconf.benchmarking import source_commit
from algoconf.benchmarking.reference_data import ASLIB_ENV, aslib_root
from algoconf.selection.data.aslib import load_aslib
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.evaluation import simulate
from algoconf.selection.offline.stacking import StackingSelector


REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
Z_GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


def fit_folds(data: PerformanceData, cache: Path, seed: int) -> dict:
    """Per fold: both modes' per-row inner costs, the fitted mode and both modes' test costs."""
    if cache.is_file():
        return pickle.loads(cache.read_bytes())
    recs = []
    started = time.perf_counter()
    for fold in sorted(set(data.folds)):
        train, test = np.flatnonzero(data.folds != fold), np.flatnonzero(data.folds == fold)
        stack = StackingSelector(random_state=seed, mode_rule="best").fit(data.subset(train))
        rec = {
            "fold": fold, "te": test, "mode": stack.mode_, "inner": dict(stack.inner_costs_),
            "select_cv_rows": stack.mode_rows_["select-cv"], "sunny_cv_rows": stack.mode_rows_["sunny-cv"],
        }
        fitted = stack.mode_
        for mode in ("select", "sunny"):
            stack.mode_ = mode
            rec["test_" + mode] = simulate(stack, data, test)[0]
        stack.mode_ = fitted
        recs.append(rec)
        print(f"  {data.name} seed {seed} fold {fold}: {fitted} ({time.perf_counter() - started:.0f} s)", flush=True)
    store = {"name": data.name, "seed": seed, "recs": recs, "cost": data.cost()}
    cache.write_bytes(pickle.dumps(store))
    return store


def z_rule(z: float, preferred: str = "sunny"):
    """The ``preferred`` mode unless the other one's per-row inner costs are lower by more than
    ``z`` standard errors of the per-row difference."""
    other = "select" if preferred == "sunny" else "sunny"

    def rule(rec: dict) -> str:
        diff = rec[f"{other}_cv_rows"] - rec[f"{preferred}_cv_rows"]
        se = diff.std() / np.sqrt(len(diff))
        return other if diff.mean() < -z * se - 1e-12 else preferred

    return rule


RULES = {
    "select": lambda rec: "select",
    "sunny": lambda rec: "sunny",
    "mean": lambda rec: "sunny" if rec["sunny_cv_rows"].mean() < rec["select_cv_rows"].mean() else "select",
    "1se-select": z_rule(1.0, preferred="select"),
    "1se-sunny": z_rule(1.0),
    **{f"z={z:g}": z_rule(z) for z in Z_GRID},
}


def rules_table(store: dict) -> dict[str, float]:
    """Gap closed (charged) of every rule on one scenario and seed."""
    cost = store["cost"]
    vbs, sbs = float(cost.min(axis=1).mean()), float(cost.mean(axis=0).min())
    out = {}
    for name, rule in RULES.items():
        total = np.zeros(len(cost))
        for rec in store["recs"]:
            total[rec["te"]] = rec["test_" + rule(rec)]
        out[name] = (sbs - float(total.mean())) / (sbs - vbs)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default=None, help="comma-separated scenario names (default: all runtime ones)")
    ap.add_argument("--seeds", default="0", help="comma-separated random seeds of the stack")
    ap.add_argument("--cache", default=str(RESULTS / ".cache" / "selection_modes"),
                    help="folder of per-fold caches (one pickle per scenario and seed; reused when present)")
    ap.add_argument("--out", default=str(RESULTS / "selection_modes.json"))
    args = ap.parse_args(argv)
    root = aslib_root()
    if root is None:
        sys.exit(f"ASlib data not found: set {ASLIB_ENV} (or provide <repo>/../shared/data/aslib)")
    names = args.scenarios.split(",") if args.scenarios else sorted(p.name for p in root.iterdir() if (p / "description.txt").is_file())
    seeds = [int(s) for s in args.seeds.split(",")]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for name in names:
        data = PerformanceData.from_aslib(load_aslib(root / name))
        if not data.is_runtime:
            print(f"{name}: quality scenario, no SUNNY mode; skipped")
            continue
        table[name] = {str(seed): rules_table(fit_folds(data, cache / f"dump_{name}_{seed}.pkl", seed)) for seed in seeds}
    cols = list(RULES)
    print(f"{'scenario':18s} seed" + "".join(f"{c:>11s}" for c in cols))
    for name, per_seed in table.items():
        for seed, row in per_seed.items():
            print(f"{name[:18]:18s} {seed:>4s}" + "".join(f"{row[c]:11.3f}" for c in cols))
    means = {seed: {c: float(np.mean([table[n][str(seed)][c] for n in table])) for c in cols} for seed in map(str, seeds)}
    for seed, row in means.items():
        print(f"{'MEAN':18s} {seed:>4s}" + "".join(f"{row[c]:11.3f}" for c in cols))
    print("gap closed (feature cost charged, all instances kept), 10-fold CV from cv.arff; MEAN over the runtime scenarios")
    Path(args.out).write_text(json.dumps({"command": "python " + " ".join([sys.argv[0], *(argv or sys.argv[1:])]),
                                          "commit": source_commit(),
                                          "seeds": seeds, "scenarios": table, "mean": means}, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
