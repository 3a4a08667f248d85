"""Functional-equivalence caching on real solvers: how often it fires and the target CPU it saves.

    python benchmarks/equivalence_cache.py                       # the default grid (see --pairs)
    python benchmarks/equivalence_cache.py --quick               # one short minisat pair of 6 runs (smoke run)
    python benchmarks/equivalence_cache.py --pairs minisat-3sat:smac:150 --seeds 1 2

Each row is one pair of ``algoconf configure SCENARIO --tuner T --runs N --seed S --no-validate
--guard-pairs 0 --json`` runs, without and with ``--equivalence-cache``, same seed, one worker each,
the two side by side (target CPU time is measured per process, so running them at once changes
their wall time, not their CPU figures).
Reported per row, from the run with the cache: results shared (fire rate = shared / runs),
configurations probed, classes with several configurations, probe cost, the runtime of the shared
results (the target CPU their runs would have cost), net CPU saved = that runtime - probe cost; and
the target CPU of both runs (the two trajectories differ as soon as a shared result's runtime differs
from what a real run would have measured, so the CPU difference between the two runs is noisy; the
net figure is the accounting of one run). ``--part proposals`` measures the same on a tuner's proposal stream at a scale the loaded machine
allows: the tuner runs on ``scenarios/minisat-3sat-matrix`` simulated from its runtime matrix (a
nearest-row surrogate answers any configuration; minisat's space), then every configuration it
proposed is probed with the real minisat probe, in the order it was first recorded, and a recorded
result counts as *shareable* when an earlier real result of an equivalent configuration on the same
instance and seed exists (the engine's rule; censoring aside). Reported: configurations, probes,
classes with several configurations, shareable results (fire rate) and their matrix runtime against
the real probe cost.

Each finished row is appended to the JSON at once
(``benchmarks/results/equivalence_cache.json``, with the git commit), so an interrupted benchmark
continues where it stopped; rows already there are skipped.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the package of this tree: the one its configure runs use

from algoconf.benchmarking import source_commit, write_json  # noqa: E402
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_PAIRS = ("minisat-3sat:smac:60", "cadical-3sat:smac:40", "minisat-3sat:random:60")


def configure(scenario: Path, tuner: str, runs: int, seed: int, cache: bool) -> dict[str, Any]:
    run_dir = Path(tempfile.mkdtemp(prefix="equivalence-bench-"))
    argv = [sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", tuner, "--runs", str(runs),
            "--seed", str(seed), "--no-validate", "--guard-pairs", "0", "--json", "--out", str(run_dir / "run"),
            "--equivalence-cache" if cache else "--no-equivalence-cache"]
    t0 = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            raise RuntimeError(f"configure failed ({done.returncode}): {done.stderr[-800:]}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return {"runs": data["runs"], "cpu": data["cpu_time"], "wall": time.monotonic() - t0,
            "incumbent_train_cost": data["incumbent_train_cost"], "stop_reason": data["stop_reason"],
            "equivalence": data.get("equivalence")}


MATRIX_SCENARIO = ROOT / "scenarios" / "minisat-3sat-matrix" / "scenario.yaml"
MATRIX = ROOT / "benchmarks" / "data" / "minisat_3sat_matrix_large.npz"


def proposals(tuner: str, runs: int, seed: int) -> dict[str, Any]:
    """A simulated run's proposals probed with the real minisat probe (module docstring)."""
    from algoconf.execution.equivalence import EquivalenceCache
    from algoconf.history import RunHistory
    from algoconf.history.memory import MemoryHistory
    from algoconf.runners import get_runner

    run_dir = Path(tempfile.mkdtemp(prefix="equivalence-proposals-"))
    argv = [sys.executable, "-m", "algoconf", "configure", str(MATRIX_SCENARIO), "--tuner", tuner, "--simulate",
            str(MATRIX), "--caller-time", "free", "--runs", str(runs), "--seed", str(seed), "--no-validate",
            "--guard-pairs", "0", "--json", "--out", str(run_dir / "run")]
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            raise RuntimeError(f"configure failed ({done.returncode}): {done.stderr[-800:]}")
        with RunHistory.open(run_dir / "run") as history:
            configs = history.configs()
            results = list(history)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    cache = EquivalenceCache(get_runner("minisat").target().behaviour_probe(), MemoryHistory())
    digest = {key: cache.digest(config, key)[0] for key, config in configs.items()}
    seen: dict[tuple[str | None, str, int], str] = {}
    shareable, shareable_runtime = 0, 0.0
    for r in results:
        d = digest[r.request.config_key]
        pair = (d, r.request.instance, int(r.request.seed))
        if d is not None and pair in seen and seen[pair] != r.request.config_key:
            shareable += 1
            shareable_runtime += r.runtime
        else:
            seen.setdefault(pair, r.request.config_key)
    stats = cache.stats()
    return {"runs": len(results), "configs": len(configs), "probes_run": stats.probes_run,
            "probes_reused": stats.probes_reused, "probe_cost": stats.probe_cost,
            "classes_with_several_configs": stats.classes_shared,
            "configs_with_an_earlier_twin": len(configs) - len({d for d in digest.values()}),
            "shareable": shareable, "shareable_runtime": shareable_runtime,
            "net_saved": shareable_runtime - stats.probe_cost}


def load(path: Path) -> dict[str, Any]:
    if path.exists():
        return json.loads(path.read_text())
    return {"rows": []}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in rows:
        key = f"{row['scenario']}/{row['tuner']}"
        s = out.setdefault(key, {"rows": 0, "runs": 0, "shared": 0, "probe_cost": 0.0, "shared_runtime": 0.0,
                                 "cpu_off": 0.0, "cpu_on": 0.0})
        eq = row["on"]["equivalence"]
        s["rows"] += 1
        s["runs"] += row["on"]["runs"]
        s["shared"] += eq["shared"]
        s["probe_cost"] += eq["probe_cost"]
        s["shared_runtime"] += eq["shared_runtime"]
        s["cpu_off"] += row["off"]["cpu"]
        s["cpu_on"] += row["on"]["cpu"]
    for s in out.values():
        s["fire_rate"] = s["shared"] / s["runs"] if s["runs"] else 0.0
        s["net_saved"] = s["shared_runtime"] - s["probe_cost"]
        s["net_saved_share_of_cpu"] = s["net_saved"] / s["cpu_on"] if s["cpu_on"] else 0.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("real", "proposals"), default="real")
    parser.add_argument("--pairs", nargs="+", default=list(DEFAULT_PAIRS), metavar="SCENARIO:TUNER:RUNS")
    parser.add_argument("--tuners", nargs="+", default=["random", "smac", "acband", "optuna"], help="proposals part")
    parser.add_argument("--runs", type=int, default=400, help="proposals part: simulated runs per tuner")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--out", type=Path, default=None, help="default benchmarks/results/equivalence_cache.json")
    parser.add_argument("--quick", action="store_true", help="one minisat-3sat random pair of 6 runs; writes only to --out")
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.seeds = ["minisat-3sat:random:6"], [1]
    out = args.out or (None if args.quick else RESULTS / "equivalence_cache.json")
    results = load(out) if out is not None else {"rows": []}
    results.setdefault("runs_of", []).append({"command": " ".join(sys.argv), "git_commit": source_commit(),
                                              "started": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())})
    if args.part == "proposals":
        rows = results.setdefault("proposals", [])
        print(f"{'tuner':7s} {'seed':>4s} {'runs':>5s} {'configs':>7s} {'twins':>5s} {'classes':>7s} | "
              f"{'shareable':>9s} {'fire':>6s} {'runtime s':>9s} {'probe s':>7s} {'net s':>7s}")
        for tuner in args.tuners:
            for seed in args.seeds:
                if any(r["tuner"] == tuner and r["seed"] == seed and r["runs_budget"] == args.runs for r in rows):
                    continue
                row = {"tuner": tuner, "seed": seed, "runs_budget": args.runs, "git_commit": source_commit(),
                       "load_average": os.getloadavg()[0], **proposals(tuner, args.runs, seed)}
                rows.append(row)
                print(f"{tuner:7s} {seed:4d} {row['runs']:5d} {row['configs']:7d} {row['configs_with_an_earlier_twin']:5d} "
                      f"{row['classes_with_several_configs']:7d} | {row['shareable']:9d} "
                      f"{row['shareable'] / max(1, row['runs']):6.1%} {row['shareable_runtime']:9.1f} "
                      f"{row['probe_cost']:7.1f} {row['net_saved']:7.1f}", flush=True)
                if out is not None:
                    out.parent.mkdir(parents=True, exist_ok=True)
                    write_json(out, results)
        return
    done = {(r["scenario"], r["tuner"], r["runs_budget"], r["seed"]) for r in results["rows"]}
    print(f"{'scenario':14s} {'tuner':7s} {'seed':>4s} {'runs':>5s} | {'shared':>6s} {'fire':>6s} {'classes':>7s} "
          f"{'probes':>6s} {'probe s':>7s} {'saved s':>7s} {'net s':>7s} | {'CPU off':>7s} {'CPU on':>7s}")
    for pair in args.pairs:
        scenario_name, tuner, runs = pair.split(":")
        scenario = ROOT / "scenarios" / scenario_name / "scenario.yaml"
        for seed in args.seeds:
            if (scenario_name, tuner, int(runs), seed) in done:
                continue
            load_before = os.getloadavg()[0]
            with cf.ThreadPoolExecutor(2) as pool:
                off, on = (pool.submit(configure, scenario, tuner, int(runs), seed, cache) for cache in (False, True))
                row = {"scenario": scenario_name, "tuner": tuner, "runs_budget": int(runs), "seed": seed,
                       "git_commit": source_commit(), "load_average": [load_before, os.getloadavg()[0]],
                       "off": off.result(), "on": on.result()}
            eq = row["on"]["equivalence"]
            print(f"{scenario_name:14s} {tuner:7s} {seed:4d} {row['on']['runs']:5d} | {eq['shared']:6d} "
                  f"{eq['shared'] / max(1, row['on']['runs']):6.1%} {eq['classes_with_several_configs']:7d} "
                  f"{eq['probes_run']:6d} {eq['probe_cost']:7.1f} {eq['shared_runtime']:7.1f} {eq['net_saved']:7.1f} | "
                  f"{row['off']['cpu']:7.1f} {row['on']['cpu']:7.1f}", flush=True)
            results["rows"].append(row)
            results["summary"] = summarise(results["rows"])
            if out is not None:  # each finished row at once: an interrupted benchmark continues
                out.parent.mkdir(parents=True, exist_ok=True)
                write_json(out, results)
    for key, s in summarise(results["rows"]).items():
        print(f"{key}: {s['rows']} rows, fire rate {s['fire_rate']:.1%}, net saved {s['net_saved']:.1f} s "
              f"({s['net_saved_share_of_cpu']:.1%} of the target CPU with the cache)")
    if out is not None:
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
