"""algoconf's tuners vs native SMAC3, side by side, on a runtime matrix and on real minisat runs.

Two parts, same protocol for every contender (same scenario, same budget, same workers, same seeds):

* ``matrix`` — the runtime matrix of benchmarks/data/minisat_3sat_matrix.npz (real minisat CPU
  times, censored at its cutoff). Instances are split in half (train/test); every contender gets
  the same run budget; runs are answered from the matrix (configurations off the matrix by their
  nearest row). Reported: test PAR10 of the returned configuration, regret against the best row of
  the matrix on the test half (the limit), simulated target CPU spent, and tuner overhead per
  proposal (wall time of the tuner's own ask/tell work per run; runs cost nothing here).
* ``minisat`` — the ``scenarios/minisat-3sat`` scenario with real minisat runs, a wall-clock budget
  per contender and 2 workers; the returned configuration is validated on the scenario's test
  instances with the same fresh seeds for all.

Native SMAC3 uses its own AlgorithmConfigurationFacade and its own target-function runner (on the
matrix: a function answering from the matrix; on minisat: a function making the same limited
minisat run algoconf makes, so the solver call is identical), with ``n_workers`` workers.

    python benchmarks/ac_tuners.py --quick          # 1 seed, small budgets
    python benchmarks/ac_tuners.py --part matrix --seeds 5 --matrix-runs 600
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from algoconf.records import RunRequest, Status  # noqa: E402
from algoconf.tuners import TUNERS, get_tuner  # noqa: E402

MATRIX = ROOT / "benchmarks" / "data" / "minisat_3sat_matrix.npz"
OURS = ("acband", "random", "smac", "optuna")


# --- matrix part ------------------------------------------------------------------------------------
def matrix_scenario(matrix: Any, train: list[str], test: list[str], runs: int, seed: int):
    from algoconf.instances import InstanceSet
    from algoconf.scenario import Budget, Scenario, TargetSpec

    return Scenario(
        name="minisat-matrix", root=ROOT / "benchmarks",
        target=TargetSpec(kind="python", callable="algoconf.tuners.simulated:matrix_target",
                          env={"ALGOCONF_MATRIX": str(MATRIX)}),
        space=matrix.space, train=InstanceSet.from_names(train), test=InstanceSet.from_names(test),
        objective="runtime", cutoff=matrix.cutoff, par_factor=10.0, budget=Budget(runs=runs),
        deterministic=True, seed=seed, max_failure_rate=None,
    )


def run_ours_matrix(name: str, matrix: Any, scenario: Any, seed: int, workers: int) -> dict[str, Any]:
    from algoconf.tuners.session import open_session
    from algoconf.tuners.simulated import SimulatedExecutor

    run_dir = Path(tempfile.mkdtemp(prefix=f"acb-{name}-"))
    try:
        executor = SimulatedExecutor(matrix.answer, n_workers=workers)
        t0 = time.perf_counter()
        with open_session(scenario, run_dir, name, seed=seed, workers=workers, progress=False,
                          executor=executor) as session:
            outcome = session.run()
        wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return {"config": outcome.incumbent, "runs": outcome.runs, "cpu": outcome.cpu_time,
            "overhead_ms": 1000 * wall / max(1, outcome.runs), "ask_ms": 1000 * outcome.overhead_per_ask,
            "tuner_ms": 1000 * outcome.tuner_time_per_run}


def run_native_smac_matrix(matrix: Any, scenario: Any, seed: int, workers: int) -> dict[str, Any]:
    from smac import AlgorithmConfigurationFacade, Scenario as SmacScenario

    train = list(scenario.train.names)
    spent = {"cpu": 0.0, "runs": 0}

    def target(config, instance: str, seed: int = 0) -> float:
        result = matrix.answer(RunRequest(dict(config), instance, int(seed), matrix.cutoff))
        spent["cpu"] += result.runtime
        spent["runs"] += 1
        return result.runtime if result.status is Status.SUCCESS else 10 * matrix.cutoff

    out = tempfile.mkdtemp(prefix="native-smac-")
    try:
        sc = SmacScenario(matrix.space, output_directory=out, deterministic=True, n_trials=scenario.budget.runs,
                          instances=train, instance_features={n: [float(i)] for i, n in enumerate(train)},
                          seed=seed, n_workers=1)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smac = AlgorithmConfigurationFacade(sc, target, overwrite=True, logging_level=40)
            inc = smac.optimize()
        wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"config": dict(inc), "runs": spent["runs"], "cpu": spent["cpu"],
            "overhead_ms": 1000 * wall / max(1, spent["runs"]), "ask_ms": math.nan, "tuner_ms": math.nan}


def matrix_part(args: argparse.Namespace) -> dict[str, Any]:
    from algoconf.space import active_config
    from algoconf.tuners.simulated import RuntimeMatrix

    matrix = RuntimeMatrix.load(MATRIX)
    train, test = matrix.split(matrix.shape[1] // 2, seed=0)
    test_cols = matrix.columns(test)
    test_par = matrix.par(columns=test_cols)
    best = float(test_par.min())
    default_row = matrix.row_of(active_config(matrix.space, dict(matrix.space.get_default_configuration())))
    rows: dict[str, list[dict[str, Any]]] = {}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        scenario = matrix_scenario(matrix, train, test, args.matrix_runs, seed)
        for name in args.tuners + ([] if args.no_native else ["native-smac"]):
            try:
                if name == "native-smac":
                    res = run_native_smac_matrix(matrix, scenario, seed, args.workers)
                else:
                    get_tuner(name)
                    res = run_ours_matrix(name, matrix, scenario, seed, args.workers)
            except ImportError as err:
                print(f"skip {name}: {err}", file=sys.stderr)
                continue
            row = matrix.row_of(active_config(matrix.space, res["config"]))
            res.update(test_par10=float(test_par[row]), regret=float(test_par[row]) - best, row=row, seed=seed)
            res.pop("config")
            rows.setdefault(name, []).append(res)
            print(f"matrix seed {seed} {name:12s} test PAR10 {res['test_par10']:.3f} regret {res['regret']:.3f} "
                  f"runs {res['runs']} cpu {res['cpu']:.0f}s overhead {res['overhead_ms']:.2f} ms/run",
                  file=sys.stderr, flush=True)
    return {"matrix": {"shape": list(matrix.shape), "cutoff": matrix.cutoff, "meta": matrix.meta,
                       "best_test_par10": best, "default_test_par10": float(test_par[default_row]),
                       "runs_budget": args.matrix_runs, "workers": args.workers, "results": rows}}


# --- real minisat part ------------------------------------------------------------------------------
def minisat_scenario(args: argparse.Namespace):
    import dataclasses

    from algoconf.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "minisat-3sat" / "scenario.yaml")
    if args.test_instances and scenario.test is not None and len(scenario.test) > args.test_instances:
        from algoconf.instances import InstanceSet

        scenario = dataclasses.replace(scenario, test=InstanceSet(scenario.test.instances[: args.test_instances]))
    return scenario


def run_ours_minisat(name: str, scenario: Any, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    from algoconf.tuners.session import open_session
    from algoconf.validation import validate

    run_dir = Path(tempfile.mkdtemp(prefix=f"acb-real-{name}-"))
    try:
        t0 = time.perf_counter()
        with open_session(scenario, run_dir, name, seed=seed, workers=args.workers, wallclock=args.budget,
                          progress=False) as session:
            outcome = session.run()
            wall = time.perf_counter() - t0
            report = validate(scenario, outcome.incumbent or {}, session.executor, None, seed=1000 + seed)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return {"runs": outcome.runs, "cpu": outcome.cpu_time, "wall": wall,
            "ask_ms": 1000 * outcome.tuner_time_per_run, "test_par10": report.incumbent.par,
            "default_test_par10": report.default.par, "solved": report.incumbent.solved, "n_test": report.incumbent.n}


def run_native_smac_minisat(scenario: Any, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    from smac import AlgorithmConfigurationFacade, Scenario as SmacScenario

    from algoconf.execution.base import execute_run
    from algoconf.space import active_config
    from algoconf.targets import build_target
    from algoconf.tuners.session import build_executor
    from algoconf.validation import validate

    target = build_target(scenario.target, scenario.root)
    instances = scenario.train.as_mapping()
    cutoff = scenario.cutoff
    log = {"cpu": 0.0, "runs": 0}

    def run(config, instance: str, seed: int = 0) -> float:
        request = RunRequest(active_config(scenario.space, dict(config)), instance, int(seed), cutoff)
        result = execute_run(target, request, instances[instance], time_kind=scenario.time_kind,
                             memory_limit_mb=scenario.memory_limit)
        log["cpu"] += result.runtime
        log["runs"] += 1
        return result.runtime if result.status is Status.SUCCESS else 10 * cutoff

    out = tempfile.mkdtemp(prefix="native-smac-real-")
    names = list(scenario.train.names)
    try:
        sc = SmacScenario(scenario.space, output_directory=out, deterministic=False, n_trials=10**6,
                          walltime_limit=args.budget, instances=names,
                          instance_features={n: [float(i)] for i, n in enumerate(names)}, seed=seed,
                          n_workers=1)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smac = AlgorithmConfigurationFacade(sc, run, overwrite=True, logging_level=40)
            inc = smac.optimize()
        wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)
    executor = build_executor(scenario, args.workers)
    try:
        report = validate(scenario, active_config(scenario.space, dict(inc)), executor, None, seed=1000 + seed)
    finally:
        executor.close()
    return {"runs": log["runs"], "cpu": log["cpu"], "wall": wall, "ask_ms": math.nan,
            "test_par10": report.incumbent.par, "default_test_par10": report.default.par,
            "solved": report.incumbent.solved, "n_test": report.incumbent.n}


def minisat_part(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("minisat") is None:
        return {"minisat": "skipped: minisat not installed"}
    scenario = minisat_scenario(args)
    rows: dict[str, list[dict[str, Any]]] = {}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for name in args.real_tuners + ([] if args.no_native else ["native-smac"]):
            try:
                res = (run_native_smac_minisat(scenario, seed, args) if name == "native-smac"
                       else run_ours_minisat(name, scenario, seed, args))
            except ImportError as err:
                print(f"skip {name}: {err}", file=sys.stderr)
                continue
            res["seed"] = seed
            rows.setdefault(name, []).append(res)
            print(f"minisat seed {seed} {name:12s} test PAR10 {res['test_par10']:.3f} (default "
                  f"{res['default_test_par10']:.3f}) runs {res['runs']} cpu {res['cpu']:.0f}s", file=sys.stderr,
                  flush=True)
    return {"minisat": {"scenario": "scenarios/minisat-3sat", "wall_budget": args.budget, "workers": args.workers,
                        "test_instances": len(scenario.test) if scenario.test is not None else 0,
                        "results": rows}}


# --- report -----------------------------------------------------------------------------------------
def summarise(rows: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in rows if r.get(key) is not None and not math.isnan(r[key])]
    if not values:
        return "-"
    med = statistics.median(values)
    return f"{med:.3f} [{min(values):.3f}-{max(values):.3f}]" if len(values) > 1 else f"{med:.3f}"


def print_tables(result: dict[str, Any]) -> None:
    if isinstance(result.get("matrix"), dict):
        m = result["matrix"]
        print(f"\nMATRIX {m['shape'][0]} configs x {m['shape'][1]} instances, cutoff {m['cutoff']} s, "
              f"{m['runs_budget']} runs each; best test PAR10 {m['best_test_par10']:.3f}, "
              f"default {m['default_test_par10']:.3f}")
        print(f"{'tuner':12s} {'test PAR10 med [min-max]':26s} {'regret':24s} {'sim CPU s':>22s} "
              f"{'loop ms/run':>12s} {'tuner ms/run':>12s}")
        for name, rows in m["results"].items():
            print(f"{name:12s} {summarise(rows, 'test_par10'):26s} {summarise(rows, 'regret'):24s} "
                  f"{summarise(rows, 'cpu'):>22s} {summarise(rows, 'overhead_ms'):>12s} {summarise(rows, 'tuner_ms'):>12s}")
        print("loop ms/run: wall time of the whole loop per run (tuner + history commits; native SMAC: its "
              "optimize loop); tuner ms/run: time inside ask() and tell() only")
    if isinstance(result.get("minisat"), dict):
        m = result["minisat"]
        print(f"\nMINISAT-3SAT real runs, {m['wall_budget']} s wall each, {m['workers']} workers, "
              f"{m['test_instances']} test instances")
        print(f"{'tuner':12s} {'test PAR10 med [min-max]':28s} {'default PAR10':16s} {'CPU s':>16s} {'runs':>10s} {'tuner ms':>8s}")
        for name, rows in m["results"].items():
            print(f"{name:12s} {summarise(rows, 'test_par10'):28s} {summarise(rows, 'default_test_par10'):16s} "
                  f"{summarise(rows, 'cpu'):>16s} {summarise(rows, 'runs'):>10s} {summarise(rows, 'ask_ms'):>8s}")


def merge(paths: list[str]) -> dict[str, Any]:
    """Several result files of this script as one: per part and tuner, rows keyed by seed (a later
    file replaces an earlier row of the same tuner and seed)."""
    merged: dict[str, Any] = {"merged_from": [], "commands": []}
    for path in paths:
        data = json.loads(Path(path).read_text())
        merged["merged_from"].append(str(path))
        merged["commands"].append(data.get("command"))
        for part in ("matrix", "minisat"):
            if not isinstance(data.get(part), dict):
                continue
            target = merged.setdefault(part, {k: v for k, v in data[part].items() if k != "results"} | {"results": {}})
            for name, rows in data[part]["results"].items():
                by_seed = {r["seed"]: r for r in target["results"].get(name, [])}
                by_seed.update({r["seed"]: r for r in rows})
                target["results"][name] = [by_seed[k] for k in sorted(by_seed)]
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, small budgets")
    parser.add_argument("--part", choices=("matrix", "minisat", "all"), default="all")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--matrix-runs", type=int, default=600)
    parser.add_argument("--budget", type=float, default=300.0, help="wall seconds per contender (minisat part)")
    parser.add_argument("--test-instances", type=int, default=None, help="use only the first N test instances")
    parser.add_argument("--tuners", default=",".join(OURS))
    parser.add_argument("--real-tuners", default=None, help="tuners for the minisat part (default: --tuners)")
    parser.add_argument("--no-native", action="store_true", help="leave native SMAC3 out")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "ac_tuners.json"))
    parser.add_argument("--merge", nargs="+", default=None, metavar="JSON",
                        help="merge result files of earlier invocations into --out and print the tables")
    args = parser.parse_args(argv)
    if args.merge:
        result = merge(args.merge)
        print_tables(result)
        Path(args.out).write_text(json.dumps(result, indent=1, default=float))
        print(f"\nwrote {args.out}")
        return 0
    if args.quick:
        args.seeds = min(args.seeds, 1)
        args.matrix_runs = min(args.matrix_runs, 200)
        args.quick_matrix = True
        args.budget = min(args.budget, 30.0)
        args.test_instances = args.test_instances or 10
    args.tuners = [t for t in args.tuners.split(",") if t]
    args.real_tuners = [t for t in (args.real_tuners.split(",") if args.real_tuners else args.tuners) if t]
    unknown = [t for t in args.tuners + args.real_tuners if t not in TUNERS]
    if unknown:
        parser.error(f"unknown tuners {unknown}")
    result: dict[str, Any] = {"command": " ".join(sys.argv), "quick": args.quick, "seeds": args.seeds}
    if args.part in ("matrix", "all"):
        if MATRIX.is_file():
            result.update(matrix_part(args))
        else:
            result["matrix"] = f"skipped: {MATRIX} missing (run benchmarks/build_matrix.py)"
    if args.part in ("minisat", "all"):
        result.update(minisat_part(args))
    print_tables(result)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=float))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
