"""Hydra: a portfolio of configurations built by configuring for the portfolio's marginal gain.

:func:`build_portfolio` runs ``size`` iterations. Iteration ``i`` configures the scenario with an
algoconf tuner (through the engine, in its own resumable run directory ``OUT/iter-<i>``) on a
problem whose cost on an instance is ``min(own cost, current portfolio's best cost there)``
(``extra["portfolio_costs"]``, see :func:`algoconf.tuners.evidence.cost_of`), so the tuner looks for
the configuration that most improves the portfolio's virtual best; the incumbent joins the portfolio
and is run once on every training instance (fixed evaluation seeds, full cutoff, so every cost is
exact) to update the portfolio's per-instance best. An iteration whose incumbent is already a
member adds nothing. A finished iteration leaves ``member.json`` and is not repeated on a re-run.

At the end every member is also run on the test instances (same seeds for all members) and
``portfolio.json`` reports, on train and on test, the virtual best of the portfolio (per instance the
best member; PAR-k for runtime scenarios, mean cost otherwise) next to the single best member.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from algoconf.errors import InputError, RunAborted
from algoconf.execution.base import Executor
from algoconf.execution.progress import ProgressObserver, ProgressUpdate, map_with_progress
from algoconf.records import RunRequest, config_key
from algoconf.tuners.evidence import cost_of

__all__ = ["PortfolioMember", "PortfolioScore", "PortfolioResult", "build_portfolio", "run_on_instances",
           "score_matrix", "run_record", "record_result", "evaluation_seeds"]

_EVAL_SEED_SALT = {"train": 0x4879_6472, "test": 0x4879_7465}
MEMBER_FILE = "member.json"
PORTFOLIO_FILE = "portfolio.json"


@dataclass(frozen=True)
class PortfolioMember:
    """One configuration of the portfolio, with its costs on the training instances.

    ``train_costs`` are reporting costs (PAR-k for runtime); ``tuning_costs`` are in the tuner's
    units (they differ only for a utility-scored scenario) and feed the next iteration.
    """

    iteration: int
    config: Mapping[str, Any]
    key: str
    train_costs: Mapping[str, float]
    tuning_costs: Mapping[str, float]
    tuner_runs: int = 0
    train_runs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # instance -> run record


@dataclass(frozen=True)
class PortfolioScore:
    """Virtual best of the portfolio vs its single best member on one instance set."""

    instances: str  # "train" or "test"
    n: int
    vbs: float  # mean over instances of the best member's cost
    sbs: float  # mean cost of the single best member
    sbs_member: int  # index into members
    member_costs: Sequence[float]  # mean cost of each member
    vbs_solved: int | None = None  # runtime scenarios: instances some member solved


@dataclass(frozen=True)
class PortfolioResult:
    members: Sequence[PortfolioMember]
    iterations: Sequence[Mapping[str, Any]]
    train: PortfolioScore
    test: PortfolioScore | None
    par_factor: float
    objective: str
    out_dir: str
    test_matrix: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": self.out_dir, "objective": self.objective, "par_factor": self.par_factor,
            "members": [asdict(m) | {"config": dict(m.config), "train_costs": dict(m.train_costs),
                                     "tuning_costs": dict(m.tuning_costs),
                                     "train_runs": {k: dict(v) for k, v in m.train_runs.items()}}
                        for m in self.members],
            "iterations": [dict(it) for it in self.iterations],
            "train": asdict(self.train), "test": asdict(self.test) if self.test else None,
            "test_matrix": {k: list(v) for k, v in self.test_matrix.items()},
        }


def run_record(result: Any) -> dict[str, Any]:
    """The part of a RunResult a portfolio keeps per (member, instance): enough to rebuild the
    censoring-aware runtime (status, runtime, cutoff) and to re-run it (seed)."""
    return {"status": result.status.value, "runtime": float(result.runtime), "seed": int(result.request.seed),
            "cutoff": result.request.cutoff}


def record_result(config: Mapping[str, Any], instance: str, record: Mapping[str, Any]) -> Any:
    """A RunResult rebuilt from :func:`run_record` (the inverse, up to the fields not kept)."""
    from algoconf.records import RunResult, Status

    return RunResult(RunRequest(dict(config), instance, int(record["seed"]), record.get("cutoff")),
                     Status(record["status"]), float(record["runtime"]))


def _save_member(path: Path, member: PortfolioMember) -> None:
    path.write_text(json.dumps(asdict(member) | {"config": dict(member.config),
                                                 "train_costs": dict(member.train_costs),
                                                 "tuning_costs": dict(member.tuning_costs),
                                                 "train_runs": {k: dict(v) for k, v in member.train_runs.items()}},
                               indent=1, default=str))


def _reporting_problem(scenario: Any) -> Any:
    problem = scenario.tuning_problem()
    return dataclasses.replace(problem, extra={k: v for k, v in problem.extra.items() if k != "utility"})


def evaluation_seeds(scenario: Any, instances: Sequence[str], *, seed: int, which: str) -> list[int]:
    """The run seed of each instance in evaluation runs (one per position; 0 for deterministic targets)."""
    rng = np.random.default_rng([int(seed), _EVAL_SEED_SALT[which]])
    return [0 if scenario.deterministic else int(s) for s in rng.integers(0, 2**31 - 1, size=len(instances))]


def run_on_instances(scenario: Any, configs: Sequence[Mapping[str, Any]], executor: Executor,
                     instances: Sequence[str], *, seed: int, which: str,
                     progress: ProgressObserver | None = None) -> list[list[Any]]:
    """Run every configuration once on every instance (the same seeds for all configurations,
    drawn from a stream distinct from the tuning seeds, full cutoff); results[config][instance].
    ``progress`` gets the runs done (phase "<which> runs")."""
    seeds = evaluation_seeds(scenario, instances, seed=seed, which=which)
    requests = [RunRequest(dict(c), inst, s, scenario.cutoff) for c in configs for inst, s in zip(instances, seeds)]
    flat = map_with_progress(executor, requests, progress, f"{which} runs")
    n = len(instances)
    return [flat[i * n:(i + 1) * n] for i in range(len(configs))]


def _phase_prefix(progress: ProgressObserver | None, prefix: str) -> ProgressObserver | None:
    """``progress`` with every phase renamed "<prefix>: <phase>" (None stays None)."""
    if progress is None:
        return None

    def observe(update: ProgressUpdate) -> None:
        progress(dataclasses.replace(update, phase=f"{prefix}: {update.phase}"))

    return observe


def score_matrix(costs: Sequence[Sequence[float]], which: str, solved: Sequence[Sequence[bool]] | None = None
                 ) -> PortfolioScore:
    """VBS and single best of a members x instances matrix of exact costs."""
    m = np.asarray(costs, dtype=float)
    if m.ndim != 2 or m.shape[0] == 0 or m.shape[1] == 0:
        raise ValueError("score_matrix needs at least one member and one instance")
    means = m.mean(axis=1)
    best = int(np.argmin(means))
    vbs_solved = None if solved is None else int(np.asarray(solved, dtype=bool).any(axis=0).sum())
    return PortfolioScore(which, int(m.shape[1]), float(m.min(axis=0).mean()), float(means[best]), best,
                          [float(x) for x in means], vbs_solved)


def build_portfolio(scenario: Any, out_dir: str | Path, size: int, tuner: str, executor: Executor, *,
                    budget: float | None = None, runs: int | None = None, seed: int | None = None,
                    workers: int = 1, progress: ProgressObserver | None = None,
                    tuner_options: Mapping[str, Any] | None = None) -> PortfolioResult:
    """Build (or resume) a Hydra portfolio of up to ``size`` configurations; see the module docstring.

    ``budget`` (wall-clock seconds) and ``runs`` bound each iteration's configuration run (default:
    the scenario's budget). ``executor`` runs everything and stays open (the caller closes it).
    ``progress`` observes every phase (each iteration's tuning and guard, the runs on the training
    and test instances), phases named after the iteration.
    """
    from algoconf.run.session import open_session

    if size < 1:
        raise InputError(f"--size must be at least 1, got {size}")
    seed = int(scenario.seed if seed is None else seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report_problem = _reporting_problem(scenario)
    tuning_problem = scenario.tuning_problem()
    train = list(scenario.train.names)
    members: list[PortfolioMember] = []
    iterations: list[dict[str, Any]] = []
    best: dict[str, float] = {}  # portfolio's best tuning cost per training instance
    for i in range(1, size + 1):
        it_dir = out_dir / f"iter-{i}"
        member_path = it_dir / MEMBER_FILE
        if member_path.is_file():
            saved = json.loads(member_path.read_text())
            member = PortfolioMember(i, saved["config"], saved["key"], saved["train_costs"], saved["tuning_costs"],
                                     int(saved.get("tuner_runs", 0)), saved.get("train_runs") or {})
        else:
            extra = dict(tuning_problem.extra)
            if best:
                extra["portfolio_costs"] = dict(best)
            problem = dataclasses.replace(tuning_problem, extra=extra)
            session = open_session(scenario, it_dir, tuner, seed=seed + i - 1, workers=workers, runs=runs,
                                   wallclock=budget, progress=_phase_prefix(progress, f"iteration {i}"),
                                   tuner_options=tuner_options,
                                   executor=executor, problem=problem)
            try:  # the executor is shared across iterations: close only this iteration's history
                outcome = session.run()
            finally:
                session.history.close()
            if outcome.incumbent is None:
                raise RunAborted(f"Hydra iteration {i} finished no run ({outcome.stop_reason}); "
                                 "give it a larger --budget or --runs")
            results = run_on_instances(scenario, [outcome.incumbent], executor, train, seed=seed, which="train",
                                       progress=_phase_prefix(progress, f"iteration {i}"))[0]
            member = PortfolioMember(
                i, dict(outcome.incumbent), config_key(outcome.incumbent),
                {r.request.instance: cost_of(report_problem, r).value for r in results},
                {r.request.instance: cost_of(tuning_problem, r).value for r in results}, outcome.runs,
                {r.request.instance: run_record(r) for r in results})
            _save_member(member_path, member)
        added = all(m.key != member.key for m in members)
        before = float(np.mean([best[n] for n in train])) if best else math.inf
        if added:
            members.append(member)
            for name in train:
                cost = float(member.tuning_costs[name])
                best[name] = min(best.get(name, math.inf), cost)
        after = float(np.mean([best[n] for n in train]))
        iterations.append({"iteration": i, "key": member.key, "added": added, "tuner_runs": member.tuner_runs,
                           "portfolio_train_cost_before": before, "portfolio_train_cost_after": after})

    train_score = score_matrix([[m.train_costs[n] for n in train] for m in members], "train",
                               None if scenario.objective != "runtime" else
                               [[m.train_costs[n] < report_problem.par_factor * scenario.cutoff for n in train]
                                for m in members])
    test_score = None
    test_matrix: dict[str, list[float]] = {}
    if scenario.test is not None and len(scenario.test):
        test = list(scenario.test.names)
        results = run_on_instances(scenario, [m.config for m in members], executor, test, seed=seed, which="test",
                                   progress=progress)
        costs = [[cost_of(report_problem, r).value for r in row] for row in results]
        test_score = score_matrix(costs, "test", [[r.status.solved for r in row] for row in results])
        test_matrix = {m.key: row for m, row in zip(members, costs)}
    result = PortfolioResult(members, iterations, train_score, test_score, report_problem.par_factor,
                             scenario.objective, str(out_dir), test_matrix)
    (out_dir / PORTFOLIO_FILE).write_text(json.dumps(result.to_dict(), indent=1, default=str))
    return result
