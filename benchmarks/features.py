"""Feature benchmark: base-group speed vs gbdc, probe cost, parallel speed-up, family separation.

    python benchmarks/features.py            # full run (a few minutes)
    python benchmarks/features.py --quick    # smoke run (seconds)

Prints a table per part and writes benchmarks/results/features.json. Speed is compared side by side
in one run (interleaved repetitions, best of r) as ratios; the machine is shared, so absolute
seconds are noise.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from algoconf.benchmarking import source_commit
from algoconf.features.cnf import CNFFeatures
from algoconf.features.cnf_stats import base_features, variable_graph_features
from algoconf.features.compute import compute_features
from algoconf.features.jobshop import order_encoding
from algoconf.instances.dimacs import read_cnf, write_cnf
from algoconf.instances.generators.colouring import flat_colouring
from algoconf.instances.generators.jobshop import read_jobshop, taillard_jobshop
from algoconf.instances.generators.ksat import random_ksat
from algoconf.instances.generators.pigeonhole import pigeonhole

RESULTS = Path(__file__).resolve().parent / "results"


def _best_of(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def speed_vs_gbdc(work: Path, quick: bool) -> dict:
    try:
        import gbdc
    except ImportError:
        gbdc = None
    sizes = [(2000, 1)] if quick else [(20000, 1), (100000, 1), (300000, 1)]
    rows = []
    for variables, seed in sizes:
        path = random_ksat(work, 1, seed, variables=variables, prefix=f"big{variables}")[0]
        mb = path.stat().st_size / 1e6
        ours = lambda: (base_features(c := read_cnf(path)), variable_graph_features(c))  # noqa: E731
        reps = 2 if quick else 3
        t_ours = _best_of(ours, reps)
        row = {"file": path.name, "MB": round(mb, 2), "ours_s_per_MB": t_ours / mb}
        if gbdc is not None:
            t_gbdc = _best_of(lambda: gbdc.extract_base_features(str(path)), reps)
            row |= {"gbdc_s_per_MB": t_gbdc / mb, "ratio_ours_over_gbdc": t_ours / t_gbdc}
            g = gbdc.extract_base_features(str(path))
            f = base_features(read_cnf(path))
            row["agree_size"] = g["clauses"] == f["nclauses"] and g["variables"] == f["nvars"]
            row["agree_horn_fraction"] = abs(g["horn"] / g["clauses"] - f["horn-clauses-fraction"]) < 1e-9
        rows.append(row)
    return {"rows": rows, "gbdc_installed": gbdc is not None, "note": "ours = parse + base + variable graph; gbdc = its base set (incl. VG and clause graph)"}


def probe_costs(work: Path, quick: bool) -> dict:
    paths = random_ksat(work, 2 if quick else 6, 7, variables=200) + flat_colouring(work, 2 if quick else 6, 7, vertices=150)
    ex = CNFFeatures()
    out = {}
    for group in ("unit", "ls"):
        costs, statuses = [], []
        for p in paths:
            r = ex.compute_group(p, group, cap=5.0, seed=0)
            costs.append(r.cost)
            statuses.append(r.status.value)
        out[group] = {"mean_cost_s": float(np.mean(costs)), "max_cost_s": float(np.max(costs)), "statuses": {s: statuses.count(s) for s in set(statuses)}}
    return out


def parallel_speedup(work: Path, quick: bool) -> dict:
    paths = random_ksat(work, 4 if quick else 16, 11, variables=250, prefix="par")
    times = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as cache:
            t = time.perf_counter()
            compute_features(paths, groups=["base", "unit", "ls"], workers=workers, cache_dir=cache)
            times[workers] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as cache:
        compute_features(paths, groups=["base", "unit", "ls"], workers=2, cache_dir=cache)
        t = time.perf_counter()
        compute_features(paths, groups=["base", "unit", "ls"], workers=2, cache_dir=cache)
        cached = time.perf_counter() - t
    return {"instances": len(paths), "wall_1_worker_s": times[1], "wall_2_workers_s": times[2], "speedup": times[1] / times[2], "cached_rerun_s": cached}


def family_separation(work: Path, quick: bool) -> dict:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    n = 6 if quick else 30
    families = {
        "random-3sat": random_ksat(work, n, 21, variables=200, prefix="fam-u"),
        "flat-colouring": flat_colouring(work, n, 21, vertices=120, prefix="fam-flat"),
        "pigeonhole": pigeonhole(work, n, 21, holes=6),
    }
    jsp = taillard_jobshop(work, n, 21, jobs=6, machines=6)
    enc = []
    for p in jsp:
        q = p.with_suffix(".cnf")
        write_cnf(order_encoding(read_jobshop(p)), q)
        enc.append(q)
    families["jobshop-encoded"] = enc
    ex = CNFFeatures()
    X, y = [], []
    for label, paths in families.items():
        for p in paths:
            res = ex.extract(p, ["base", "vg"])
            X.append([v for r in res.values() for v in r.values.values()])
            y.append(label)
    X = np.nan_to_num(np.asarray(X, dtype=float), nan=-1.0)
    folds = StratifiedKFold(n_splits=3 if quick else 5, shuffle=True, random_state=0)
    acc = cross_val_score(RandomForestClassifier(n_estimators=100, random_state=0), X, np.asarray(y), cv=folds)
    return {"families": {k: len(v) for k, v in families.items()}, "features": int(X.shape[1]), "cv_accuracy_mean": float(acc.mean()), "cv_accuracy_min": float(acc.min())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS / "features.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report = {
            "quick": args.quick,
            "speed_vs_gbdc": speed_vs_gbdc(work, args.quick),
            "probe_costs": probe_costs(work, args.quick),
            "parallel": parallel_speedup(work, args.quick),
            "family_separation": family_separation(work, args.quick),
        }
    print("\nbase-group speed (s per MB of CNF; ratio < 1 means faster than gbdc)")
    for row in report["speed_vs_gbdc"]["rows"]:
        print("  " + "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
    print("\nprobe cost per instance (CPU s, cap 5 s)")
    for g, v in report["probe_costs"].items():
        print(f"  {g:5s} mean {v['mean_cost_s']:.3f}  max {v['max_cost_s']:.3f}  {v['statuses']}")
    p = report["parallel"]
    print(f"\nparallel: {p['instances']} instances, 1 worker {p['wall_1_worker_s']:.1f}s, 2 workers {p['wall_2_workers_s']:.1f}s, speed-up {p['speedup']:.2f}, cached rerun {p['cached_rerun_s']:.2f}s")
    f = report["family_separation"]
    print(f"\nfamily separation: {f['families']} on {f['features']} CNF features: CV accuracy mean {f['cv_accuracy_mean']:.3f} (min fold {f['cv_accuracy_min']:.3f})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"commit": source_commit(), **report}, indent=2))
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
