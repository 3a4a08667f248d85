"""algoconf's tuners vs native SMAC3, side by side, on a runtime matrix and on real solver runs.

Same protocol for every contender (same scenario, same budget, same workers, same seeds):

* ``matrix`` — a runtime matrix (default benchmarks/data/minisat_3sat_matrix.npz; ``--matrix`` for
  another one): real CPU times, censored at its cutoff. Instances are split in half (train/test);
  every contender gets the same run budget; runs are answered from the matrix (configurations off
  the matrix by their nearest row). Reported: test PAR10 of the returned configuration, regret
  against the best row of the matrix on the test half (the limit), simulated target CPU spent, and
  tuner overhead per proposal (time inside ask/tell per run; runs cost nothing here).
* ``real`` — a scenario with real solver runs (``--scenario``, default scenarios/minisat-3sat;
  ``--part minisat`` is the same on minisat-3sat), a wall-clock budget per contender and
  ``--workers`` workers. The returned configuration is evaluated once on the scenario's test
  instances (or the first ``--test-instances`` of them) with one fixed set of fresh seeds, the same
  for every contender and tuning seed, so test PAR10s are compared on identical runs; the default
  is evaluated the same way (once per invocation).

Native SMAC3 uses its own AlgorithmConfigurationFacade and its own target-function runner with
``n_workers = --workers`` (SMAC's Dask runner): on the matrix a function answering from the matrix,
on real scenarios a function making the same limited solver call algoconf's executor makes
(``execute_run``: same command, CPU cutoff of the process tree, memory limit). Its tuner overhead
is the time spent in SMAC's ask() and tell() (measured with a SMAC callback), the analogue of
algoconf's ``tuner_time_per_run``.

    python benchmarks/ac_tuners.py --quick          # 1 seed, small budgets, all parts
    python benchmarks/ac_tuners.py --part matrix --seeds 5 --matrix-runs 300
    python benchmarks/ac_tuners.py --part real --scenario scenarios/cadical-colouring/scenario.yaml \\
        --budget 60 --seeds 2 --test-instances 20 --out /tmp/part.json
    python benchmarks/ac_tuners.py --merge a.json b.json ...   # one result file, tables printed
"""

from __future__ import annotations

import argparse
import dataclasses
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

from algoconf.benchmarking import changed_files, source_commit  # noqa: E402
from algoconf.benchmarking.matrix_scenario import matrix_scenario  # noqa: E402
from algoconf.records import RunRequest, Status  # noqa: E402
from algoconf.tuners import TUNERS, get_tuner  # noqa: E402

MATRIX = ROOT / "benchmarks" / "data" / "minisat_3sat_matrix.npz"
MINISAT = ROOT / "scenarios" / "minisat-3sat" / "scenario.yaml"
OURS = ("acband", "random", "smac", "optuna")
NATIVE = "native-smac"
#: seed of the one set of fresh validation seeds shared by every contender (real part)
VALIDATION_SEED = 1000


def _native_timer():
    """A SMAC callback summing the wall time spent in SMAC's ask() and tell()."""
    from smac.callback import Callback

    class AskTellTimer(Callback):
        def __init__(self) -> None:
            self.seconds = 0.0
            self.asks = 0
            self._t = 0.0

        def on_ask_start(self, smbo):
            self._t = time.perf_counter()

        def on_ask_end(self, smbo, info):
            self.seconds += time.perf_counter() - self._t
            self.asks += 1

        def on_tell_start(self, smbo, info, value):
            self._t = time.perf_counter()
            return None

        def on_tell_end(self, smbo, info, value):
            self.seconds += time.perf_counter() - self._t
            return None

    return AskTellTimer()


def _configspace_pickle_equality() -> None:
    """Work around a ConfigSpace 1.2 bug that breaks native SMAC3 with ``n_workers > 1``.

    A log-scale ``UniformIntegerHyperparameter`` does not compare equal to its own pickled copy
    (its private ``_vector_dist`` and ``_neighborhood`` fields differ after unpickling), so neither
    do the configuration spaces and configurations that hold one. SMAC3's Dask runner gets every
    trial's configuration back as such a copy: the runhistory files the result under a *new*
    configuration id and the original trial stays RUNNING forever (half the runhistory was RUNNING
    entries before this fix, on minisat-3sat and cadical-colouring), which cripples SMAC3's
    intensification. Equality by the public fields restores SMAC3's intended behaviour; it is
    applied in this benchmark's process only, for native SMAC3's sake.
    """
    from ConfigSpace.hyperparameters import UniformIntegerHyperparameter as Integer

    if getattr(Integer, "_algoconf_public_eq", False):
        return
    fields = ("name", "default_value", "meta", "size", "lower", "upper", "log")

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in fields)

    Integer.__eq__ = __eq__
    Integer.__hash__ = lambda self: hash((type(self).__name__,) + tuple(str(getattr(self, f)) for f in fields))
    Integer._algoconf_public_eq = True


def run_native_smac(space: Any, train: list[str], features: dict[str, list[float]], function: Any, *, seed: int,
                    workers: int, deterministic: bool, n_trials: int, walltime: float) -> dict[str, Any]:
    """SMAC3's AlgorithmConfigurationFacade with its own runner on ``function(config, instance, seed)``
    returning ``(cost, {"runtime": target CPU seconds})``. Returns incumbent, runs, CPU, timings."""
    from smac import AlgorithmConfigurationFacade, Scenario as SmacScenario

    _configspace_pickle_equality()
    out = tempfile.mkdtemp(prefix="native-smac-")
    timer = _native_timer()
    try:
        sc = SmacScenario(space, output_directory=out, deterministic=deterministic, n_trials=n_trials,
                          walltime_limit=walltime, instances=train, instance_features=features, seed=seed,
                          n_workers=workers)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smac = AlgorithmConfigurationFacade(sc, function, overwrite=True, logging_level=40, callbacks=[timer])
            error = None
            try:
                inc = smac.optimize()
            except TimeoutError as err:  # SMAC's Dask runner failing to close its client on a loaded machine
                error = f"TimeoutError in optimize: {err}"
                inc = smac.intensifier.get_incumbent()
                if inc is None:
                    raise
        wall = time.perf_counter() - t0
        values = [v for v in smac.runhistory._data.values() if getattr(v.status, "name", "") != "RUNNING"]
        runs = len(values)  # finished trials (a trial still running at the end is not a run made)
        cpu = math.fsum(float((v.additional_info or {}).get("runtime", v.time)) for v in values)
        statuses: dict[str, int] = {}
        for v in values:
            status = str((v.additional_info or {}).get("status", getattr(v.status, "name", v.status)))
            statuses[status] = statuses.get(status, 0) + 1
        runner = getattr(smac, "_runner", None)
        close = getattr(getattr(runner, "_client", None), "close", None)
        if callable(close):
            try:
                close()
            except (TimeoutError, OSError):
                pass  # already closed by SMAC, or Dask timing out on a loaded machine: nothing left to keep
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"config": dict(inc), "runs": runs, "cpu": cpu, "wall": wall,
            "overhead_ms": 1000 * wall / max(1, runs), "tuner_ms": 1000 * timer.seconds / max(1, runs),
            "statuses": statuses, **({"error": error} if error else {})}


# --- matrix part ------------------------------------------------------------------------------------
def run_ours_matrix(name: str, matrix: Any, scenario: Any, seed: int, workers: int) -> dict[str, Any]:
    from algoconf.run.session import open_session
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


class MatrixFunction:
    """Native SMAC's target on the matrix (picklable for SMAC's Dask workers)."""

    def __init__(self, path: Path):
        self.path = path
        self._matrix = None

    def __getstate__(self):
        return {"path": self.path, "_matrix": None}

    def __call__(self, config, instance: str, seed: int = 0):
        from algoconf.tuners.simulated import RuntimeMatrix

        if self._matrix is None:
            self._matrix = RuntimeMatrix.load(self.path)
        m = self._matrix
        result = m.answer(RunRequest(dict(config), instance, int(seed), m.cutoff))
        cost = result.runtime if result.status is Status.SUCCESS else 10 * m.cutoff
        return cost, {"runtime": float(result.runtime)}


def matrix_part(args: argparse.Namespace) -> dict[str, Any]:
    from algoconf.scenario import Budget
    from algoconf.space import active_config
    from algoconf.tuners.simulated import RuntimeMatrix

    path = Path(args.matrix)
    matrix = RuntimeMatrix.load(path)
    train, test = matrix.split(matrix.shape[1] // 2, seed=0)
    test_cols = matrix.columns(test)
    test_par = matrix.par(columns=test_cols)
    best = float(test_par.min())
    default_row = matrix.row_of(active_config(matrix.space, dict(matrix.space.get_default_configuration())))
    rows: dict[str, list[dict[str, Any]]] = {}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        scenario = matrix_scenario(path, matrix, train=train, test=test, budget=Budget(runs=args.matrix_runs),
                                   seed=seed, root=ROOT / "benchmarks")
        for name in contenders(args, args.tuners):
            try:
                if name == NATIVE:
                    names = list(scenario.train.names)
                    res = run_native_smac(matrix.space, names, {n: [float(i)] for i, n in enumerate(names)},
                                          MatrixFunction(path), seed=seed, workers=args.workers, deterministic=True,
                                          n_trials=args.matrix_runs, walltime=math.inf)
                    res["ask_ms"] = math.nan
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
                  f"runs {res['runs']} cpu {res['cpu']:.0f}s tuner {res['tuner_ms']:.2f} ms/run",
                  file=sys.stderr, flush=True)
    key = "matrix" if path.resolve() == MATRIX.resolve() else f"matrix:{path.stem}"
    return {key: {"file": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                  "shape": list(matrix.shape), "cutoff": matrix.cutoff, "meta": matrix.meta,
                  "best_test_par10": best, "default_test_par10": float(test_par[default_row]),
                  "runs_budget": args.matrix_runs, "workers": args.workers, "results": rows}}


# --- real part --------------------------------------------------------------------------------------
def real_scenario(path: Path, test_instances: int | None):
    from algoconf.instances import InstanceSet
    from algoconf.scenario import load_scenario

    scenario = load_scenario(path)
    if test_instances and scenario.test is not None and len(scenario.test) > test_instances:
        scenario = dataclasses.replace(scenario, test=InstanceSet(scenario.test.instances[:test_instances]))
    return scenario


class TestEvaluator:
    """Test PAR-k of configurations on the scenario's test instances with one fixed set of fresh seeds
    (the same for every contender); a configuration evaluated before is answered from memory."""

    def __init__(self, scenario: Any, workers: int):
        import numpy as np

        from algoconf.run.session import build_executor

        self.scenario = scenario
        self.problem = scenario.tuning_problem()
        self.problem = dataclasses.replace(self.problem, extra={k: v for k, v in self.problem.extra.items()
                                                                if k != "utility"})
        self.instances = list(scenario.test.names)
        rng = np.random.default_rng(VALIDATION_SEED)
        self.seeds = [0 if scenario.deterministic else int(s)
                      for s in rng.integers(0, 2**31 - 1, size=len(self.instances))]
        self.executor = build_executor(scenario, workers)
        self._memo: dict[str, dict[str, Any]] = {}

    def __call__(self, config: dict[str, Any]) -> dict[str, Any]:
        from algoconf.records import config_key
        from algoconf.run.validation import score_results

        key = config_key(config)
        if key not in self._memo:
            futures = [self.executor.submit(RunRequest(dict(config), inst, s, self.scenario.cutoff))
                       for inst, s in zip(self.instances, self.seeds)]
            results = [f.result() for f in futures]
            score = score_results("config", results, self.problem)
            self._memo[key] = {"par10": score.par, "solved": score.solved, "n": score.n,
                               "cpu": math.fsum(r.runtime for r in results)}
        return self._memo[key]

    def close(self) -> None:
        self.executor.close()


def run_ours_real(name: str, scenario: Any, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    from algoconf.run.session import open_session

    run_dir = Path(tempfile.mkdtemp(prefix=f"acb-real-{name}-"))
    try:
        t0 = time.perf_counter()
        with open_session(scenario, run_dir, name, seed=seed, workers=args.workers, wallclock=args.budget,
                          progress=False) as session:
            outcome = session.run()
        wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return {"config": outcome.incumbent or {}, "runs": outcome.runs, "cpu": outcome.cpu_time, "wall": wall,
            "ask_ms": 1000 * outcome.overhead_per_ask, "tuner_ms": 1000 * outcome.tuner_time_per_run}


class RealFunction:
    """Native SMAC's target on a real scenario: the limited run algoconf's executor makes."""

    def __init__(self, scenario: Any):
        from algoconf.targets import build_target

        self.scenario = scenario
        self.target = build_target(scenario.target, scenario.root)
        self.instances = dict(scenario.train.as_mapping())

    def __call__(self, config, instance: str, seed: int = 0):
        from algoconf.execution.base import execute_run
        from algoconf.space import active_config

        sc = self.scenario
        request = RunRequest(active_config(sc.space, dict(config)), instance, int(seed), sc.cutoff)
        result = execute_run(self.target, request, self.instances[instance], time_kind=sc.time_kind,
                             memory_limit_mb=sc.memory_limit)
        cost = result.runtime if result.status is Status.SUCCESS else sc.par_factor * sc.cutoff
        return cost, {"runtime": float(result.runtime), "status": result.status.value}


def real_part(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    from algoconf.space import active_config, default_config

    scenario = real_scenario(path, args.test_instances)
    key = f"real:{scenario.name}"
    if scenario.target.kind == "runner":
        from algoconf.runners import get_runner

        reason = get_runner(scenario.target.runner).missing()
        if reason:
            return {key: f"skipped: {reason}"}
    evaluator = TestEvaluator(scenario, args.workers)
    rows: dict[str, list[dict[str, Any]]] = {}
    try:
        default = evaluator(dict(default_config(scenario.space)))
        print(f"{scenario.name}: default test PAR10 {default['par10']:.3f} ({default['solved']}/{default['n']} "
              f"solved)", file=sys.stderr, flush=True)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for name in contenders(args, args.real_tuners):
                try:
                    if name == NATIVE:
                        names = list(scenario.train.names)
                        res = run_native_smac(scenario.space, names, {n: [float(i)] for i, n in enumerate(names)},
                                              RealFunction(scenario), seed=seed, workers=args.workers,
                                              deterministic=scenario.deterministic, n_trials=10**6,
                                              walltime=args.budget)
                        res["ask_ms"] = math.nan
                        res["config"] = active_config(scenario.space, res["config"])
                    else:
                        res = run_ours_real(name, scenario, seed, args)
                except ImportError as err:
                    print(f"skip {name}: {err}", file=sys.stderr)
                    continue
                test = evaluator(res.pop("config"))
                res.update(seed=seed, test_par10=test["par10"], solved=test["solved"], n_test=test["n"],
                           default_test_par10=default["par10"])
                rows.setdefault(name, []).append(res)
                print(f"{scenario.name} seed {seed} {name:12s} test PAR10 {res['test_par10']:.3f} (default "
                      f"{default['par10']:.3f}) runs {res['runs']} cpu {res['cpu']:.0f}s "
                      f"tuner {res['tuner_ms']:.2f} ms/run", file=sys.stderr, flush=True)
    finally:
        evaluator.close()
    return {key: {"scenario": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                  "cutoff": scenario.cutoff, "wall_budget": args.budget, "workers": args.workers,
                  "test_instances": len(evaluator.instances), "validation_seed": VALIDATION_SEED,
                  "default_test_par10": default["par10"], "default_test_solved": default["solved"],
                  "results": rows}}


def contenders(args: argparse.Namespace, tuners: list[str]) -> list[str]:
    return list(tuners) + ([] if args.no_native else [NATIVE])


# --- report -----------------------------------------------------------------------------------------
def summarise(rows: list[dict[str, Any]], key: str, digits: int = 3) -> str:
    values = [r[key] for r in rows if r.get(key) is not None and not math.isnan(r[key])]
    if not values:
        return "-"
    med = statistics.median(values)
    f = f"{{:.{digits}f}}"
    return f"{f.format(med)} [{f.format(min(values))}-{f.format(max(values))}]" if len(values) > 1 else f.format(med)


def parts_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in result.items() if isinstance(v, dict) and "results" in v}


def print_tables(result: dict[str, Any]) -> None:
    for key, m in parts_of(result).items():
        if key.startswith("matrix"):
            print(f"\n{key.upper()} ({m.get('file', MATRIX.name)}): {m['shape'][0]} configs x {m['shape'][1]} "
                  f"instances, cutoff {m['cutoff']} s, {m['runs_budget']} runs each, {m['workers']} workers; "
                  f"best test PAR10 {m['best_test_par10']:.3f}, default {m['default_test_par10']:.3f}")
            print(f"{'tuner':12s} {'seeds':>5s} {'test PAR10 med [min-max]':26s} {'regret med [min-max]':24s} "
                  f"{'sim CPU s':>16s} {'tuner ms/run':>20s} {'loop ms/run':>12s}")
            for name, rows in m["results"].items():
                print(f"{name:12s} {len(rows):5d} {summarise(rows, 'test_par10'):26s} {summarise(rows, 'regret'):24s} "
                      f"{summarise(rows, 'cpu', 0):>16s} {summarise(rows, 'tuner_ms', 2):>20s} "
                      f"{summarise(rows, 'overhead_ms', 1):>12s}")
        else:
            default = m.get("default_test_par10")
            print(f"\n{key.upper()} ({m['scenario']}): real runs, {m['wall_budget']} s wall each, {m['workers']} "
                  f"workers, cutoff {m.get('cutoff')} s, {m['test_instances']} test instances; default test PAR10 "
                  + (f"{default:.3f}" if default is not None else "per row"))
            print(f"{'tuner':12s} {'seeds':>5s} {'test PAR10 med [min-max]':28s} {'default PAR10':14s} "
                  f"{'target CPU s':>16s} {'runs':>16s} {'tuner ms/run':>20s}")
            for name, rows in m["results"].items():
                print(f"{name:12s} {len(rows):5d} {summarise(rows, 'test_par10'):28s} "
                      f"{summarise(rows, 'default_test_par10'):14s} {summarise(rows, 'cpu', 0):>16s} "
                      f"{summarise(rows, 'runs', 0):>16s} {summarise(rows, 'tuner_ms', 2):>20s}")
    print("\ntuner ms/run: time inside the tuner's ask() and tell() per run (native SMAC3: inside SMAC's ask/tell, "
          "via a callback); loop ms/run (matrix): the whole loop's wall time per run")


def merge(paths: list[str]) -> dict[str, Any]:
    """Several result files of this script as one: per part and tuner, rows keyed by seed (a later
    file replaces an earlier row of the same tuner and seed)."""
    merged: dict[str, Any] = {"merged_from": [], "commands": [], "git_commits": []}
    for path in paths:
        data = json.loads(Path(path).read_text())
        merged["merged_from"].append(str(path))
        merged["commands"].append(data.get("command"))
        merged["commands"].extend(c for part in parts_of(data).values() for c in part.get("commands", []))
        for commit in [data.get("git_commit"), *data.get("git_commits", [])]:  # a merged file lists several
            if commit and commit not in merged["git_commits"]:
                merged["git_commits"].append(commit)
        for part, value in parts_of(data).items():
            target = merged.setdefault(part, {k: v for k, v in value.items() if k != "results"} | {"results": {}})
            for name, rows in value["results"].items():
                by_seed = {r["seed"]: r for r in target["results"].get(name, [])}
                by_seed.update({r["seed"]: r for r in rows})
                target["results"][name] = [by_seed[k] for k in sorted(by_seed)]
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, small budgets")
    parser.add_argument("--part", choices=("matrix", "real", "minisat", "all"), default="all",
                        help="all = matrix + real minisat-3sat (+ --scenario when given)")
    parser.add_argument("--scenario", action="append", default=None,
                        help="scenario.yaml of a real part (repeatable; default scenarios/minisat-3sat)")
    parser.add_argument("--matrix", default=str(MATRIX), help="runtime matrix .npz of the matrix part")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--matrix-runs", type=int, default=600)
    parser.add_argument("--budget", type=float, default=300.0, help="wall seconds per contender (real parts)")
    parser.add_argument("--test-instances", type=int, default=None, help="use only the first N test instances")
    parser.add_argument("--tuners", default=",".join(OURS))
    parser.add_argument("--real-tuners", default=None, help="tuners for the real parts (default: --tuners)")
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
        args.budget = min(args.budget, 30.0)
        args.test_instances = args.test_instances or 10
    args.tuners = [t for t in args.tuners.split(",") if t]
    args.real_tuners = [t for t in (args.real_tuners.split(",") if args.real_tuners else args.tuners) if t]
    unknown = [t for t in args.tuners + args.real_tuners if t not in TUNERS]
    if unknown:
        parser.error(f"unknown tuners {unknown}")
    scenarios = [Path(s).resolve() for s in (args.scenario or [])]
    if args.part == "minisat" or (args.part in ("real", "all") and not scenarios):
        scenarios = [MINISAT]
    elif args.part == "all":
        scenarios = [MINISAT] + [s for s in scenarios if s != MINISAT]
    result: dict[str, Any] = {"command": " ".join(sys.argv), "git_commit": source_commit(),
                              "git_dirty": changed_files(), "quick": args.quick,
                              "seeds": args.seeds, "first_seed": args.first_seed,
                              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if args.part in ("matrix", "all"):
        if Path(args.matrix).is_file():
            result.update(matrix_part(args))
        else:
            result["matrix"] = f"skipped: {args.matrix} missing (run benchmarks/build_matrix.py)"
    if args.part in ("real", "minisat", "all"):
        for path in scenarios:
            result.update(real_part(args, path))
    print_tables(result)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=float))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
