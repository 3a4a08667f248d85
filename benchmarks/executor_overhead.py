"""Executor overhead: LocalExecutor vs a bare ``subprocess.run`` of the same minisat command.

    python benchmarks/executor_overhead.py            # 200 interleaved pairs per mode
    python benchmarks/executor_overhead.py --quick    # 40 pairs

Both sides run minisat on the same tiny CNF (100 variables, a few ms), one run at a time,
interleaved (each round runs every method once, in a random order) so that machine load hits all
alike. The
executor side is ``LocalExecutor.submit(request).result()`` (thread hand-off, process group,
CPU-limit polling, rlimit, output capture and answer parsing included); ``run_limited`` alone is
measured too. Reported: median, mean, min and p90 wall time per run and the ratios executor/bare of
the medians (the goal, <= 1.10) and of the minima (the cost on an idle machine).
Writes benchmarks/results/executor_overhead.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from algoconf.benchmarking import source_commit
from algoconf.execution import LocalExecutor, run_limited
from algoconf.instances.generators.ksat import random_ksat
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.targets import CommandTarget, PythonTarget
from algoconf.testing.executors import square_root_cost

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pairs", type=int, default=None)
    parser.add_argument("--no-dask", action="store_true", help="skip the DaskExecutor latency rows")
    args = parser.parse_args()
    minisat = shutil.which("minisat")
    if minisat is None:
        raise SystemExit("minisat is not installed (apt-get install minisat)")
    pairs = args.pairs or (40 if args.quick else 200)
    folder = Path(tempfile.mkdtemp(prefix="algoconf-overhead-"))
    path = random_ksat(folder, 1, 7, variables=100)[0]
    instance = Instance("tiny", path)
    command = [minisat, "-verb=0", str(path)]
    target = CommandTarget([minisat, "-verb=0", "{instance}"], "-name=value", "sat")
    env = dict(os.environ)

    samples: dict[str, list[float]] = {"bare subprocess.run": [], "run_limited": [], "LocalExecutor cpu": [],
                                       "LocalExecutor wall": []}
    with LocalExecutor(target, {"tiny": instance}, n_workers=1, time_kind="cpu") as cpu_ex, \
            LocalExecutor(target, {"tiny": instance}, n_workers=1, time_kind="wall") as wall_ex:
        request = RunRequest({}, "tiny", 1, 10.0)
        for ex in (cpu_ex, wall_ex):  # warm-up
            assert ex.submit(request).result().status is Status.SUCCESS
        def bare() -> None:
            assert subprocess.run(command, capture_output=True, env=env).returncode in (10, 20)

        def limited() -> None:
            assert run_limited(command, time_limit=10.0, env=env).exit_code in (10, 20)

        def through(ex: LocalExecutor):
            def run() -> None:
                result = ex.submit(request).result()
                assert result.status is Status.SUCCESS, result.info
            return run

        methods = {"bare subprocess.run": bare, "run_limited": limited,
                   "LocalExecutor cpu": through(cpu_ex), "LocalExecutor wall": through(wall_ex)}
        rng = random.Random(0)
        for _ in range(pairs):
            order = list(methods)
            rng.shuffle(order)  # interleaved in a random order per round: load bursts hit all alike
            for name in order:
                t = time.perf_counter()
                methods[name]()
                samples[name].append(time.perf_counter() - t)

    python_rows = python_target_overhead(max(10, pairs // 4))
    dask_rows = dask_overhead(target, {"tiny": instance}, max(10, pairs // 4)) if not args.no_dask else []
    base = statistics.median(samples["bare subprocess.run"])
    base_min = min(samples["bare subprocess.run"])
    rows = []
    for name, values in samples.items():
        med = statistics.median(values)
        rows.append({"method": name, "median_ms": 1000 * med, "mean_ms": 1000 * statistics.fmean(values),
                     "min_ms": 1000 * min(values), "p90_ms": 1000 * sorted(values)[int(0.9 * (len(values) - 1))],
                     "ratio_to_bare_median": med / base, "ratio_to_bare_min": min(values) / base_min})
    print(f"minisat on a 100-variable CNF, {pairs} interleaved runs per method (wall time per run)")
    print(f"{'method':<22}{'median ms':>10}{'mean ms':>10}{'min ms':>9}{'p90 ms':>9}{'ratio med':>10}{'ratio min':>10}")
    for r in rows:
        print(f"{r['method']:<22}{r['median_ms']:>10.2f}{r['mean_ms']:>10.2f}{r['min_ms']:>9.2f}{r['p90_ms']:>9.2f}"
              f"{r['ratio_to_bare_median']:>10.3f}{r['ratio_to_bare_min']:>10.3f}")
    ratio = next(r["ratio_to_bare_median"] for r in rows if r["method"] == "LocalExecutor cpu")
    print(f"goal: LocalExecutor/bare <= 1.10 -> {ratio:.3f} ({'met' if ratio <= 1.10 else 'NOT met'})")
    print()
    print(f"PythonTarget, a trivial callable, {python_rows[0]['runs']} interleaved runs per mode")
    print(f"{'mode':<28}{'median ms':>10}{'median cpu ms':>15}")
    for r in python_rows:
        print(f"{r['mode']:<28}{r['median_ms']:>10.2f}{r['median_cpu_ms']:>15.2f}")
    if dask_rows:
        print()
        print(f"the same minisat run, one at a time, {dask_rows[0]['runs']} interleaved runs per executor")
        print(f"{'executor':<40}{'median ms':>10}{'min ms':>9}")
        for r in dask_rows:
            print(f"{r['executor']:<40}{r['median_ms']:>10.2f}{r['min_ms']:>9.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "executor_overhead.json").write_text(json.dumps(
        {"benchmark": "executor_overhead", "commit": source_commit(), "quick": args.quick, "pairs": pairs, "rows": rows,
         "goal_ratio": 1.10, "ratio": ratio, "python_target": python_rows, "dask": dask_rows,
         "load_average": os.getloadavg()}, indent=2))


def dask_overhead(target: CommandTarget, instances: dict, runs: int) -> list[dict]:
    """Per-run latency of DaskExecutor (LocalCluster, 1 worker process) vs LocalExecutor, one run at a time."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        print("dask.distributed is not installed: no Dask rows")
        return []
    from algoconf.execution.dask import DaskExecutor

    request = RunRequest({}, "tiny", 1, 10.0)
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    walls: dict[str, list[float]] = {"LocalExecutor": [], "DaskExecutor (LocalCluster, processes)": []}
    try:
        with LocalExecutor(target, instances, n_workers=1) as local, DaskExecutor(client, target, instances) as remote:
            executors = {"LocalExecutor": local, "DaskExecutor (LocalCluster, processes)": remote}
            for ex in executors.values():
                assert ex.submit(request).result().status is Status.SUCCESS  # warm-up
            for _ in range(runs):
                for name, ex in executors.items():
                    t = time.perf_counter()
                    assert ex.submit(request).result().status is Status.SUCCESS
                    walls[name].append(time.perf_counter() - t)
    finally:
        client.close()
        cluster.close()
    return [{"executor": k, "runs": runs, "median_ms": 1000 * statistics.median(v), "min_ms": 1000 * min(v)}
            for k, v in walls.items()]


def python_target_overhead(runs: int) -> list[dict]:
    """Wall time per run of a trivial PythonTarget: reused child vs a fresh interpreter per run."""
    instances = {"none": Instance("none", None)}
    request = RunRequest({"x": 2.0}, "none", 1, 10.0)
    walls: dict[str, list[float]] = {"reuse=True (default)": [], "reuse=False (fresh process)": []}
    cpus: dict[str, list[float]] = {k: [] for k in walls}
    with LocalExecutor(PythonTarget(square_root_cost, reuse=False), instances, n_workers=1) as fresh, \
            LocalExecutor(PythonTarget(square_root_cost), instances, n_workers=1) as reused:
        executors = {"reuse=True (default)": reused, "reuse=False (fresh process)": fresh}
        reused.submit(request).result()  # start the reused child outside the measurement
        for _ in range(runs):
            for mode, ex in executors.items():
                t = time.perf_counter()
                result = ex.submit(request).result()
                walls[mode].append(time.perf_counter() - t)
                assert result.status is Status.SUCCESS and result.quality == 2.0 ** 0.5, result.info
                cpus[mode].append(result.runtime)
    return [{"mode": m, "runs": runs, "median_ms": 1000 * statistics.median(walls[m]),
             "median_cpu_ms": 1000 * statistics.median(cpus[m])} for m in walls]



if __name__ == "__main__":
    main()
