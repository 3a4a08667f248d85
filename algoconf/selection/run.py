"""Run a fitted selector on new instances: pre-solving, features, then the chosen algorithm.

:func:`run_model` takes a model written by ``algoconf select fit`` (see
:func:`algoconf.selection.model_io.load_model`) and instance files, and plays the selector's plan
on each instance with real solvers through :class:`~algoconf.execution.LocalExecutor`:

1. the static pre-solving schedule (``selector.presolve_schedule``), each run capped at its budget;
2. for instances still unsolved, the features the model uses, computed by algoconf's feature
   extractor (``algoconf.features.compute_features``; per group caps, cached by file content);
3. ``selector.predict`` on those features, and the chosen algorithm, capped at what is left of
   the cutoff after the pre-solvers' runtime and the feature cost.

Every run is CPU-time limited by the executor. The outcome of an instance is SUCCESS when some
run of its plan solved it within the cutoff, else the status of its last run (TIMEOUT when the
budget was used up before the last step could start).

Algorithm names must be runnable:

* a runner name of :mod:`algoconf.runners` (``minisat``, ``cadical``, ``clasp``, ``pysat-*``):
  the runner with its default configuration;
* ``runner:key=value,...``: the runner with that configuration (values parsed as JSON, else text);
* a model written by ``algoconf portfolio build`` names its members; the model's
  ``configurations`` maps each to its runner and configuration (and says which extractor, groups
  and caps computed the training features: the same are used here);
* a model fitted on an algoconf run directory: the column names are configuration keys (or the
  value of a lone ``algorithm`` parameter); they are looked up in the directory's history, whose
  scenario must use a ``runner`` target.

Anything else raises :class:`~algoconf.errors.SelectionInputError` naming the algorithm.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from algoconf.errors import SelectionInputError
from algoconf.execution.local import LocalExecutor
from algoconf.features import compute_features, get_extractor
from algoconf.history import RunHistory
from algoconf.instances import Instance
from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.runners import RUNNERS, get_runner

__all__ = ["Runnable", "InstanceOutcome", "resolve_algorithms", "run_model"]


@dataclass(frozen=True)
class Runnable:
    """A selector's algorithm as something the executor can run."""

    name: str
    runner: str
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceOutcome:
    """What happened on one instance (times in CPU seconds)."""

    instance: str
    status: str  # a records.Status value
    algorithm: str | None  # the algorithm that solved it, else the last one run (None: nothing ran)
    chosen: str | None  # the selector's choice after the features (None: pre-solved)
    presolved: bool
    runtime: float  # solver time: pre-solvers plus the chosen algorithm
    feature_cost: float
    total_time: float  # runtime + feature_cost
    runs: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(self).items()}


def _parse_config(text: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise SelectionInputError(f"algorithm {name!r}: expected runner:key=value,..., got {item!r}")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def _rundir_algorithms(source: Path) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """(runner of the run directory's target or None, configuration key -> configuration)."""
    history = RunHistory.open(source)
    try:
        fingerprint = history.fingerprint or {}
        configs = history.configs()
    finally:
        history.close()
    target = json.loads(fingerprint.get("target") or "{}")
    runner = target.get("runner") if target.get("kind") == "runner" else None
    names: dict[str, dict[str, Any]] = {}
    for key, cfg in configs.items():
        names[config_key(cfg)] = cfg
        names[key] = cfg
        if set(cfg) == {"algorithm"}:
            names[str(cfg["algorithm"])] = cfg
    return runner, names


def resolve_algorithms(model: Mapping[str, Any]) -> dict[str, Runnable]:
    """Every algorithm of the model as a :class:`Runnable` (SelectionInputError for one that is not)."""
    source = Path(str(model.get("source", "")))
    from_rundir = (source / "history.sqlite").exists()
    rundir_runner, rundir_configs = _rundir_algorithms(source) if from_rundir else (None, {})
    out: dict[str, Runnable] = {}
    configurations = model.get("configurations") or {}
    for name in model["algorithms"]:
        head, sep, rest = name.partition(":")
        if name in configurations:
            spec = configurations[name]
            if spec.get("runner") not in RUNNERS:
                raise SelectionInputError(
                    f"algorithm {name!r} cannot be run: its scenario's target is not a runner "
                    f"({', '.join(sorted(RUNNERS))}); select run plays runner targets only")
            out[name] = Runnable(name, spec["runner"], dict(spec["config"]))
        elif name in RUNNERS:
            out[name] = Runnable(name, name, {})
        elif sep and head in RUNNERS:
            out[name] = Runnable(name, head, _parse_config(rest, name))
        elif name in rundir_configs and rundir_runner is not None and rundir_runner in RUNNERS:
            cfg = rundir_configs[name]
            if set(cfg) == {"algorithm"} and str(cfg["algorithm"]) in RUNNERS:
                out[name] = Runnable(name, str(cfg["algorithm"]), {})
            else:
                out[name] = Runnable(name, rundir_runner, dict(cfg))
        else:
            where = f" (run directory {source}: target is not a runner)" if from_rundir else ""
            raise SelectionInputError(
                f"algorithm {name!r} cannot be run{where}: expected a runner name "
                f"({', '.join(sorted(RUNNERS))}) or 'runner:key=value,...'"
            )
    return out


def _needed_groups(model: Mapping[str, Any], extractor) -> tuple[list[str], list[str]]:
    """(feature names the selector uses, extractor groups providing them); error on missing ones."""
    selector = model["selector"]
    if not selector.uses_features:  # e.g. the single best: nothing to compute, nothing to pay
        return [], []
    names = list(model["feature_names"])
    used = [names[c] for c in np.asarray(selector.columns_, dtype=int)]
    provider = {f: g for g, grp in extractor.groups.items() for f in grp.features}
    missing = [f for f in used if f not in provider]
    if missing:
        shown = ", ".join(missing[:8]) + (f" (+{len(missing) - 8} more)" if len(missing) > 8 else "")
        raise SelectionInputError(
            f"the model uses {len(missing)} feature(s) the {extractor.name!r} extractor does not produce: {shown}"
        )
    return used, sorted({provider[f] for f in used}, key=list(extractor.groups).index)


def _run_wave(
    jobs: Sequence[tuple[str, Runnable, float]], runners: Mapping[str, Any], instances, workers: int, seed: int
) -> list[RunResult]:
    """Run (instance, algorithm, budget) jobs, one executor per runner; results in job order."""
    results: list[RunResult | None] = [None] * len(jobs)
    for runner_name in sorted({alg.runner for _, alg, _ in jobs}):
        picked = [(k, job) for k, job in enumerate(jobs) if job[1].runner == runner_name]
        with LocalExecutor(runners[runner_name].target(), instances, n_workers=workers) as executor:
            futures = {
                executor.submit(RunRequest(dict(alg.config), inst, seed, float(budget))): k
                for k, (inst, alg, budget) in picked
            }
            for fut in executor.as_completed(list(futures)):
                results[futures[fut]] = fut.result()
    return [r for r in results if r is not None]


def _solved(result: RunResult, budget: float) -> bool:
    return result.status is Status.SUCCESS and result.runtime <= budget + 1e-9


def run_model(
    model: Mapping[str, Any],
    paths: Sequence[str | Path],
    *,
    workers: int = 1,
    seed: int = 0,
    extractor: str = "cnf",
    cache_dir: str | Path | None = None,
) -> list[InstanceOutcome]:
    """Play the model's plan on each instance file (see the module docstring); outcomes in input order."""
    selector = model["selector"]
    if not getattr(selector, "is_runtime_", True):
        raise SelectionInputError("select run needs a runtime model; this one was fitted on quality data")
    cutoff = float(model["cutoff"])
    algorithms = resolve_algorithms(model)
    runners = {a.runner: get_runner(a.runner) for a in algorithms.values()}
    for r in runners.values():
        if not r.available():
            raise SelectionInputError(f"runner {r.name!r} cannot run here: {r.missing()}")
    ex = get_extractor(model.get("extractor") or extractor)
    used, groups = _needed_groups(model, ex)
    names = [str(p) for p in paths]
    for p in names:
        if not Path(p).is_file():
            raise SelectionInputError("instance file not found", file=p)
    instances = {p: Instance(p, Path(p)) for p in names}

    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in names}
    spent = {p: 0.0 for p in names}
    last: dict[str, tuple[str, RunResult] | None] = {p: None for p in names}
    solved_by: dict[str, str] = {}

    def record(inst: str, alg: Runnable, budget: float, result: RunResult, phase: str) -> None:
        used_time = max(result.runtime, 0.0)  # measured, may pass the budget by the kill latency
        spent[inst] += used_time
        last[inst] = (alg.name, result)
        runs[inst].append({"phase": phase, "algorithm": alg.name, "budget": budget,
                           "status": result.status.value, "runtime": result.runtime})
        if _solved(result, budget):
            solved_by[inst] = alg.name

    # 1. pre-solving schedule, step by step (an instance leaves the schedule once solved)
    for alg_name, budget in selector.presolve_schedule:
        todo = [p for p in names if p not in solved_by and cutoff - spent[p] > 1e-9]
        jobs = [(p, algorithms[alg_name], min(float(budget), cutoff - spent[p])) for p in todo]
        for (p, alg, b), res in zip(jobs, _run_wave(jobs, runners, instances, workers, seed)):
            record(p, alg, b, res, "presolve")

    # 2. features of the instances still unsolved, 3. the selector's schedule on them
    rest = [p for p in names if p not in solved_by]
    feature_cost = {p: 0.0 for p in names}
    chosen: dict[str, str] = {}
    if rest:
        X = np.full((len(rest), len(model["feature_names"])), np.nan)
        col = {f: k for k, f in enumerate(model["feature_names"])}
        if groups:
            comp = compute_features(rest, extractor=ex.name, groups=groups, caps=model.get("feature_caps"),
                                    workers=workers, cache_dir=cache_dir, seed=seed)
            for f in used:
                X[:, col[f]] = comp.values.loc[rest, f].to_numpy(dtype=float)
            for p in rest:
                feature_cost[p] = float(np.nansum(comp.costs.loc[p, groups].to_numpy(dtype=float)))
                spent[p] += feature_cost[p]
        ok = ~np.all(np.isnan(X[:, [col[f] for f in used]]), axis=1) if used else np.ones(len(rest), bool)
        plans = dict(zip(rest, selector.predict(X, ok)))
        step = 0
        while True:
            jobs = []
            for p in rest:
                plan = plans[p]
                if p in solved_by or step >= len(plan) or cutoff - spent[p] <= 1e-9:
                    continue
                alg_name, budget = plan[step]
                if step == 0:
                    chosen[p] = alg_name
                jobs.append((p, algorithms[alg_name], min(float(budget), cutoff - spent[p])))
            if not jobs:
                break
            for (p, alg, b), res in zip(jobs, _run_wave(jobs, runners, instances, workers, seed)):
                record(p, alg, b, res, "selected")
            step += 1

    out: list[InstanceOutcome] = []
    for p in names:
        final = last[p]
        if p in solved_by:
            status = Status.SUCCESS.value
        elif final is None or (final[1].status is Status.SUCCESS):  # nothing ran, or finished too late
            status = Status.TIMEOUT.value
        else:
            status = final[1].status.value
        runtime = spent[p] - feature_cost[p]
        out.append(InstanceOutcome(
            instance=p,
            status=status,
            algorithm=solved_by.get(p) or (final[0] if final else None),
            chosen=chosen.get(p),
            presolved=p in solved_by and p not in rest,
            runtime=round(runtime, 6),
            feature_cost=round(feature_cost[p], 6),
            total_time=round(spent[p], 6),
            runs=tuple(runs[p]),
        ))
    return out

