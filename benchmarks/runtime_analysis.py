"""Runtime-distribution benchmark: predicted vs observed parallel speed-up on a real solver, and
utility-based vs PAR10 rankings of ASlib solvers.

    python benchmarks/runtime_analysis.py            # full (several minutes)
    python benchmarks/runtime_analysis.py --quick    # smoke run

Part 1 runs minisat with random decisions (``rnd-freq`` > 0, a different seed per run) many times on
the same generated 3-SAT instances through algoconf's executor (cutoff enforced, CPU time from the
kernel), fits the sequential RTD (censoring-aware, best family by AIC), and predicts E[min of k
runs]. Observed: k = 2 by real parallel runs on this machine's two cores (both started together,
the parallel runtime is the smaller CPU time), larger k by resampling the measured sequential runs.
Part 2 ranks each ASlib scenario's solvers by PAR10 and by expected utility under a uniform
captime on [cutoff/100, cutoff] (the maximum-entropy captime distribution when only those bounds
are known) with constant value, and reports where the rankings differ.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from scipy import stats

from algoconf.analysis.rtd import fit_best_rtd
from algoconf.analysis.speedup import predict_speedup, simulate_parallel
from algoconf.benchmarking import source_commit
from algoconf.benchmarking.reference_data import ASLIB_ENV, aslib_root
from algoconf.censored.utility import ConstantValue, UniformCaptime, Utility, expected_utility

RESULTS = Path(__file__).resolve().parent / "results"


def speedup_part(quick: bool) -> dict:
    from algoconf.execution.local import LocalExecutor
    from algoconf.instances.generators.ksat import random_ksat
    from algoconf.instances import Instance
    from algoconf.records import RunRequest
    from algoconf.runners import get_runner

    runner = get_runner("minisat")
    if not runner.available():
        return {"skipped": runner.missing()}
    n_seq, n_pairs, cutoff = (12, 4, 5.0) if quick else (60, 20, 10.0)
    config = {"rnd-freq": 0.1, "rnd-init": True}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = random_ksat(Path(tmp), 1 if quick else 3, 42, variables=200 if quick else 225)
        instances = {p.name: Instance(p.name, p) for p in paths}
        with LocalExecutor(runner.target(), instances, n_workers=1) as seq_ex:
            for name in instances:
                seq = [f.result() for f in [seq_ex.submit(RunRequest(config, name, s, cutoff)) for s in range(n_seq)]]
                t = np.array([r.runtime for r in seq])
                c = np.array([r.censored for r in seq])
                choice = fit_best_rtd(t, c)
                ks = [1, 2, 4, 8, 16]
                pred = {p.k: p for p in predict_speedup(choice.best, ks)}
                rng = np.random.default_rng(0)
                base_obs = simulate_parallel(t, c, 1, rng=rng)
                sim = {k: simulate_parallel(t, c, k, rng=rng) for k in ks}
                # real parallel pairs: two runs with fresh seeds started together on two workers
                with LocalExecutor(runner.target(), instances, n_workers=2) as par_ex:
                    pairs = []
                    for i in range(n_pairs):
                        fa = par_ex.submit(RunRequest(config, name, 10_000 + 2 * i, cutoff))
                        fb = par_ex.submit(RunRequest(config, name, 10_001 + 2 * i, cutoff))
                        a, b = fa.result(), fb.result()
                        pairs.append(min(a.runtime, b.runtime))
                real2 = float(np.mean(pairs))
                out.append(
                    {
                        "instance": name,
                        "sequential_runs": n_seq,
                        "censored": int(c.sum()),
                        "family": choice.best.family,
                        "params": dict(choice.best.params),
                        "ks_distance": choice.best.ks,
                        "mean_observed": base_obs.value,
                        "rows": [
                            {
                                "k": k,
                                "predicted_runtime": pred[k].expected_runtime,
                                "predicted_speedup": pred[k].speedup,
                                "simulated_runtime": sim[k].value,
                                "simulated_speedup": base_obs.value / sim[k].value,
                                "simulated_exact": sim[k].exact,
                                "real_runtime": real2 if k == 2 else None,
                                "real_speedup": base_obs.value / real2 if k == 2 else None,
                            }
                            for k in ks
                        ],
                    }
                )
    return {"solver": "minisat", "config": config, "cutoff": cutoff, "instances": out}


def ranking_part(quick: bool) -> dict:
    from algoconf.selection.data.aslib import load_aslib

    aslib = aslib_root()
    if aslib is None:
        return {"skipped": f"ASlib data not found (set {ASLIB_ENV})"}
    names = ["SAT11-HAND", "QBF-2011"] if quick else ["SAT11-HAND", "SAT11-INDU", "SAT11-RAND", "QBF-2011", "CSP-2010", "ASP-POTASSCO", "MAXSAT12-PMS"]
    rows = []
    for name in names:
        sc = load_aslib(aslib / name)
        cutoff = sc.cutoff
        par10 = sc.par10().mean(axis=0)
        utility = Utility(ConstantValue(), UniformCaptime(cutoff / 100, cutoff))
        scores = []
        for a in range(len(sc.algorithms)):
            solved = sc.solved[:, a]
            t = np.where(solved, np.minimum(sc.performance[:, a], cutoff), cutoff)
            scores.append(expected_utility(t, ~solved, utility).value)
        scores = np.array(scores)
        by_par10 = [sc.algorithms[i] for i in np.argsort(par10, kind="stable")]
        by_utility = [sc.algorithms[i] for i in np.argsort(-scores, kind="stable")]
        tau = stats.kendalltau(par10, -scores).statistic
        rows.append(
            {
                "scenario": name,
                "algorithms": len(sc.algorithms),
                "kendall_tau": float(tau),
                "top3_par10": by_par10[:3],
                "top3_utility": by_utility[:3],
                "best_differs": by_par10[0] != by_utility[0],
            }
        )
    return {"utility": "constant value, captime ~ Uniform[cutoff/100, cutoff]", "scenarios": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS / "runtime_analysis.json")
    args = ap.parse_args()
    report = {"quick": args.quick, "speedup": speedup_part(args.quick), "ranking": ranking_part(args.quick)}
    sp = report["speedup"]
    if "skipped" in sp:
        print("speed-up part skipped:", sp["skipped"])
    else:
        for inst in sp["instances"]:
            print(f"\n{inst['instance']}: {inst['family']} fit (KS {inst['ks_distance']:.3f}), {inst['sequential_runs']} runs, {inst['censored']} censored")
            print(f"  {'k':>3} {'pred E[T_k]':>12} {'pred speedup':>13} {'sim speedup':>12} {'real speedup':>13}")
            for r in inst["rows"]:
                real = f"{r['real_speedup']:.2f}" if r["real_speedup"] is not None else "-"
                print(f"  {r['k']:>3} {r['predicted_runtime']:>12.3f} {r['predicted_speedup']:>13.2f} {r['simulated_speedup']:>12.2f} {real:>13}")
    rk = report["ranking"]
    if "skipped" in rk:
        print("ranking part skipped:", rk["skipped"])
    else:
        print(f"\nutility ({rk['utility']}) vs PAR10 rankings")
        for r in rk["scenarios"]:
            print(f"  {r['scenario']:<14} tau={r['kendall_tau']:.2f}  PAR10 top3={r['top3_par10']}  utility top3={r['top3_utility']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"commit": source_commit(), **report}, indent=2, default=float))
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
