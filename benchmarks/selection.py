"""Offline algorithm selection on the ASlib scenarios: every selector, 10-fold CV from cv.arff.

For every scenario and selector: PAR10, solved fraction and gap closed, with feature cost charged
(the strict convention) and free (the ASlib/LLAMA pages' convention), all instances kept; fit and
predict seconds; next to the best published gap closed from the reference data's README /
research note. Writes benchmarks/results/selection.json (updated after every scenario) and prints
a table.

    python benchmarks/selection.py --quick          # 2 small scenarios, 3 selectors (about a minute)
    python benchmarks/selection.py                  # all scenarios, all selectors (long)
    python benchmarks/selection.py --scenarios SAT11-INDU,QBF-2011 --selectors regression,auto

The ASlib data is found via ALGOCONF_ASLIB_DIR or <repo>/../shared/data/aslib (never copied).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from algoconf.selection.aslib import load_aslib  # noqa: E402
from algoconf.selection.data import PerformanceData  # noqa: E402
from algoconf.selection.evaluate import evaluate_conventions  # noqa: E402
from algoconf.selection.registry import make_selector  # noqa: E402

# best published gap closed (PAR10, 10-fold cv.arff where the source used it; conventions differ:
# see /work/shared/research/as_anchors.md section 2.2, "best figure" column)
PUBLISHED = {
    "ASP-POTASSCO": (0.83, "SUNNY-like/PAR, Run2Survive repo [D]"),
    "CPMP-2015": (0.19, "R2S-PAR10 [D]"),
    "CSP-2010": (0.76, "SATzilla'11-like/PAR [D]"),
    "MAXSAT12-PMS": (0.76, "SATzilla'11-like/Run [D]"),
    "MAXSAT15-PMS-INDU": (0.76, "SUNNY-like/Run [D]"),
    "OPENML-WEKA-2017": (0.21, "Sunny-fkvar, OASC single split [C]"),
    "QBF-2011": (0.85, "SATzilla'11-like/Run [D]"),
    "QBF-2014": (0.70, "R2S-Exp [D]"),
    "SAT11-HAND": (0.64, "R2S-PAR10 [D]"),
    "SAT11-INDU": (0.44, "PerAlgoRF+S&H [D]"),
    "SAT11-RAND": (0.92, "R2S-PAR10 [D]"),
    "SAT12-HAND": (0.76, "regr.RF, ASlib pages [A]"),
    "SAT12-INDU": (0.41, "regr.RF, ASlib pages [A]"),
    "SAT15-INDU": (0.35, "PerAlgoRF+S&H [D]"),
}

ALL_SELECTORS = ("single-best", "regression", "pairwise", "sunny", "isac", "survival-forest", "auto")
SELECTOR_PARAMS = {
    "survival-forest": {"max_algorithms": 8},
    "auto": {"max_runs": 8},
}


def aslib_root() -> Path:
    env = os.environ.get("ALGOCONF_ASLIB_DIR")
    root = Path(env) if env else REPO.parent / "shared" / "data" / "aslib"
    if not root.is_dir():
        sys.exit(f"ASlib data not found at {root}: set ALGOCONF_ASLIB_DIR")
    return root


def run(scenarios: list[str], selectors: list[str], out_path: Path, seed: int, rerun: bool = False) -> dict:
    root = aslib_root()
    results: dict = {"command": " ".join(sys.argv), "protocol": {
        "folds": "10-fold CV from cv.arff (repetition 1)",
        "conventions": ["feature cost charged, all instances kept", "feature cost free, all instances kept"],
        "vbs_sbs": "VBS and SBS over all instances (SBS = best mean PAR10 over the scenario), no feature cost",
        "seed": seed,
    }, "scenarios": {}}
    if out_path.exists():
        try:
            previous = json.loads(out_path.read_text())
            results["scenarios"].update(previous.get("scenarios", {}))
        except json.JSONDecodeError:
            pass
    loaded: dict[str, PerformanceData] = {}
    # selector-major order: every scenario gets the cheap selectors before any gets the costly ones
    for sel_name, name in [(s, n) for s in selectors for n in scenarios]:
        if name not in loaded:
            loaded[name] = PerformanceData.from_aslib(load_aslib(root / name))
        data = loaded[name]
        entry = results["scenarios"].setdefault(name, {"selectors": {}})
        entry["published_best_gap"], entry["published_source"] = PUBLISHED.get(name, (None, ""))
        entry.update(data.describe())
        if sel_name in entry["selectors"] and not rerun:
            continue  # measured before (kept in the JSON); --rerun measures again
        if True:
            params = dict(SELECTOR_PARAMS.get(sel_name, {}), random_state=seed)
            sel = make_selector(sel_name, **params)
            if not data.is_runtime and not sel.supports_quality:
                continue
            started = time.perf_counter()
            reports = evaluate_conventions(lambda: make_selector(sel_name, **params), data, [("charge", "keep"), ("free", "keep")])
            wall = time.perf_counter() - started
            charge, free = reports
            entry["vbs_par10"], entry["sbs_par10"] = charge.vbs_par10, charge.sbs_par10
            entry["selectors"][sel_name] = {
                "params": charge.params,
                "par10_charged": charge.par10,
                "solved_charged": charge.solved,
                "gap_charged": charge.gap_closed,
                "par10_free": free.par10,
                "solved_free": free.solved,
                "gap_free": free.gap_closed,
                "mcp_free": free.misclassification_penalty,
                "mean_feature_cost": charge.mean_feature_cost,
                "presolved_fraction_charged": charge.presolved_fraction,
                "fit_seconds": charge.fit_seconds,
                "predict_seconds": charge.predict_seconds,
                "wall_seconds": wall,
            }
            print(
                f"{name:18s} {sel_name:16s} gap charged {charge.gap_closed:6.3f}  free {free.gap_closed:6.3f}  "
                f"PAR10 {charge.par10:10.1f}  solved {charge.solved:.3f}  fit {charge.fit_seconds:6.1f}s  "
                f"published {entry['published_best_gap']}",
                flush=True,
            )
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(results, indent=1, default=float))
    return results


def table(results: dict) -> str:
    lines = []
    sels = sorted({s for e in results["scenarios"].values() for s in e["selectors"]}, key=lambda s: ALL_SELECTORS.index(s) if s in ALL_SELECTORS else 99)
    lines.append(f"{'scenario':18s} {'published':>9s} " + " ".join(f"{s[:12]:>12s}" for s in sels) + "   (gap closed, feature cost charged / free)")
    best_charged, best_free, wins = [], [], 0
    for name, e in results["scenarios"].items():
        cells = []
        for s in sels:
            r = e["selectors"].get(s)
            cells.append(f"{r['gap_charged']:5.2f}/{r['gap_free']:5.2f}" if r else f"{'-':>11s}")
        lines.append(f"{name:18s} {e['published_best_gap'] if e['published_best_gap'] is not None else '-':>9} " + " ".join(f"{c:>12s}" for c in cells))
        tuned = [e["selectors"][s] for s in sels if s in e["selectors"] and s != "single-best"]
        if tuned:
            bc = max(r["gap_charged"] for r in tuned)
            bf = max(r["gap_free"] for r in tuned)
            best_charged.append(bc)
            best_free.append(bf)
            if e["published_best_gap"] is not None and max(bc, bf) >= e["published_best_gap"] - 1e-9:
                wins += 1
    entries = results["scenarios"]
    for s in sels:
        have = [n for n, e in entries.items() if s in e["selectors"]]
        gc = [entries[n]["selectors"][s]["gap_charged"] for n in have]
        gf = [entries[n]["selectors"][s]["gap_free"] for n in have]
        beat = sum(
            1 for n in have if entries[n]["published_best_gap"] is not None
            and max(entries[n]["selectors"][s]["gap_charged"], entries[n]["selectors"][s]["gap_free"]) >= entries[n]["published_best_gap"]
        )
        lines.append(
            f"mean gap {s:16s} charged {np.mean(gc):6.3f}  free {np.mean(gf):6.3f}  over {len(gc):2d} scenarios; "
            f">= published best on {beat}/{len(have)}"
        )
        if len(have) < len(entries):  # a fair comparison on the same scenarios
            for other in sels:
                if other != s and all(other in entries[n]["selectors"] for n in have):
                    oc = np.mean([entries[n]["selectors"][other]["gap_charged"] for n in have])
                    lines.append(f"    same {len(have)} scenarios: {other:16s} charged {oc:6.3f}")
    if best_charged:
        lines.append(
            f"oracle pick of the best selector per scenario (NOT a selector; an upper bound of choosing among them): "
            f"mean gap charged {np.mean(best_charged):.3f}, free {np.mean(best_free):.3f}; "
            f">= published best on {wins}/{len(best_charged)}"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 small scenarios, 3 fast selectors")
    parser.add_argument("--scenarios", help="comma-separated scenario names (default: all in the data folder)")
    parser.add_argument("--selectors", help=f"comma-separated selectors (default: {','.join(ALL_SELECTORS)})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--rerun", action="store_true", help="measure again what the JSON already holds")
    parser.add_argument("--table", nargs="+", type=Path, metavar="JSON",
                        help="only print the merged table of these result files (no runs)")
    args = parser.parse_args(argv)
    if args.table:
        merged: dict = {"scenarios": {}}
        for path in (p for p in args.table if p.exists()):
            for name, entry in json.loads(path.read_text())["scenarios"].items():
                into = merged["scenarios"].setdefault(name, dict(entry, selectors={}))
                into["selectors"].update(entry["selectors"])
        print(table(merged))
        return 0
    root = aslib_root()
    if args.quick:
        scenarios = ["CSP-2010", "SAT11-INDU"]
        selectors = ["single-best", "regression", "sunny"]
        out = args.out or REPO / "benchmarks" / "results" / "selection_quick.json"
    else:
        scenarios = sorted(p.name for p in root.iterdir() if (p / "description.txt").exists())
        selectors = list(ALL_SELECTORS)
        out = args.out or REPO / "benchmarks" / "results" / "selection.json"
    if args.scenarios:
        scenarios = args.scenarios.split(",")
    if args.selectors:
        selectors = args.selectors.split(",")
    results = run(scenarios, selectors, out, args.seed, args.rerun)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
