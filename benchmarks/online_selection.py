"""Benchmark: online algorithm selection under censored runtimes on the ASlib runtime scenarios.

Every policy (the methods of Tornede et al., AAAI 2022, as reimplemented here; Degroote's
epsilon-greedy regression; a feature-free bandit; algoconf's own) is replayed on every runtime
scenario found under the ASlib directory, with the protocol of
:mod:`algoconf.selection.online_evaluate` (10 shuffles, scenario cutoff, feature cost of all steps
charged to every selector and to the online oracle, as in the paper's code; instances no algorithm
solves left out). Reported per scenario and policy: rePAR10
(PAR10 / online oracle's PAR10); over scenarios: mean and median rePAR10, mean learner ms per step.

The paper's figures (26 scenarios incl. ones not available here; read off the committed figure
``competitor_plot.pdf`` of alexandertornede/online_as, whose plotting code aggregates with the
*median* over scenarios) are printed beside them for orientation only: they come from a different
scenario set and evaluation code, so the comparison that counts is the one measured here, on the
same scenarios, in one run.

    python benchmarks/online_selection.py            # all runtime scenarios, 10 shuffles
    python benchmarks/online_selection.py --quick    # 2 scenarios, 2 shuffles, 4 policies (smoke)

Writes ``benchmarks/results/online_selection.json`` (``--quick``: ``online_selection_quick.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from algoconf.selection.aslib import load_aslib
from algoconf.selection.online import RECOMMENDED_POLICY, online_policies
from algoconf.selection.online_evaluate import OnlineStream, evaluate_online

REPO = Path(__file__).resolve().parents[1]

#: Paper figures (mean rePAR10 per the research note, median per the plotting code; s/step).
REFERENCE = {
    "thompson_rev": (2.23, 0.115),
    "bj_thompson_rev": (2.24, 0.14),
    "degroote": (2.37, 0.015),
    "bclinucb_rev": (3.17, 0.003),
}

PAPER_POLICIES = ["thompson", "thompson_rev", "bj_thompson", "bj_thompson_rev", "blind_ucb", "bclinucb_rev",
                  "rand_bclinucb_rev", "degroote", "feature_free"]
OWN_POLICIES = ["tobit_thompson_rev", "tobit_ts", "tobit_shared_ts", "hurdle_shared_ts1", "hurdle_shared_ts"]
QUICK_SCENARIOS = ["CPMP-2015", "SAT11-INDU"]
QUICK_POLICIES = ["thompson_rev", "degroote", "feature_free", RECOMMENDED_POLICY]


def aslib_root(explicit: str | None) -> Path | None:
    for candidate in (explicit, os.environ.get("ALGOCONF_ASLIB_DIR"), str(REPO.parent / "shared" / "data" / "aslib")):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def plot_regret(result_json: Path, png: Path, policies: list[str] | None = None) -> None:
    """Mean cumulative PAR10 regret per scenario (one panel each) from a results JSON."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(Path(result_json).read_text())
    policies = policies or [p for p in ("thompson_rev", "degroote", "feature_free", "tobit_shared_ts", RECOMMENDED_POLICY)
                            if p in data["policies"]]
    scen = data["scenarios"]
    cols = 4
    rows = (len(scen) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax, s in zip(axes.flat, scen):
        for p in policies:
            curve = data["per_scenario"][s][p]["regret_curve"]
            ax.plot(np.linspace(0, 1, len(curve)), curve, label=p)
        ax.set_title(s, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(scen):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.supxlabel("fraction of the stream")
    fig.supylabel("mean cumulative PAR10 regret (s)")
    fig.tight_layout()
    fig.savefig(png, dpi=90)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 scenarios, 2 shuffles, 4 policies")
    ap.add_argument("--aslib-dir", default=None)
    ap.add_argument("--shuffles", type=int, default=None)
    ap.add_argument("--first-seed", type=int, default=0, help="shuffle seeds are first-seed .. first-seed+shuffles-1")
    ap.add_argument("--scenarios", default=None, help="comma list (default: every runtime scenario)")
    ap.add_argument("--policies", default=None, help="comma list (default: paper methods + algoconf's)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--plot", default=None, metavar="PNG", help="also plot the regret curves to this file")
    ap.add_argument("--plot-only", default=None, metavar="JSON", help="only plot the regret curves of a results JSON (to --plot)")
    args = ap.parse_args(argv)
    if args.plot_only:
        plot_regret(Path(args.plot_only), Path(args.plot or Path(args.plot_only).with_suffix(".png")))
        return 0

    root = aslib_root(args.aslib_dir)
    if root is None:
        print("ASlib data not found: pass --aslib-dir or set ALGOCONF_ASLIB_DIR", file=sys.stderr)
        return 2
    shuffles = args.shuffles or (2 if args.quick else 10)
    policies = args.policies.split(",") if args.policies else (QUICK_POLICIES if args.quick else PAPER_POLICIES + OWN_POLICIES)
    unknown = [p for p in policies if p not in online_policies()]
    if unknown:
        print(f"unknown policies: {unknown}", file=sys.stderr)
        return 2
    if args.scenarios:
        names = args.scenarios.split(",")
    elif args.quick:
        names = QUICK_SCENARIOS
    else:
        names = sorted(d.name for d in root.iterdir() if (d / "description.txt").is_file())

    started = time.time()
    table: dict[str, dict[str, dict]] = {}
    sbs: dict[str, float] = {}
    for name in names:
        scenario = load_aslib(root / name)
        if scenario.performance_type != "runtime" or scenario.cutoff is None:
            continue
        stream = OnlineStream.from_aslib(scenario)
        t0 = time.time()
        summaries = evaluate_online(stream, policies, range(args.first_seed, args.first_seed + shuffles))
        table[name] = {p: s.to_dict() for p, s in summaries.items()}
        # context: the single best solver in hindsight (pays the feature cost too), same oracle
        sbs[name] = float(stream.charged().mean(axis=0).min() / stream.oracle_cost().mean())
        cells = " ".join(f"{p}={s.repar10:.2f}" for p, s in summaries.items())
        print(f"[{time.time() - t0:6.1f}s] {name} ({stream.n_instances} inst, {len(stream.algorithms)} alg): {cells}",
              file=sys.stderr, flush=True)

    scen = list(table)
    agg = {}
    for p in policies:
        r = np.array([table[s][p]["repar10"] for s in scen])
        agg[p] = {
            "mean_repar10": float(r.mean()),
            "median_repar10": float(np.median(r)),
            "ms_per_step": float(1000 * np.mean([table[s][p]["seconds_per_step"] for s in scen])),
            "mean_par10": float(np.mean([table[s][p]["par10"] for s in scen])),
            "mean_unsolved": float(np.mean([table[s][p]["unsolved"] for s in scen])),
        }
    paper_here = [p for p in policies if p in PAPER_POLICIES]
    best_paper = min(paper_here, key=lambda p: agg[p]["mean_repar10"]) if paper_here else None

    width = max(8, max(len(p) for p in policies) + 1)
    print(f"rePAR10 per scenario ({shuffles} shuffles, seeds {args.first_seed}..{args.first_seed + shuffles - 1}; feature cost of all steps charged to every selector and to the oracle)")
    print(f"{'scenario':18s}" + "".join(f"{p:>{width}s}" for p in policies) + f"{'SBS(hindsight)':>16s}")
    for s in scen:
        print(f"{s:18s}" + "".join(f"{table[s][p]['repar10']:{width}.2f}" for p in policies) + f"{sbs[s]:16.2f}")
    sbs_values = np.array([sbs[s] for s in scen])
    for label, key, fmt, extra in (("mean", "mean_repar10", ".2f", f"{sbs_values.mean():16.2f}"),
                                   ("median", "median_repar10", ".2f", f"{np.median(sbs_values):16.2f}"),
                                   ("ms/step", "ms_per_step", ".3f", "")):
        print(f"{label:18s}" + "".join(f"{agg[p][key]:{width}{fmt}}" for p in policies) + extra)
    print(f"{'paper (26 scen.)':18s}" + "".join(f"{REFERENCE[p][0] if p in REFERENCE else float('nan'):{width}.2f}" for p in policies))
    print(f"{'paper s/step':18s}" + "".join(f"{REFERENCE[p][1] if p in REFERENCE else float('nan'):{width}.3f}" for p in policies))
    if best_paper is not None and RECOMMENDED_POLICY in agg:
        rec = agg[RECOMMENDED_POLICY]
        print(f"\nrecommended {RECOMMENDED_POLICY}: mean rePAR10 {rec['mean_repar10']:.2f} at {rec['ms_per_step']:.3f} ms/step; "
              f"best paper method here: {best_paper} {agg[best_paper]['mean_repar10']:.2f} "
              f"(ratio {rec['mean_repar10'] / agg[best_paper]['mean_repar10']:.3f})")

    out = Path(args.out) if args.out else REPO / "benchmarks" / "results" / ("online_selection_quick.json" if args.quick else "online_selection.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "benchmark": "online_selection",
        "shuffles": shuffles,
        "seeds": [args.first_seed, args.first_seed + shuffles - 1],
        "scenarios": scen,
        "policies": policies,
        "recommended": RECOMMENDED_POLICY,
        "best_paper_method_here": best_paper,
        "aggregate": agg,
        "sbs_hindsight_repar10": sbs,
        "per_scenario": table,
        "reference_paper": {p: {"repar10": v[0], "seconds_per_step": v[1]} for p, v in REFERENCE.items()},
        "protocol": "algoconf.selection.online_evaluate (all feature steps charged; unsolvable instances dropped)",
        "seconds": time.time() - started,
    }, indent=1))
    print(f"wrote {out}", file=sys.stderr)
    if args.plot:
        plot_regret(out, Path(args.plot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
