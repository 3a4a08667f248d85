"""Every incumbent of a run's trajectory, measured on one fixed set of training instance-seed pairs.

The convergence plot replayed from the history (:mod:`algoconf.analysis.report_trajectory`) shows
each incumbent's mean over the runs the tuner happened to give it: those are different, growing
instance subsets, so a later point can sit higher without the tuner getting worse, and two points are
not comparable. :func:`run_trajectory_costs` runs the default and every configuration that was the
incumbent (in the order they became it; the configuration the run returned last, when the replay
ends elsewhere) on the same ``n`` pairs (:func:`~algoconf.analysis.fixed_pairs.fixed_pairs`, the
pairs the ablation uses, so the two share runs), with real runs through the run's executor and
runners at the scenario's cutoff, never capped. Each point is placed at the wall-clock and target
CPU time of the tuning run at which its configuration became the incumbent.

It writes ``<run_dir>/trajectory_costs.json``; the runs are kept in
``<run_dir>/analysis/history.sqlite`` (the analyses' own history), so an interrupted or
budget-limited call resumes without repeating a run, and their target time is counted and reported.
Incumbents are evaluated one after the other, so a partial result is a prefix of the trajectory.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from algoconf.analysis.fixed_pairs import AnalysisBudgetSpent, FinishedRun
from algoconf.errors import InputError
from algoconf.execution.progress import ProgressObserver
from algoconf.records import Estimate, RunRequest, config_key, mean_cost

__all__ = ["TRAJECTORY_COSTS_FILE", "FixedSetPoint", "TrajectoryCosts", "load_trajectory_costs",
           "run_trajectory_costs", "incumbents_in_order"]

TRAJECTORY_COSTS_FILE = "trajectory_costs.json"


@dataclass(frozen=True)
class FixedSetPoint:
    """One incumbent: when it became the incumbent, its cost as the tuner saw it, and on the fixed pairs."""

    config_key: str
    run: int  # the tuning run (1-based, recorded order) after which it became the incumbent
    wallclock: float  # tuning wall-clock seconds since the first run started
    cpu_time: float  # cumulative target time of the tuning runs until then
    tuner_cost: float  # its mean over its own runs at that moment (the replayed estimate)
    tuner_cost_exact: bool
    cost: float  # mean cost on the fixed pairs
    exact: bool
    returned: bool = False  # the configuration the run returned (run.json), placed at the run's end


@dataclass(frozen=True)
class TrajectoryCosts:
    """The fixed-pair costs of a run's incumbents (module docstring)."""

    pairs: tuple[tuple[str, int], ...]
    objective: str
    par_factor: float
    default_cost: float
    default_exact: bool
    points: tuple[FixedSetPoint, ...]
    complete: bool
    end_wallclock: float
    end_cpu_time: float
    runs: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"pairs": [list(p) for p in self.pairs], "objective": self.objective, "par_factor": self.par_factor,
                "default_cost": self.default_cost, "default_exact": self.default_exact,
                "points": [_json_point(p) for p in self.points], "complete": self.complete,
                "end_wallclock": self.end_wallclock, "end_cpu_time": self.end_cpu_time, "runs": dict(self.runs)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TrajectoryCosts":
        return cls(tuple((str(i), int(s)) for i, s in data["pairs"]), str(data["objective"]),
                   float(data["par_factor"]), float(data["default_cost"]), bool(data["default_exact"]),
                   tuple(_from_json_point(p) for p in data["points"]), bool(data["complete"]),
                   float(data["end_wallclock"]), float(data["end_cpu_time"]), dict(data.get("runs", {})))


def _from_json_point(p: Mapping[str, Any]) -> FixedSetPoint:
    """A point read back from JSON (a null, written for a NaN, is NaN again)."""
    fields: dict[str, Any] = {k: (math.nan if v is None else v) for k, v in p.items()}
    return FixedSetPoint(**fields)


def _json_point(p: FixedSetPoint) -> dict[str, Any]:
    """The point as JSON-ready values (a NaN, e.g. no tuner estimate, is null: JSON has no NaN)."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(p).items()}


def incumbents_in_order(results: Sequence[Any], cost: Any, start: str | None,
                        returned: str | None) -> list[tuple[str, Any, bool]]:
    """``(config_key, first trajectory point, returned?)`` for each configuration that became the
    incumbent, in the order it first did; the returned configuration last when the replay ends
    elsewhere (its point is then None)."""
    from algoconf.analysis.report_trajectory import incumbent_trajectory

    seen: dict[str, Any] = {}
    for p in incumbent_trajectory(results, cost, start):
        seen.setdefault(p.config_key, p)
    out = [(k, p, k == returned) for k, p in seen.items()]
    last = list(seen)[-1] if seen else None
    if returned is not None and returned != last:
        out = [(k, p, False) for k, p, _ in out if k != returned] + [(returned, None, True)]
    return out


def run_trajectory_costs(run_dir: "str | Path | FinishedRun", n_instances: int = 10, *, workers: int = 1,
                         budget: float | None = None, progress: ProgressObserver | None = None,
                         executor: Any | None = None) -> TrajectoryCosts:
    """Evaluate the default and every incumbent of the run in ``run_dir`` on ``n_instances`` fixed
    training pairs; write ``<run_dir>/trajectory_costs.json`` and return it.

    InputError (before any run) when ``run_dir`` is not a finished configuration run or
    ``n_instances <= 0``. ``executor`` replaces the run's own (local processes on ``workers``, or
    the runtime matrix of a simulated run).
    """
    from algoconf.analysis.fixed_pairs import (PairRunner, fixed_pairs, load_finished_run,
                                               open_analysis_history)
    from algoconf.history import RunHistory
    from algoconf.tuners.evidence import cost_of

    if n_instances <= 0:
        raise InputError(f"the number of trajectory instances must be at least 1, got {n_instances}")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    run = run_dir if isinstance(run_dir, FinishedRun) else load_finished_run(run_dir)
    run_dir = run.run_dir
    scenario = run.scenario
    pairs = fixed_pairs(scenario.train.names, n_instances, run.seed, scenario.deterministic)
    problem = run.problem()

    def cost(r: Any) -> Estimate:
        return cost_of(problem, r)

    with RunHistory.open(run_dir) as tuning:  # read only: no lock, no changes
        results = tuning.results()
        configs = tuning.configs()
    default_key = config_key(run.default)
    configs[default_key] = dict(run.default)
    configs[config_key(run.incumbent)] = dict(run.incumbent)
    order = incumbents_in_order(results, cost, default_key, config_key(run.incumbent))
    t0 = min((r.started for r in results if r.started > 0), default=0.0)
    end_wall = max(0.0, max((r.finished for r in results), default=t0) - t0) if t0 else 0.0
    end_cpu = math.fsum(r.runtime for r in results)
    history = open_analysis_history(run_dir, scenario)
    own_executor = executor is None
    points: list[FixedSetPoint] = []
    default_cost = Estimate(math.nan, False)
    complete = True
    try:
        executor = executor if executor is not None else run.executor(workers)
        runner = PairRunner(executor, history, budget=budget, progress=progress, phase="trajectory")

        def on_pairs(config: Mapping[str, Any]) -> Estimate:
            return mean_cost(cost(r) for r in runner.run([RunRequest(dict(config), i, s, scenario.cutoff)
                                                          for i, s in pairs]))

        try:
            default_cost = on_pairs(run.default)
            for key, point, returned in order:
                m = on_pairs(configs[key])
                if point is None:  # the returned configuration the replay never made incumbent
                    points.append(FixedSetPoint(key, len(results), end_wall, end_cpu, math.nan, False, m.value,
                                                m.exact, True))
                else:
                    points.append(FixedSetPoint(key, point.run, point.wallclock, point.cpu_time, point.cost.value,
                                                point.cost.exact, m.value, m.exact, returned))
        except AnalysisBudgetSpent:
            complete = False
    finally:
        if own_executor and executor is not None:
            executor.close()
        history.close()
    counted = runner.count
    out = TrajectoryCosts(tuple(pairs), scenario.objective, problem.par_factor, default_cost.value,
                          default_cost.exact, tuple(points), complete, end_wall, end_cpu,
                          {"new": counted.new, "reused": counted.reused, "target_time": counted.cpu_time,
                           "time_kind": scenario.time_kind, "incumbents": len(order)})
    (Path(run_dir) / TRAJECTORY_COSTS_FILE).write_text(json.dumps(out.to_dict(), indent=1))
    return out


def load_trajectory_costs(run_dir: str | Path) -> TrajectoryCosts | None:
    """The fixed-pair trajectory stored in ``run_dir`` (None when there is none)."""
    path = Path(run_dir) / TRAJECTORY_COSTS_FILE
    if not path.is_file():
        return None
    try:
        return TrajectoryCosts.from_dict(json.loads(path.read_text()))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise InputError(f"not a trajectory-costs file: {err}", file=path) from None


def format_trajectory_costs(tc: TrajectoryCosts) -> str:
    """One line per incumbent: when, the tuner's estimate, and the cost on the fixed pairs."""
    k = f"PAR{tc.par_factor:g}" if tc.objective == "runtime" else "mean cost"
    lines = [f"incumbents on {len(tc.pairs)} fixed training instance-seed pairs (default: {k} {tc.default_cost:.3f})",
             f"{'after run':>9s} {'wall [s]':>9s} {'config':16s} {'tuner est.':>10s} {k + ' fixed':>11s}"]
    for p in tc.points:
        est = "" if not math.isfinite(p.tuner_cost) else f"{p.tuner_cost:.3f}" + ("" if p.tuner_cost_exact else "+")
        lines.append(f"{p.run:>9d} {p.wallclock:>9.1f} {p.config_key:16s} {est:>10s} {p.cost:>11.3f}"
                     + (" (returned)" if p.returned else ""))
    if not tc.complete:
        lines.append("incomplete: the budget ran out; run again to continue (finished runs are kept)")
    lines.append(f"runs: {tc.runs.get('new', 0)} new ({tc.runs.get('target_time', 0.0):.1f} s target time), "
                 f"{tc.runs.get('reused', 0)} from the history")
    return "\n".join(lines)
