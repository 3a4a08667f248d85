"""How much of the recommended selector's figure is selection bias: choose on half, report on the other half.

The recommended selector (and the rules inside it) were chosen among ~two dozen variants measured
on the same 14 ASlib scenarios, so its mean gap closed over all 14 flatters it. This replays that
choice honestly from the per-scenario results already measured (``benchmarks/results/selection.json``):
for every split of the scenarios into two halves of 7 (all 3432 of them), the variant with the best
mean gap closed on one half is chosen and reported on the other half. Runs of one configuration
with several seeds (``stack``, ``stack-seed1``...) are one variant (the mean over its seeds per
scenario). Variants measured on fewer than all scenarios are left out.

    python benchmarks/selection_holdout.py [--results benchmarks/results/selection.json] [--column charged|free]

Prints and writes ``benchmarks/results/selection_holdout.json``: per column, the held-out mean gap
of the choice (mean over splits, with its 5-95 % range), how often each variant is chosen, and the
all-14 figure of the recommended selector next to it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from algoconf.benchmarking import source_commit

REPO = Path(__file__).resolve().parents[1]


def variant_gaps(results: dict, column: str) -> tuple[list[str], list[str], np.ndarray]:
    """(variants, scenarios, gaps (variants, scenarios)) with seed rows averaged into their variant."""
    scenarios = sorted(results["scenarios"])
    per: dict[str, dict[str, list[float]]] = {}
    for name in scenarios:
        for sel, row in results["scenarios"][name]["selectors"].items():
            gap = row.get(f"gap_{column}")
            if gap is None:
                continue
            base = re.sub(r"-seed\d+$", "", sel)
            per.setdefault(base, {}).setdefault(name, []).append(float(gap))
    variants = sorted(v for v, rows in per.items() if all(s in rows for s in scenarios))
    gaps = np.array([[np.mean(per[v][s]) for s in scenarios] for v in variants])
    return variants, scenarios, gaps


def holdout(variants: list[str], gaps: np.ndarray, recommended: str) -> dict:
    n = gaps.shape[1]
    held, chosen, rec_held = [], Counter(), []
    for half in itertools.combinations(range(n), n // 2):
        a = np.zeros(n, dtype=bool)
        a[list(half)] = True
        pick = int(np.argmax(gaps[:, a].mean(axis=1)))
        chosen[variants[pick]] += 1
        held.append(float(gaps[pick, ~a].mean()))
        rec_held.append(float(gaps[variants.index(recommended), ~a].mean()))
    held_arr = np.array(held)
    all14 = gaps.mean(axis=1)
    best_all = int(np.argmax(all14))
    return {
        "splits": len(held),
        "heldout_gap_of_choice_mean": float(held_arr.mean()),
        "heldout_gap_of_choice_p5_p95": [float(np.percentile(held_arr, 5)), float(np.percentile(held_arr, 95))],
        "chosen_counts": dict(chosen.most_common()),
        "best_on_all_14": {"variant": variants[best_all], "gap": float(all14[best_all])},
        "recommended": {"variant": recommended, "gap_all_14": float(all14[variants.index(recommended)]),
                        "gap_heldout_mean": float(np.mean(rec_held))},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results" / "selection.json")
    ap.add_argument("--recommended", default="stack")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "selection_holdout.json")
    args = ap.parse_args(argv)
    if not args.results.exists():
        print(f"no such result file: {args.results}", file=sys.stderr)
        return 2
    results = json.loads(args.results.read_text())
    out: dict = {"results": str(args.results.relative_to(REPO) if args.results.is_relative_to(REPO) else args.results)}
    out["commit"] = source_commit()
    for column in ("charged", "free"):
        variants, scenarios, gaps = variant_gaps(results, column)
        if args.recommended not in variants:
            print(f"{args.recommended} is not measured on every scenario", file=sys.stderr)
            return 2
        r = holdout(variants, gaps, args.recommended)
        r["variants"] = variants
        r["scenarios"] = scenarios
        out[column] = r
        lo, hi = r["heldout_gap_of_choice_p5_p95"]
        print(f"feature cost {column}: {len(variants)} variants, {len(scenarios)} scenarios, {r['splits']} splits into halves")
        print(f"  best variant on all 14: {r['best_on_all_14']['variant']} {r['best_on_all_14']['gap']:.3f}")
        print(f"  chosen on one half, reported on the other: mean {r['heldout_gap_of_choice_mean']:.3f} (5-95 %: {lo:.3f}..{hi:.3f})")
        print(f"  recommended {args.recommended}: all 14 {r['recommended']['gap_all_14']:.3f}, "
              f"mean over held-out halves {r['recommended']['gap_heldout_mean']:.3f}")
        print("  chosen how often: " + ", ".join(f"{k} {v}" for k, v in list(r["chosen_counts"].items())[:8]))
    args.out.write_text(json.dumps(out, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
