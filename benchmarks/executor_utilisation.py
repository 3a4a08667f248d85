"""Executor utilisation: how busy 2 workers are on a batch of CPU-bound minisat runs.

    python benchmarks/executor_utilisation.py            # 24 runs per batch, 2 rounds
    python benchmarks/executor_utilisation.py --quick    # 10 runs per batch, 1 round

The batch is default minisat on seeded uniform random 3-SAT instances with 225 variables (about
0.2-2 s CPU each, median ~0.6 s). The batch is submitted at once to ``LocalExecutor(n_workers=2)``;
side by side (alternating rounds) the same commands run through a bare
``ThreadPoolExecutor(2)`` + ``subprocess.run``. Reported per side:

* busy   = sum of per-run wall time / (2 x makespan): the share of worker time spent running a solver
  (goal >= 0.90; the rest is hand-off between runs and the idle tail of the last run);
* cpu    = sum of per-run CPU time / (2 x makespan): lower than busy when other processes share
  the CPUs (this machine is shared, so cpu measures the machine, busy measures the executor).

Writes benchmarks/results/executor_utilisation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from algoconf.benchmarking import source_commit
from algoconf.execution import LocalExecutor
from algoconf.instances.generators.ksat import random_ksat
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.targets import CommandTarget

RESULTS = Path(__file__).resolve().parent / "results"
WORKERS = 2


def executor_batch(minisat: str, instances: dict[str, Instance]) -> dict:
    target = CommandTarget([minisat, "-verb=0", "{instance}"], "-name=value", "sat")
    with LocalExecutor(target, instances, n_workers=WORKERS) as ex:
        t0 = time.monotonic()
        results = ex.map([RunRequest({}, name, 1, 60.0) for name in instances])
        makespan = time.monotonic() - t0
    assert all(r.status is Status.SUCCESS for r in results), [r.info for r in results if not r.status.solved]
    return {"makespan": makespan, "run_wall": sum(r.wallclock for r in results),
            "run_cpu": sum(r.runtime for r in results)}


def bare_batch(minisat: str, instances: dict[str, Instance]) -> dict:
    def one(inst: Instance) -> float:
        t = time.monotonic()
        subprocess.run([minisat, "-verb=0", str(inst.path)], capture_output=True)
        return time.monotonic() - t

    # RUSAGE_CHILDREN is fine here: nothing else of this process starts children during the batch
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ThreadPoolExecutor(WORKERS) as pool:
        t0 = time.monotonic()
        walls = list(pool.map(one, instances.values()))
        makespan = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"makespan": makespan, "run_wall": sum(walls), "run_cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    minisat = shutil.which("minisat")
    if minisat is None:
        raise SystemExit("minisat is not installed (apt-get install minisat)")
    n_runs, rounds = (10, 1) if args.quick else (24, 2)
    folder = Path(tempfile.mkdtemp(prefix="algoconf-util-"))
    paths = random_ksat(folder, n_runs, 11, variables=225)
    instances = {p.stem: Instance(p.stem, p) for p in paths}

    rows = []
    for r in range(rounds):
        order = [("LocalExecutor", executor_batch), ("ThreadPool+subprocess", bare_batch)]
        if r % 2:
            order.reverse()
        for name, batch in order:
            m = batch(minisat, instances)
            rows.append({"round": r, "method": name, "runs": n_runs, **m,
                         "busy": m["run_wall"] / (WORKERS * m["makespan"]),
                         "cpu_share": m["run_cpu"] / (WORKERS * m["makespan"])})
    print(f"{n_runs} default-minisat runs on u225 instances, {WORKERS} workers, {rounds} round(s), "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'round':>5}  {'method':<24}{'makespan s':>11}{'sum wall s':>11}{'sum cpu s':>10}{'busy':>7}{'cpu':>7}")
    for row in rows:
        print(f"{row['round']:>5}  {row['method']:<24}{row['makespan']:>11.2f}{row['run_wall']:>11.2f}"
              f"{row['run_cpu']:>10.2f}{row['busy']:>7.3f}{row['cpu_share']:>7.3f}")
    ours = [row["busy"] for row in rows if row["method"] == "LocalExecutor"]
    busy = sum(ours) / len(ours)
    print(f"goal: LocalExecutor busy >= 0.90 -> {busy:.3f} ({'met' if busy >= 0.90 else 'NOT met'})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "executor_utilisation.json").write_text(json.dumps(
        {"benchmark": "executor_utilisation", "commit": source_commit(), "quick": args.quick, "workers": WORKERS, "rows": rows,
         "busy": busy, "goal_busy": 0.90, "load_average": os.getloadavg()}, indent=2))


if __name__ == "__main__":
    main()
