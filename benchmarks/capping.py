"""Adaptive capping on vs off, same tuner, same seeds: CPU spent and the incumbent's test quality.

    python benchmarks/capping.py --part matrix --tuners random acband --workers 1 2 --seeds 20
    python benchmarks/capping.py --part matrix --tuners optuna --options capping=true --seeds 20
    python benchmarks/capping.py --part real --tuners random --budget 60 --workers 2 --seeds 2
    python benchmarks/capping.py --part real --tuners random --real-runs 60 --workers 2 --seeds 1
    python benchmarks/capping.py --quick          # one seed, random, matrix, 100 runs (smoke test)

* ``matrix``: the simulated minisat matrix (benchmarks/data/minisat_3sat_matrix.npz), half the
  instances for training, half for test, a run budget (``--runs``, default 300) or a CPU budget
  (``--cpu``); reported per seed: the returned row's test PAR10, the simulated CPU spent, the
  capped runs and the summary's upper bound of the CPU they saved.
* ``real``: ``python3 -m algoconf configure scenarios/minisat-3sat/scenario.yaml --tuner T
  --budget B --workers W --seed S --option capping=true|false --json`` (validation included);
  reported: runs, target CPU, the capping summary, default and incumbent test PAR10.

Each row pairs capping off and on for one seed. Writes benchmarks/results/capping.json (or
``--out``), with the git commit and the command.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from algoconf.benchmarking import source_commit  # noqa: E402

MATRIX = ROOT / "benchmarks" / "data" / "minisat_3sat_matrix.npz"
MINISAT = ROOT / "scenarios" / "minisat-3sat" / "scenario.yaml"
RESULTS = ROOT / "benchmarks" / "results"


def _options(items: list[str]) -> dict[str, Any]:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        out[name] = json.loads(value)
    return out


def matrix_run(tuner: str, seed: int, workers: int, runs: int, cpu: float | None,
               options: dict[str, Any]) -> dict[str, Any]:
    from algoconf.benchmarking.matrix_scenario import matrix_scenario
    from algoconf.scenario import Budget
    from algoconf.space import active_config
    from algoconf.run.session import open_session
    from algoconf.tuners.simulated import RuntimeMatrix, SimulatedExecutor

    matrix = RuntimeMatrix.load(MATRIX)
    train, test = matrix.split(matrix.shape[1] // 2, seed=0)
    scenario = matrix_scenario(MATRIX, matrix, train=train, test=test, name="matrix", root=ROOT / "benchmarks",
                               budget=Budget(runs=runs if cpu is None else 10**6, cpu_time=cpu), seed=seed)
    run_dir = Path(tempfile.mkdtemp(prefix="capping-"))
    try:
        with open_session(scenario, run_dir, tuner, seed=seed, workers=workers, progress=False,
                          executor=SimulatedExecutor(matrix.answer, n_workers=workers),
                          tuner_options=options) as session:
            outcome = session.run()
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    row = matrix.row_of(active_config(matrix.space, outcome.incumbent))
    return {"row": row, "test_par10": float(matrix.par(rows=row, columns=matrix.columns(test))),
            "runs": outcome.runs, "cpu": outcome.cpu_time, "capped_runs": outcome.capping.capped_runs,
            "cpu_saved_at_most": outcome.capping.cpu_saved_at_most}


def real_run(tuner: str, seed: int, workers: int, budget: float, options: dict[str, Any],
             runs: int | None = None) -> dict[str, Any]:
    run_dir = Path(tempfile.mkdtemp(prefix="capping-real-"))
    limit = ["--runs", str(runs)] if runs else ["--budget", str(budget)]
    argv = [sys.executable, "-m", "algoconf", "configure", str(MINISAT), "--tuner", tuner, *limit,
            "--workers", str(workers), "--seed", str(seed), "--out", str(run_dir / "run"), "--json"]
    for name, value in options.items():
        argv += ["--option", f"{name}={json.dumps(value)}"]
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                              env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            raise RuntimeError(f"configure failed ({done.returncode}): {done.stderr[-500:]}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return {"runs": data["runs"], "cpu": data["cpu_time"], "capped_runs": data["capping"]["capped_runs"],
            "cpu_saved_at_most": data["capping"]["cpu_saved_at_most"],
            "default_test_par10": data["default_test_par10"], "test_par10": data["incumbent_test_par10"],
            "incumbent_key": data["incumbent_key"]}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"seeds": len(rows)}
    for side in ("off", "on"):
        out[side] = {k: {"median": statistics.median(r[side][k] for r in rows),
                         "mean": statistics.fmean(r[side][k] for r in rows)}
                     for k in ("test_par10", "cpu", "capped_runs", "cpu_saved_at_most")}
    diff = [r["on"]["test_par10"] - r["off"]["test_par10"] for r in rows]
    out["test_par10_on_vs_off"] = {"better": sum(d < -1e-12 for d in diff), "worse": sum(d > 1e-12 for d in diff),
                                   "equal": sum(abs(d) <= 1e-12 for d in diff)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("matrix", "real"), default="matrix")
    parser.add_argument("--tuners", nargs="+", default=["random", "acband"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--cpu", type=float, default=None, help="matrix: a CPU budget instead of --runs")
    parser.add_argument("--budget", type=float, default=60.0, help="real: wall-clock seconds per run")
    parser.add_argument("--real-runs", type=int, default=None, help="real: a run budget instead of --budget")
    parser.add_argument("--options", nargs="*", default=[], help="tuner options for both sides, NAME=JSON")
    parser.add_argument("--out", type=Path, default=None, help="default benchmarks/results/capping.json")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.part, args.tuners, args.workers, args.seeds, args.runs = "matrix", ["random"], [1], 1, 100
    options = _options(args.options)
    results: dict[str, Any] = {"command": " ".join(sys.argv), "git_commit": source_commit(), "part": args.part,
                               "options": options, "rows": {}, "summary": {}}
    print(f"{'tuner':8s} {'w':>2s} {'seed':>4s} | {'test off':>8s} {'test on':>8s} | {'CPU off':>8s} {'CPU on':>8s} "
          f"| {'capped':>6s} {'saved <=':>8s}")
    for tuner in args.tuners:
        for workers in args.workers:
            rows = []
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                pair = {}
                for side, capping in (("off", False), ("on", True)):
                    opts = {**options, "capping": capping}
                    pair[side] = (matrix_run(tuner, seed, workers, args.runs, args.cpu, opts) if args.part == "matrix"
                                  else real_run(tuner, seed, workers, args.budget, opts, args.real_runs))
                pair["seed"] = seed
                rows.append(pair)
                print(f"{tuner:8s} {workers:2d} {seed:4d} | {pair['off']['test_par10']:8.3f} {pair['on']['test_par10']:8.3f} "
                      f"| {pair['off']['cpu']:8.1f} {pair['on']['cpu']:8.1f} | {pair['on']['capped_runs']:6d} "
                      f"{pair['on']['cpu_saved_at_most']:8.1f}", flush=True)
            key = f"{tuner}/w{workers}"
            results["rows"][key] = rows
            results["summary"][key] = s = summarise(rows)
            print(f"{key}: test PAR10 median {s['off']['test_par10']['median']:.3f} -> {s['on']['test_par10']['median']:.3f} "
                  f"(on vs off: {s['test_par10_on_vs_off']}), CPU mean {s['off']['cpu']['mean']:.1f} -> "
                  f"{s['on']['cpu']['mean']:.1f} s", flush=True)
    out = args.out or (None if args.quick else RESULTS / "capping.json")  # --quick writes only to --out
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
