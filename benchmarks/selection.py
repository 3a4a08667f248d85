"""Offline algorithm selection on the ASlib scenarios: every selector, 10-fold CV from cv.arff.

For every scenario and selector: PAR10, solved fraction and gap closed, with feature cost charged
(the strict convention) and free (the ASlib/LLAMA pages' convention), all instances kept; fit and
predict seconds; next to the best published gap closed from the reference data's README /
research note. Writes benchmarks/results/selection.json (updated after every scenario) and prints
a table.

    python benchmarks/selection.py --quick          # 2 small scenarios, 3 selectors (about a minute)
    python benchmarks/selection.py                  # all scenarios, all selectors (long)
    python benchmarks/selection.py --scenarios SAT11-INDU,QBF-2011 --selectors regression,auto
    python benchmarks/selection.py --merge benchmarks/results/selection.json part1.json part2.json ...
                                                    # one file from runs made in parts (keeps every command)

The ASlib data is found via ALGOCONF_ASLIB_DIR or <repo>/../shared/data/aslib (never copied).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from algoconf.benchmarking import source_commit  # noqa: E402
from algoconf.benchmarking.reference_data import ASLIB_ENV  # noqa: E402
from algoconf.benchmarking.reference_data import aslib_root as reference_aslib_root  # noqa: E402
from algoconf.selection.data.aslib import load_aslib  # noqa: E402
from algoconf.selection.data.performance import PerformanceData  # noqa: E402
from algoconf.selection.offline.evaluation import evaluate_conventions  # noqa: E402
from algoconf.selection.offline.registry import make_selector  # noqa: E402

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

ALL_SELECTORS = (
    "single-best", "regression", "pairwise", "sunny", "isac", "survival-forest", "pairwise-regression", "stack", "auto",
)
SELECTOR_PARAMS = {
    "survival-forest": {"max_algorithms": 8, "n_estimators": 25},  # CPU: half the default trees
    "auto": {"max_runs": 8},
}


def aslib_root() -> Path:
    """The ASlib data (algoconf.benchmarking.reference_data); exits naming the variable when absent."""
    root = reference_aslib_root()
    if root is None:
        sys.exit(f"ASlib data not found: set {ASLIB_ENV} (or provide <repo>/../shared/data/aslib)")
    return root


# The stack fits regression, pairwise and pairwise-regression with their default parameters and the
# run's seed: those fitted members ARE the standalone selectors, so their standalone results are
# measured from the stack's fits (same model, same training fold, simulated alone) instead of
# fitting them a second time. Their fit seconds are the members' own fit times.
MEMBER_VIEWS = {"regression": "regression", "pairwise": "pairwise", "pairwise-regression": "pairwise-regression"}


class _StackCache:
    """One fitted stack per training set (the evaluation's folds), shared with the member views."""

    def __init__(self, params: dict) -> None:
        self.params = params
        self.fitted: dict[tuple[str, ...], object] = {}

    def stack_for(self, data: PerformanceData):
        key = data.instances
        if key not in self.fitted:
            self.fitted[key] = make_selector("stack", **self.params).fit(data)
        return self.fitted[key]


def _member_view(cache: _StackCache, member: str):
    from algoconf.selection.offline.base import Selector

    class MemberView(Selector):
        name = member
        produces_schedules = True

        def fit(self, data):
            stack = cache.stack_for(data)
            self.model_ = stack.models_[member]
            self.seconds_ = stack.member_seconds_[member]
            for attr in ("algorithms_", "used_steps", "presolve_schedule", "cutoff_", "n_features_in_"):
                setattr(self, attr, getattr(self.model_, attr))
            self.fitted_ = True
            return self

        def predict(self, features, features_ok=None):
            return self.model_.predict(features, features_ok)

    return MemberView()


def run(scenarios: list[str], selectors: list[str], out_path: Path, seed: int, rerun: bool = False, cores: int = 1) -> dict:
    root = aslib_root()
    results: dict = {"commands": [" ".join(["python"] + sys.argv)], "protocol": {
        "folds": "10-fold CV from cv.arff (repetition 1)",
        "conventions": ["feature cost charged, all instances kept", "feature cost free, all instances kept"],
        "vbs_sbs": "VBS and SBS over all instances (SBS = best mean PAR10 over the scenario), no feature cost",
        "models": "one fit per fold for both conventions, except selectors that optimise a feature-cost convention "
                  "(stack, auto) on data with feature costs: fitted once per convention (free_column_model)",
        "seed": seed,
    }, "scenarios": {}}
    if out_path.exists():
        try:
            previous = json.loads(out_path.read_text())
            results["scenarios"].update(previous.get("scenarios", {}))
            results["commands"] = _commands(previous) + results["commands"]
        except json.JSONDecodeError:
            pass
    loaded: dict[str, PerformanceData] = {}
    caches: dict[str, _StackCache] = {}
    views = [v for v in MEMBER_VIEWS if "stack" in selectors and v in selectors]
    plain = [s for s in selectors if s not in views]
    jobs = [(s, n) for s in plain for n in scenarios]
    if views:  # each scenario's member views right after its stack, while its fits are cached
        at = plain.index("stack")
        jobs = [(s, n) for s in plain[:at] for n in scenarios] + [
            (s, n) for n in scenarios for s in ["stack"] + views
        ] + [(s, n) for s in plain[at + 1 :] for n in scenarios]
    # selector-major order: every scenario gets the cheap selectors before any gets the costly ones
    for sel_name, name in jobs:
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
            load_before = os.getloadavg()[0]
            member_seconds = None
            # folds on `cores` processes (results identical to one); the stack's member views share
            # its fits through an in-process cache, so that combination runs its folds here
            par = dict(jobs=1 if views and sel_name in ["stack"] + views else cores)
            if sel_name == "stack" and views:
                caches.clear()  # one scenario's fits at a time
                cache = caches.setdefault(name, _StackCache(params))
                factory = lambda: _CachedStack(cache)  # noqa: E731
            elif sel_name in views:
                cache = caches[name]
                built: list = []
                factory = lambda: built.append(_member_view(cache, sel_name)) or built[-1]  # noqa: E731
            else:
                factory = lambda: make_selector(sel_name, **params)  # noqa: E731
            # a selector whose inner choices optimise a feature-cost convention is fitted for each
            # convention it is judged by (as `algoconf select evaluate` does), where they differ
            per_convention = sel.optimises_feature_cost and data.feature_costs is not None and not views
            free_seconds = None
            if per_convention:
                charge, = evaluate_conventions(
                    lambda: make_selector(sel_name, **dict(params, feature_cost="charge")), data, [("charge", "keep")], **par
                )
                charge_wall = time.perf_counter() - started
                free, = evaluate_conventions(
                    lambda: make_selector(sel_name, **dict(params, feature_cost="free")), data, [("free", "keep")], **par
                )
                free_seconds = free.fit_seconds
            else:
                charge, free = evaluate_conventions(factory, data, [("charge", "keep"), ("free", "keep")], **par)
                charge_wall = None
            wall = time.perf_counter() - started
            if sel_name in views:
                fitted = [v for v in built if getattr(v, "fitted_", False)]
                member_seconds = float(sum(v.seconds_ for v in fitted))
                charge = _replace_report(charge, params=fitted[-1].model_.get_params(), fit_seconds=member_seconds)
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
                # what `algoconf select evaluate` takes for this selector under one convention
                "evaluate_wall_seconds_charged": charge_wall if charge_wall is not None else wall,
                "jobs": par["jobs"],
                "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                "commit": source_commit(),
            }
            if sel.optimises_feature_cost:
                entry["selectors"][sel_name]["free_column_model"] = (
                    f"fitted with feature_cost='free' ({free_seconds:.1f} s)" if per_convention
                    else "the model fitted with feature_cost='charge'"
                    + (" (no feature costs in the data: the same choices)" if data.feature_costs is None else "")
                )
            if sel_name in views:
                entry["selectors"][sel_name]["measured_as"] = "the stack's fitted member (same model and seed; fit once)"
            print(
                f"{name:18s} {sel_name:16s} gap charged {charge.gap_closed:6.3f}  free {free.gap_closed:6.3f}  "
                f"PAR10 {charge.par10:10.1f}  solved {charge.solved:.3f}  fit {charge.fit_seconds:6.1f}s  "
                f"published {entry['published_best_gap']}",
                flush=True,
            )
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(results, indent=1, default=float))
    return results


def _commands(results: dict) -> list[str]:
    if "commands" in results:
        return list(results["commands"])
    return [results["command"]] if "command" in results else []


def merge(paths: list[Path]) -> dict:
    """One result dict from several result files (later files win per scenario and selector)."""
    merged: dict = {"commands": [], "protocol": None, "scenarios": {}}
    for path in paths:
        part = json.loads(path.read_text())
        merged["commands"] += [c for c in _commands(part) if c not in merged["commands"]]
        merged["protocol"] = merged["protocol"] or part.get("protocol")
        for name, entry in part["scenarios"].items():
            into = merged["scenarios"].setdefault(name, dict(entry, selectors={}))
            into["selectors"].update(entry["selectors"])
    return merged


def time_table(results: dict) -> str:
    """Fit seconds (sum over the 10 folds) and predict seconds per scenario and selector."""
    sels = _ordered(results)
    lines = [f"{'scenario':18s} " + " ".join(f"{s[:12]:>12s}" for s in sels) + "   (fit s / predict s, summed over folds)"]
    for name, e in results["scenarios"].items():
        cells = []
        for s in sels:
            r = e["selectors"].get(s)
            cells.append(f"{r['fit_seconds']:.0f}/{r['predict_seconds']:.1f}" if r else "-")
        lines.append(f"{name:18s} " + " ".join(f"{c:>12s}" for c in cells))
    return "\n".join(lines)


def evaluate_time_table(results: dict) -> str:
    """Wall seconds of one `select evaluate` (feature cost charged) per scenario, for the runs that
    recorded it, with the cores used and the 1-minute load average before/after the run."""
    sels = [s for s in _ordered(results)
            if any("evaluate_wall_seconds_charged" in e["selectors"].get(s, {}) for e in results["scenarios"].values())]
    if not sels:
        return ""
    lines = [f"{'scenario':18s} " + " ".join(f"{s[:22]:>22s}" for s in sels) + "   (evaluate wall s, jobs, load before/after)"]
    for name, e in results["scenarios"].items():
        cells = []
        for s in sels:
            r = e["selectors"].get(s, {})
            if "evaluate_wall_seconds_charged" in r:
                lo, hi = r["load_average_1min"]
                cells.append(f"{r['evaluate_wall_seconds_charged']:.0f}s j{r['jobs']} L{lo:.1f}/{hi:.1f}")
            else:
                cells.append("-")
        lines.append(f"{name:18s} " + " ".join(f"{c:>22s}" for c in cells))
    return "\n".join(lines)


def _ordered(results: dict) -> list[str]:
    found = {s for e in results["scenarios"].values() for s in e["selectors"]}
    return sorted(found, key=lambda s: (ALL_SELECTORS.index(s) if s in ALL_SELECTORS else 99, s))


def _replace_report(report, **changes):
    from dataclasses import replace

    from algoconf.selection.offline.evaluation import _jsonable

    if "params" in changes:
        changes["params"] = _jsonable(changes["params"])
    return replace(report, **changes)


class _CachedStack:
    """A stack selector whose fit goes through the cache (so the member views reuse it)."""

    def __init__(self, cache: _StackCache) -> None:
        self.cache = cache
        self.template = make_selector("stack", **cache.params)
        self.name = "stack"

    def get_params(self):
        return self.template.get_params()

    def fit(self, data):
        self.model_ = self.cache.stack_for(data)
        return self

    def __getattr__(self, attr):
        if attr in ("cache", "template", "name", "model_"):
            raise AttributeError(attr)
        return getattr(self.model_, attr)


def seed_groups(names: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Rows that are one selector run with several seeds: ``X`` (seed 0) and ``X-seedN``; only
    groups with at least two seeds, each sorted by seed."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for name in names:
        match = re.fullmatch(r"(.+)-seed(\d+)", name)
        if match:
            groups.setdefault(match.group(1), []).append((int(match.group(2)), name))
    for base, members in groups.items():
        if base in names:
            members.append((0, base))
        members.sort()
    return {base: members for base, members in groups.items() if len(members) >= 2}


def seed_summary(results: dict) -> list[str]:
    """Per selector run with several seeds (see :func:`seed_groups`), over the scenarios every
    seed has: the mean gap closed of each seed and their mean and standard deviation, per
    convention. A seed's mean moves by about 0.01 on these 14 scenarios, so a claim about a
    selector's mean should rest on several seeds."""
    entries = results["scenarios"]
    lines = []
    for base, members in sorted(seed_groups(_ordered(results)).items()):
        have = [n for n, e in entries.items() if all(name in e["selectors"] for _, name in members)]
        if not have:
            continue
        parts = []
        for column, label in (("gap_charged", "charged"), ("gap_free", "free")):
            means = [float(np.mean([entries[n]["selectors"][name][column] for n in have])) for _, name in members]
            parts.append(f"{label} {np.mean(means):.3f} (sd {np.std(means, ddof=1):.3f}; " + " / ".join(f"{m:.3f}" for m in means) + ")")
        seeds = ",".join(str(seed) for seed, _ in members)
        lines.append(f"seeds {seeds} of {base:12s} over {len(have):2d} scenarios: " + "; ".join(parts))
    return lines


def table(results: dict) -> str:
    lines = []
    sels = _ordered(results)
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
    lines += seed_summary(results)
    from algoconf.selection.offline.registry import RECOMMENDED

    if RECOMMENDED in sels:
        lines.append(f"recommended selector (algoconf select evaluate without --selector): {RECOMMENDED}")
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
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="cores: each evaluation's folds in parallel processes (default: all; results identical to 1)")
    parser.add_argument("--table", nargs="+", type=Path, metavar="JSON",
                        help="only print the merged table of these result files (no runs)")
    parser.add_argument("--merge", nargs="+", type=Path, metavar=("OUT", "JSON"),
                        help="merge result files JSON... into OUT (commands kept) and print the tables")
    args = parser.parse_args(argv)
    if args.table or args.merge:
        files = args.table or args.merge[1:]
        missing = [str(p) for p in files if not p.exists()]
        if missing:
            sys.exit(f"no such result file: {', '.join(missing)}")
        merged = merge(files)
        if args.merge:
            args.merge[0].write_text(json.dumps(merged, indent=1, default=float))
        print(table(merged))
        print(time_table(merged))
        print(evaluate_time_table(merged))
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
    from algoconf.errors import InputError
    from algoconf.selection.offline.parallel import resolve_jobs

    try:
        cores = resolve_jobs(args.jobs)
    except InputError as err:
        print(err, file=sys.stderr)
        return 2
    results = run(scenarios, selectors, out, args.seed, args.rerun, cores)
    print(table(results))
    print(evaluate_time_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
