"""Every algoconf tuner against native SMAC3 and irace, at equal target-CPU budget, with confidence intervals.

Contenders: ``acband``, ``smac``, ``optuna``, ``random`` (algoconf's engine, incumbent guard on, as
``algoconf configure`` runs them), ``native-smac3`` (SMAC3's AC facade with its defaults, asked and
told by the harness) and ``irace`` (the R package, defaults, ``maxTime`` = the budget); the peers are
in algoconf/benchmarking/peers.py. Every contender gets the same answer to the same run: the same
runner under the same limits and cutoff (real mode) or the same runtime-matrix look-up (simulated).

Settings (``--settings``):

* ``cpu_w1``, ``cpu_w2`` — equal **target CPU** budget (``--budget`` s, summed runtimes of the runs
  made) on 1 and 2 workers;
* ``wall_w2`` — equal **wall clock** on 2 workers: ``--budget / 2`` s, so a contender that keeps
  both workers busy uses the same CPU as in ``cpu_w*`` and one that idles uses less (what a user
  with two cores sees). Simulated only: the virtual clock charges each tuner's own CPU time
  (``caller_time="charged"``) and irace's wall time is its list-scheduled race steps.

Modes:

* **simulated** (``--matrix M.npz``, repeatable): runs are answered from a runtime matrix by the
  virtual-clock simulator (algoconf/execution/virtual.py); a matrix built from a scenario keeps that
  scenario's train / test split (``RuntimeMatrix.scenario_split``, as the real mode does), any other
  matrix's instances are split in half (``RuntimeMatrix.split(n // 2, seed=0)``); a configuration's test PAR10 is the
  matrix's (its nearest row's) mean over the test half; best known = the matrix's best row there.
  The anytime curve (incumbent's test PAR10 vs CPU budget) comes from each run's trajectory.
* **real** (``--scenario S.yaml``, repeatable): real solver runs; the scenario's train / test
  instances and cutoff. After each seed's contenders, every incumbent not validated yet and the
  default are validated on the same test instance-seed pairs (one fixed seed per test instance),
  **interleaved and one run at a time** (pair by pair, each configuration in turn), and kept by
  configuration so an incumbent found twice is not run again; best known = the best test PAR10 of
  any configuration validated here (or the scenario's ``best_known.json`` when it is lower).
  Target CPU is what the runner measured (process-tree CPU time); on a loaded machine that is
  what stays comparable, wall time does not.

Every finished (scenario, setting, contender, seed) is appended to the JSON at once (a real row
first without its test PAR10, completed by validation); a later invocation with the same budget
skips what is there, so the benchmark can be continued by another session. The tables (median test
PAR10 over seeds with a bootstrap 95 % CI, ratios to the default and the best known, median target
CPU, tuner overhead per run, runs) and a PAR10-vs-budget PNG per scenario are rebuilt from the file.

    python benchmarks/ac_suite.py --quick                       # simulated, tiny matrix, ~1 min
    python benchmarks/ac_suite.py --matrix benchmarks/data/X.npz --seeds 30 --budget 600
    python benchmarks/ac_suite.py --scenario scenarios/X/scenario.yaml --seeds 5 --budget 600 --settings cpu_w1
    python benchmarks/ac_suite.py --table-only
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import hashlib
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from algoconf.analysis.bootstrap import median_ci  # noqa: E402
from algoconf.benchmarking import read_json, source_commit, update_json  # noqa: E402
from algoconf.benchmarking.named_configs import named_configs  # noqa: E402
from algoconf.benchmarking.paired_validation import PairedValidator  # noqa: E402
from algoconf.benchmarking.peers import (  # noqa: E402
    PeerRefused,
    PeerRun,
    irace_missing,
    run_irace,
    run_native_smac3,
)
from algoconf.records import RunRequest, config_key  # noqa: E402

OURS = ("acband", "smac", "optuna", "random")
PEERS = ("native-smac3", "irace")
CONTENDERS = OURS + PEERS
SETTINGS = ("cpu_w1", "cpu_w2", "wall_w2")
OUT = ROOT / "benchmarks" / "results" / "ac_suite.json"
QUICK_MATRIX = ROOT / "benchmarks" / "data" / "minisat_3sat_matrix.npz"
#: seed of the one validation seed per test instance (real mode), the same for every configuration
VALIDATION_SEED = 1000
BOOTSTRAP = 10000


# --- what a scenario answers ----------------------------------------------------------------------------
class Setup:
    """One scenario as the suite sees it: the algoconf scenario the engine runs, the runtime matrix
    answering its runs (None: real runs), and how a configuration is scored.

    (A plain class: the benchmark is also loaded as a module by path, where dataclasses fail.)"""

    def __init__(self, name: str, kind: str, scenario: Any, source: str, matrix: Any = None):
        self.name, self.kind, self.scenario, self.source, self.matrix = name, kind, scenario, source, matrix
        if matrix is not None:
            self._test_par = matrix.par(columns=matrix.columns(self.test), par_factor=scenario.par_factor)

    @property
    def space(self) -> Any:
        return self.scenario.space

    @property
    def cutoff(self) -> float:
        return float(self.scenario.cutoff)

    @property
    def train(self) -> list[str]:
        return list(self.scenario.train.names)

    @property
    def test(self) -> list[str]:
        return list(self.scenario.test.names)

    def features(self) -> dict[str, list[float]] | None:
        f = self.scenario.features
        return None if f is None else {k: [float(x) for x in v] for k, v in f.as_mapping(self.train).items()}

    def answer(self) -> Callable[[RunRequest], Any]:
        if self.matrix is not None:
            return self.matrix.answer
        from algoconf.execution.virtual import executing_answer
        from algoconf.targets import build_target

        sc = self.scenario
        return executing_answer(build_target(sc.target, sc.root), dict(sc.train.as_mapping()),
                                time_kind=sc.time_kind, memory_limit_mb=sc.memory_limit)

    def executor(self, workers: int, caller_time: str) -> Any:
        if self.matrix is not None:
            from algoconf.execution.virtual import VirtualExecutor

            return VirtualExecutor(self.matrix.answer, workers, instances=self.matrix.instances, caller_time=caller_time)
        from algoconf.run.session import build_executor

        return build_executor(self.scenario, workers, include_test=False)

    def matrix_test_par10(self, config: dict[str, Any]) -> float:
        row = self.matrix.row_of(config)
        return float(self._test_par[row])


def simulated_setup(path: Path) -> Setup:
    from algoconf.benchmarking.matrix_scenario import matrix_scenario
    from algoconf.scenario import Budget
    from algoconf.tuners.simulated import RuntimeMatrix

    matrix = RuntimeMatrix.load(path)
    train, test = matrix.scenario_split() or matrix.split(matrix.shape[1] // 2, seed=0)
    scenario = matrix_scenario(path, matrix, train=train, test=test, name=path.stem, root=ROOT / "benchmarks",
                               budget=Budget(runs=10**7), deterministic=bool(matrix.meta.get("deterministic", True)))
    return Setup(path.stem, "simulated", scenario, _rel(path), matrix=matrix)


def real_setup(path: Path, test_instances: int | None = None) -> Setup:
    """A real scenario; with ``test_instances``, only its first N test instances (a smaller protocol:
    the scenario's name then says so, so its rows never mix with the full one's)."""
    from algoconf.instances import InstanceSet
    from algoconf.scenario import load_scenario

    scenario = load_scenario(path)
    if scenario.test is None or scenario.cutoff is None or scenario.objective != "runtime":
        raise SystemExit(f"{path}: the suite needs a runtime scenario with a cutoff and test instances")
    name = scenario.name
    if test_instances and len(scenario.test) > test_instances:
        scenario = dataclasses.replace(scenario, test=InstanceSet(scenario.test.instances[:test_instances]))
        name = f"{name}[test:{test_instances}]"
    return Setup(name, "real", scenario, _rel(path))


def _rel(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# --- one tuning run ---------------------------------------------------------------------------------------
def budgets(setting: str, budget: float) -> tuple[int, float | None, float | None]:
    """(workers, CPU budget, wall budget) of a setting."""
    kind, w = setting.split("_w")
    return (int(w), budget, None) if kind == "cpu" else (int(w), None, budget / 2)


class Trajectory:
    """Engine callback: (target CPU, wall, incumbent) whenever the tuner's incumbent changes."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float, dict[str, Any]]] = []
        self._key: str | None = None

    def __call__(self, engine: Any, results: Sequence[Any]) -> bool:
        inc = engine.tuner.incumbent
        if inc is not None and config_key(inc) != self._key:
            self._key = config_key(inc)
            self.points.append((engine.cpu_time, engine.elapsed, dict(inc)))
        return True


def run_ours(setup: Setup, name: str, setting: str, budget: float, seed: int) -> PeerRun:
    from algoconf.history.memory import MemoryHistory
    from algoconf.scenario import Budget
    from algoconf.run.session import open_session

    workers, cpu, wall = budgets(setting, budget)
    scenario = dataclasses.replace(setup.scenario, budget=Budget(cpu_time=cpu, wallclock=wall))
    executor = setup.executor(workers, "charged" if wall is not None else "free") if setup.matrix is not None else None
    trajectory = Trajectory()
    run_dir = Path(tempfile.mkdtemp(prefix=f"acsuite-{name}-"))
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open_session(scenario, run_dir, name, seed=seed, workers=workers, progress=False, executor=executor,
                              callbacks=(trajectory,), history=MemoryHistory() if setup.matrix is not None else None,
                              ) as session:
                outcome = session.run()
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    from algoconf.space import default_config

    incumbent = dict(outcome.incumbent) if outcome.incumbent is not None else default_config(setup.space)
    points = trajectory.points + [(outcome.cpu_time, outcome.wallclock, incumbent)]
    return PeerRun(incumbent, outcome.runs, outcome.cpu_time, outcome.wallclock,
                   outcome.tuner_time_per_run * outcome.runs, points,
                   info={"stop_reason": outcome.stop_reason, "guard": (outcome.guard or {}).get("verdict"),
                         "guard_reason": (outcome.guard or {}).get("reason"),
                         "tuner_incumbent": trajectory.points[-1][2] if trajectory.points else None,
                         "harness_wall": time.perf_counter() - t0})


def run_contender(setup: Setup, name: str, setting: str, budget: float, seed: int) -> PeerRun:
    workers, cpu, wall = budgets(setting, budget)
    if name in OURS:
        return run_ours(setup, name, setting, budget, seed)
    if name == "native-smac3":
        executor = setup.executor(workers, "charged" if wall is not None else "free")
        try:
            return run_native_smac3(setup.space, setup.train, setup.features(), executor, seed=seed, workers=workers,
                                    deterministic=setup.scenario.deterministic, cutoff=setup.cutoff,
                                    par_factor=setup.scenario.par_factor, cpu_budget=cpu, wall_budget=wall)
        finally:
            executor.close()
    if name == "irace":
        run = run_irace(setup.space, setup.train, setup.answer(), seed=seed, workers=workers,
                        deterministic=setup.scenario.deterministic, cutoff=setup.cutoff,
                        par_factor=setup.scenario.par_factor, cpu_budget=cpu if cpu is not None else workers * wall)
        if wall is not None:  # the incumbent irace held when the wall-clock budget ended
            held = [p for p in run.trajectory if p[1] <= wall + 1e-9]
            from algoconf.space import default_config

            run.incumbent = held[-1][2] if held else default_config(setup.space)
            run.info["cpu_at_wall_budget"] = held[-1][0] if held else 0.0
        return run
    raise ValueError(f"unknown contender {name!r}")


# --- the result file --------------------------------------------------------------------------------------
def load(path: Path) -> dict[str, Any]:
    return read_json(path, _empty)


def _empty() -> dict[str, Any]:
    return {"benchmark": "ac_suite", "scenarios": {}, "rows": []}


def update(path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply ``change`` to the file's data under a lock (several invocations may share the file),
    rebuild the summaries and write it back atomically."""

    def change_and_summarise(data: dict[str, Any]) -> None:
        change(data)
        summarise(data)

    return update_json(path, change_and_summarise, empty=_empty, lock="ac_suite")


def summarise(data: dict[str, Any]) -> None:
    """Per scenario and setting, per contender: the summary of the rows at the scenario's budget."""
    for name, sc in data["scenarios"].items():
        rows = [r for r in data["rows"] if r["scenario"] == name and r["budget"] == sc["budget_cpu"]
                and r.get("test_par10") is not None]
        sc["refused"] = [{k: r[k] for k in ("setting", "contender", "seed", "error")} for r in data["rows"]
                         if r["scenario"] == name and r["budget"] == sc["budget_cpu"] and r.get("error")]
        if sc["kind"] == "real":
            validations = sc.get("validations", {})
            default = validations.get(sc.get("default_key", ""), {}).get("test_par10")
            best = min([v["test_par10"] for v in validations.values() if "test_par10" in v]
                       + [sc.get("best_known_given", math.inf)])
            sc["default_test_par10"] = default
            sc["best_known_test_par10"] = best if math.isfinite(best) else None
        tables: dict[str, dict[str, Any]] = {}
        for setting in SETTINGS:
            for contender in CONTENDERS:
                group = sorted((r for r in rows if r["setting"] == setting and r["contender"] == contender),
                               key=lambda r: r["seed"])
                if group:
                    tables.setdefault(setting, {})[contender] = summary(group, sc)
        sc["tables"] = tables
        sc["contenders"] = tables.get("cpu_w1", {})


def summary(group: list[dict[str, Any]], sc: dict[str, Any]) -> dict[str, Any]:
    par = [r["test_par10"] for r in group]
    med = statistics.median(par)
    default, best = sc.get("default_test_par10"), sc.get("best_known_test_par10")
    runs = sum(r["runs"] for r in group)
    return {
        "kind": sc["kind"], "seeds": len(group), "median_test_par10": med, "ci95": list(median_ci(par, resamples=BOOTSTRAP)),
        "ratio_to_default": med / default if default else None, "ratio_to_best_known": med / best if best else None,
        "median_cpu": statistics.median(r["cpu"] for r in group),
        "median_runs": statistics.median(r["runs"] for r in group),
        "tuner_ms_per_run": 1000 * math.fsum(r["tuner_seconds"] for r in group) / runs if runs else None,
        "worse_than_default": sum(1 for p in par if default is not None and p > default + 1e-12),
        "commits": sorted({r["commit"] for r in group}),
    }


# --- tables and the curve ----------------------------------------------------------------------------------
def fmt(x: Any, digits: int = 3) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def table(data: dict[str, Any], markdown: bool = False) -> str:
    lines = []
    for name, sc in data["scenarios"].items():
        lines.append(f"\n{name} ({sc['kind']}, {sc['source']}): cutoff {sc['cutoff']:g} s, {sc['n_train']}/{sc['n_test']} "
                     f"train/test instances, budget {sc['budget_cpu']:g} target-CPU s (wall_w2: {sc['budget_cpu'] / 2:g} s "
                     f"wall); default test PAR10 {fmt(sc.get('default_test_par10'))}, best known "
                     f"{fmt(sc.get('best_known_test_par10'))}")
        head = ["setting", "contender", "seeds", "median test PAR10", "95% CI", "x default", "x best", "CPU s",
                "runs", "tuner ms/run", "worse than default", "commits"]
        if markdown:
            lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        else:
            lines.append(f"{'setting':8s} {'contender':13s} {'seeds':>5s} {'PAR10':>8s} {'95% CI':>17s} {'x def':>6s} "
                         f"{'x best':>6s} {'CPU s':>7s} {'runs':>6s} {'ms/run':>8s} {'worse':>5s}  commits")
        for setting, table_ in sc.get("tables", {}).items():
            for contender, s in table_.items():
                cells = [setting, contender, str(s["seeds"]), fmt(s["median_test_par10"]),
                         f"[{fmt(s['ci95'][0])}, {fmt(s['ci95'][1])}]", fmt(s["ratio_to_default"], 2),
                         fmt(s["ratio_to_best_known"], 2), fmt(s["median_cpu"], 0), fmt(s["median_runs"], 0),
                         fmt(s["tuner_ms_per_run"], 1), str(s["worse_than_default"]), ",".join(s["commits"])]
                if markdown:
                    lines.append("| " + " | ".join(cells) + " |")
                else:
                    lines.append(f"{cells[0]:8s} {cells[1]:13s} {cells[2]:>5s} {cells[3]:>8s} {cells[4]:>17s} "
                                 f"{cells[5]:>6s} {cells[6]:>6s} {cells[7]:>7s} {cells[8]:>6s} {cells[9]:>8s} "
                                 f"{cells[10]:>5s}  {cells[11]}")
    return "\n".join(lines)


def goals(data: dict[str, Any]) -> list[str]:
    """Issue 21's goals, read off the summaries: the best of ours against each peer (median and
    whether the 95 % CIs are apart), AC-Band against the best contender (its anytime test PAR10 at
    60 % of the budget, simulated), and seeds of ours worse than the default on test."""
    out = []
    for name, sc in data["scenarios"].items():
        for setting, tab in sc.get("tables", {}).items():
            ours = {c: s for c, s in tab.items() if c in OURS}
            if not ours:
                continue
            best_ours = min(ours, key=lambda c: ours[c]["median_test_par10"])
            b = ours[best_ours]
            for peer in PEERS:
                if peer not in tab:
                    continue
                p = tab[peer]
                apart = b["ci95"][1] < p["ci95"][0] or p["ci95"][1] < b["ci95"][0]
                verdict = ("ahead" if b["median_test_par10"] < p["median_test_par10"] else
                           "level" if b["median_test_par10"] == p["median_test_par10"] else "behind")
                ci = lambda s: f"[{s['ci95'][0]:.4f}, {s['ci95'][1]:.4f}]"  # noqa: E731
                out.append(f"{name} {setting}: best of ours {best_ours} {b['median_test_par10']:.4f} {ci(b)} vs "
                           f"{peer} {p['median_test_par10']:.4f} {ci(p)}: {verdict}, CIs "
                           f"{'apart' if apart else 'overlap'} ({b['seeds']} / {p['seeds']} seeds)")
            if "acband" in tab and sc["kind"] == "simulated" and setting.startswith("cpu"):
                best = min(tab, key=lambda c: tab[c]["median_test_par10"])
                rows = [r for r in data["rows"] if r["scenario"] == name and r["setting"] == setting
                        and r["contender"] == "acband" and r["budget"] == sc["budget_cpu"] and r.get("trajectory")]
                at60 = anytime(rows, [0.6 * sc["budget_cpu"]], sc["default_test_par10"], 0)[0]
                target = 1.1 * tab[best]["median_test_par10"]
                out.append(f"{name} {setting}: acband's tuner incumbent at 60 % of the budget (anytime, before the guard) "
                           f"{at60:.4f} vs 1.1 x "
                           f"best ({best}) {target:.4f}: {'met' if at60 <= target + 1e-12 else 'NOT met'}")
        if sc["kind"] == "real" and sc.get("tables"):
            worse = {c: s["worse_than_default"] for tab in sc.get("tables", {}).values() for c, s in tab.items()
                     if c in OURS and s["worse_than_default"]}
            out.append(f"{name}: seeds of ours worse than the default on test: {worse or 'none'}")
    return out


def anytime(rows: list[dict[str, Any]], grid: Sequence[float], default: float, axis: int) -> list[float]:
    """Median over rows of the test PAR10 held at each budget of ``grid`` (axis 0: CPU, 1: wall)."""
    out = []
    for b in grid:
        vals = []
        for r in rows:
            held = default
            for point in r["trajectory"]:
                if point[axis] <= b + 1e-9:
                    held = point[2]
            vals.append(held)
        out.append(statistics.median(vals))
    return out


def plot(data: dict[str, Any], out_dir: Path) -> list[Path]:
    """One PNG per scenario: median test PAR10 vs budget for each setting (anytime, simulated; the
    final incumbents' test PAR10 vs their CPU, real)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    import numpy as np

    written = []
    for name, sc in data["scenarios"].items():
        rows = [r for r in data["rows"] if r["scenario"] == name and r["budget"] == sc["budget_cpu"]
                and r.get("test_par10") is not None]
        settings = [s for s in SETTINGS if any(r["setting"] == s for r in rows)]
        if not settings:
            continue
        fig, axes = plt.subplots(1, len(settings), figsize=(5.2 * len(settings), 4), squeeze=False)
        default, best = sc.get("default_test_par10"), sc.get("best_known_test_par10")
        for ax, setting in zip(axes[0], settings):
            wall = setting.startswith("wall")
            top = sc["budget_cpu"] / 2 if wall else sc["budget_cpu"]
            for contender in CONTENDERS:
                group = [r for r in rows if r["setting"] == setting and r["contender"] == contender]
                if not group:
                    continue
                if sc["kind"] == "simulated" and default is not None:
                    grid = np.geomspace(top / 50, top, 40)
                    ax.plot(grid, anytime(group, grid, default, 1 if wall else 0), label=f"{contender} ({len(group)})")
                else:
                    ax.scatter([r["cpu"] for r in group], [r["test_par10"] for r in group], label=contender, s=14)
            for y, text, style in ((default, "default", "--"), (best, "best known", ":")):
                if y is not None:
                    ax.axhline(y, color="grey", linestyle=style, linewidth=1)
                    ax.text(0.01, y, text, fontsize=7, va="bottom", transform=ax.get_yaxis_transform())
            if sc["kind"] == "simulated":
                ax.set_xscale("log")
                ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
                ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.set_xlabel(("wall" if wall else "target CPU") + " seconds" + (" (budget)" if sc["kind"] == "simulated" else " used"))
            ax.set_ylabel("test PAR10 (median over seeds)" if sc["kind"] == "simulated" else "test PAR10 per seed")
            ax.set_title(f"{name}: {setting}", fontsize=9)
            ax.legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / f"ac_suite_{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


# --- main ---------------------------------------------------------------------------------------------------
def scenario_entry(setup: Setup, budget: float) -> dict[str, Any]:
    from algoconf.space import default_config

    entry = {"kind": setup.kind, "source": setup.source, "cutoff": setup.cutoff,
             "par_factor": setup.scenario.par_factor, "n_train": len(setup.train), "n_test": len(setup.test),
             "budget_cpu": budget, "default_key": config_key(default_config(setup.space))}
    if setup.matrix is not None:
        par = setup._test_par
        entry["split"] = "scenario" if setup.matrix.scenario_split() else "seeded-half"
        entry.update(default_test_par10=setup.matrix_test_par10(default_config(setup.space)),
                     best_known_test_par10=float(par.min()), shape=list(setup.matrix.shape))
    else:
        given = Path(setup.scenario.root) / "best_known.json"
        if given.is_file():
            entry["best_known_given"] = float(json.loads(given.read_text())["test_par10"])
    return entry


def merge_entry(data: dict[str, Any], name: str, entry: dict[str, Any]) -> None:
    """Record a scenario's entry; rows measured on another train/test split of it are dropped.

    Entries written before the split was recorded used the seeded half split.
    """
    old = data["scenarios"].get(name, {})
    if old and "split" in entry and old.get("split", "seeded-half") != entry["split"]:
        dropped = [r for r in data["rows"] if r["scenario"] == name]
        data["rows"] = [r for r in data["rows"] if r["scenario"] != name]
        print(f"{name}: split changed ({old.get('split', 'seeded-half')} -> {entry['split']}); "
              f"{len(dropped)} rows measured on the old split dropped", file=sys.stderr)
        old = {}
    data["scenarios"][name] = {**old, **entry}


def references(setup: Setup, path: Path) -> dict[str, dict[str, Any]]:
    """The reference configurations of ``path`` as full active configurations of the space."""
    return named_configs(json.loads(path.read_text()), setup.space, label=path.stem, file=str(path))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="simulated on the small minisat matrix, tiny budget, 1 seed")
    ap.add_argument("--matrix", action="append", default=[], help="runtime matrix .npz (simulated; repeatable)")
    ap.add_argument("--scenario", action="append", default=[], help="scenario.yaml (real runs; repeatable)")
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--settings", default=",".join(SETTINGS))
    ap.add_argument("--seeds", type=int, default=None, help="default: 30 simulated, 5 real")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--budget", type=float, default=600.0, help="target-CPU seconds per run (wall_w2: half as wall)")
    ap.add_argument("--out", default=None, help=f"result JSON (default {_rel(OUT)}; --quick: a temporary file)")
    ap.add_argument("--reference", default=None, metavar="JSON",
                    help="real: configurations known to be good (a JSON list, or object of name: configuration; "
                         "values given override the default), validated with the default as best-known candidates")
    ap.add_argument("--test-instances", type=int, default=None, help="real: validate on the first N test instances only")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--table-only", action="store_true", help="print the tables (and goals) from --out, draw the PNGs")
    ap.add_argument("--markdown", action="store_true", help="with --table-only: the tables as Markdown (docs/tuners.md)")
    args = ap.parse_args(argv)
    if args.quick:
        args.matrix = args.matrix or [str(QUICK_MATRIX)]
        args.budget = min(args.budget, 15.0)  # irace refuses budgets below ~50 runs of the small matrix
        args.seeds = args.seeds or 1
        args.settings = "cpu_w1" if args.settings == ",".join(SETTINGS) else args.settings
    out = Path(args.out) if args.out else (Path(tempfile.gettempdir()) / "ac_suite_quick.json" if args.quick else OUT)
    if args.table_only:
        data = load(out)
        print(table(data, markdown=args.markdown))
        print("\n" + "\n".join(goals(data)))
        if not args.no_plot:
            for path in plot(data, out.parent):
                print(f"wrote {path}")
        return 0
    contenders = [c for c in args.contenders.split(",") if c]
    unknown = set(contenders) - set(CONTENDERS)
    settings = [s for s in args.settings.split(",") if s]
    if unknown or set(settings) - set(SETTINGS):
        ap.error(f"unknown contenders {sorted(unknown)} or settings {settings}")
    missing = irace_missing() if "irace" in contenders else None
    if missing:
        print(f"irace left out: {missing}", file=sys.stderr)
        contenders.remove("irace")
    setups = [simulated_setup(Path(m).resolve()) for m in args.matrix] + [real_setup(Path(s).resolve(), args.test_instances)
                                                                          for s in args.scenario]
    if not setups:
        ap.error("give --matrix and/or --scenario (or --quick)")
    commit = source_commit()

    for setup in setups:
        entry = scenario_entry(setup, args.budget)
        if args.reference and setup.kind == "real":
            entry["references"] = references(setup, Path(args.reference))
        update(out, lambda d, e=entry, n=setup.name: merge_entry(d, n, e))
    for setup in setups:
        n_seeds = args.seeds or (30 if setup.kind == "simulated" else 5)
        for setting in settings:
            if setup.kind == "real" and setting.startswith("wall"):
                print(f"{setup.name}: {setting} is simulated only; skipped", file=sys.stderr)
                continue
            for seed in range(args.first_seed, args.first_seed + n_seeds):
                for contender in contenders:
                    key = (setup.name, setting, contender, args.budget, seed)
                    if any((r["scenario"], r["setting"], r["contender"], r["budget"], r["seed"]) == key
                           for r in load(out)["rows"]):
                        continue
                    t0 = time.perf_counter()
                    try:
                        run = run_contender(setup, contender, setting, args.budget, seed)
                    except PeerRefused as err:  # e.g. irace: "Insufficient budget"; recorded, not scored
                        row = {"scenario": setup.name, "kind": setup.kind, "setting": setting, "contender": contender,
                               "budget": args.budget, "seed": seed, "commit": commit, "error": str(err),
                               "test_par10": None, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                        update(out, lambda d, r=row: d["rows"].append(r))
                        print(f"{setup.name} {setting} seed {seed} {contender}: {err}", file=sys.stderr, flush=True)
                        continue
                    row = {"scenario": setup.name, "kind": setup.kind, "setting": setting, "contender": contender,
                           "budget": args.budget, "seed": seed, "commit": commit, "incumbent": run.incumbent,
                           "incumbent_key": config_key(run.incumbent), "cpu": run.cpu, "runs": run.runs,
                           "wall": run.wall, "tuner_seconds": run.tuner_seconds,
                           "harness_seconds": time.perf_counter() - t0, "info": run.info,
                           "loadavg": list(os.getloadavg()), "command": " ".join(sys.argv),
                           "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                    if setup.matrix is not None:
                        row["test_par10"] = setup.matrix_test_par10(run.incumbent)
                        row["trajectory"] = [[c, w, setup.matrix_test_par10(inc)] for c, w, inc in run.trajectory]
                        if run.info.get("tuner_incumbent") is not None:  # before the incumbent guard
                            row["info"]["tuner_incumbent_test_par10"] = setup.matrix_test_par10(run.info["tuner_incumbent"])
                    else:
                        row["test_par10"] = None
                    update(out, lambda d, r=row: d["rows"].append(r))
                    print(f"{setup.name} {setting} seed {seed} {contender:12s} test PAR10 {fmt(row['test_par10'])} "
                          f"cpu {run.cpu:.1f}s runs {run.runs} ({row['harness_seconds']:.1f}s)", file=sys.stderr, flush=True)
                if setup.kind == "real":
                    validate_pending(setup, out)
        if setup.kind == "real":
            validate_pending(setup, out)
    data = load(out)
    print(table(data))
    print("\n" + "\n".join(goals(data)))
    if not args.no_plot:
        for path in plot(data, out.parent):
            print(f"wrote {path}")
    print(f"wrote {out}")
    return 0


def validate_pending(setup: Setup, out: Path) -> None:
    """Validate the default and every incumbent of ``setup`` without a test PAR10 yet, interleaved,
    one run at a time; then fill in the rows' test PAR10."""
    digest = hashlib.sha1(f"{out.resolve()}:{setup.name}".encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"ac_suite-validation-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # invocations sharing the file validate one after the other
        _validate_pending(setup, out)


def _validate_pending(setup: Setup, out: Path) -> None:
    from algoconf.space import default_config

    data = load(out)
    sc = data["scenarios"][setup.name]
    store = dict(sc.get("validations", {}))
    pending = [r for r in data["rows"] if r["scenario"] == setup.name and r.get("test_par10") is None
               and not r.get("error")]
    configs = ([default_config(setup.space)] + list(sc.get("references", {}).values())
               + [r["incumbent"] for r in pending])
    if all("test_par10" in store.get(config_key(c), {}) for c in configs) and not pending:
        return

    def fill(d: dict[str, Any]) -> None:
        d["scenarios"][setup.name].setdefault("validations", {}).update(store)
        for r in d["rows"]:
            if (r["scenario"] == setup.name and r.get("test_par10") is None
                    and "test_par10" in store.get(r.get("incumbent_key"), {})):
                r["test_par10"] = store[r["incumbent_key"]]["test_par10"]

    PairedValidator(setup.scenario, store, seed=VALIDATION_SEED).validate(configs, save=lambda: update(out, fill))
    update(out, fill)
    for r in pending:
        print(f"{setup.name} {r['setting']} seed {r['seed']} {r['contender']:12s} validated: test PAR10 "
              f"{store[r['incumbent_key']]['test_par10']:.3f} (default {store[config_key(configs[0])]['test_par10']:.3f})",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
