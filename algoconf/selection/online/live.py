"""Live online selection: real solvers on a stream of real instances, resumable.

For each instance of the scenario (training then test instances, shuffled with ``seed``):

1. its features are computed with the feature extractors (:func:`algoconf.features.compute_features`,
   cheap groups by default, cached by file content under ``<run_dir>/features``); their CPU time is
   the instance's feature cost;
2. the online selector picks one of the solvers;
3. that solver runs through a :class:`~algoconf.execution.LocalExecutor` with the scenario's
   cutoff, memory limit and clock (the cutoff is enforced by the executor: a run that reaches it is
   killed and comes back TIMEOUT, i.e. censored);
4. the result is written to the run history (``<run_dir>/history.sqlite``) *before* the selector
   learns from it.

A result is stored under the configuration ``{"solver": name}``, so the history key of a run is
(solver, instance, seed). Resuming: a stopped stream is continued by running the same command again.
The selector is rebuilt by replaying the stream from the start: for an instance already in the
history its choice is made again (keeping the selector's random draws in step) and the recorded
result is used instead of a new run, so nothing is run twice and the resumed stream continues as the
uninterrupted one would have. The history is opened with a fingerprint of the scenario, the solvers,
the policy, the seed and the feature groups: resuming with any of them changed raises
:class:`~algoconf.errors.ScenarioMismatchError` naming the difference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from algoconf.errors import InputError
from algoconf.execution.local import LocalExecutor
from algoconf.features import compute_features, get_extractor
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.runners import get_runner
from algoconf.selection.online.contract import as_observation
from algoconf.selection.online.policies import RECOMMENDED_POLICY, make_online_selector

__all__ = ["LiveStep", "LiveSummary", "run_live", "DEFAULT_FEATURE_GROUPS"]

#: feature groups computed per instance when none are named (cheap: linear in the file size)
DEFAULT_FEATURE_GROUPS = {"cnf": ("base",), "jobshop": None}


@dataclass(frozen=True)
class LiveStep:
    """One instance of the live stream."""

    index: int
    instance: str
    solver: str
    status: str
    runtime: float
    feature_seconds: float
    cost: float  # PAR-k: feature seconds + runtime when solved within the cutoff, else k x cutoff
    resumed: bool  # the result came from the history (not run again)


@dataclass(frozen=True)
class LiveSummary:
    policy: str
    solvers: tuple[str, ...]
    steps: tuple[LiveStep, ...]

    @property
    def par10(self) -> float:
        return float(np.mean([s.cost for s in self.steps])) if self.steps else math.nan

    @property
    def n_new_runs(self) -> int:
        return sum(not s.resumed for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "solvers": list(self.solvers),
            "instances": len(self.steps),
            "par10": self.par10,
            "solved": sum(s.status == Status.SUCCESS.value for s in self.steps),
            "new_runs": self.n_new_runs,
            "resumed_runs": len(self.steps) - self.n_new_runs,
            "choices": {s: sum(step.solver == s for step in self.steps) for s in self.solvers},
            "steps": [vars(s) for s in self.steps],
        }


def _instances(scenario) -> list:
    items = list(scenario.train)
    if scenario.test is not None:
        seen = {i.name for i in items}
        items += [i for i in scenario.test if i.name not in seen]
    return items


def run_live(
    scenario,
    solvers: Sequence[str],
    run_dir: str | Path,
    *,
    policy: str = RECOMMENDED_POLICY,
    seed: int = 0,
    limit: int | None = None,
    feature_groups: Sequence[str] | None = None,
    progress: Callable[[LiveStep], None] | None = None,
) -> LiveSummary:
    """Run the live stream of ``scenario`` with ``solvers`` (runner names); see the module docstring."""
    if scenario.objective != "runtime" or scenario.cutoff is None:
        raise InputError("live online selection needs a runtime scenario with a cutoff", file=scenario.source)
    solvers = tuple(dict.fromkeys(s.strip() for s in solvers if s.strip()))
    if len(solvers) < 2:
        raise InputError(f"--solvers: give at least two solvers, got {list(solvers)}")
    runners = {}
    for name in solvers:
        try:
            runner = get_runner(name)
        except KeyError as err:
            raise InputError(f"--solvers: {err.args[0]}") from None
        why = runner.missing()
        if why is not None:
            raise InputError(f"--solvers: {name} cannot run here: {why}")
        runners[name] = runner
    kinds = {r.instance_kind for r in runners.values()}
    if len(kinds) != 1:
        raise InputError(f"--solvers: the solvers read different instance kinds {sorted(kinds)}")
    extractor = get_extractor(kinds.pop())
    groups = tuple(feature_groups) if feature_groups else DEFAULT_FEATURE_GROUPS.get(extractor.name)
    order = extractor.order(groups)
    feature_names = extractor.feature_names(order)

    instances = _instances(scenario)
    stream = [instances[i] for i in np.random.default_rng(seed).permutation(len(instances))]
    if limit is not None:
        stream = stream[: max(int(limit), 0)]
    run_dir = Path(run_dir)
    fingerprint = {
        "mode": "online-selection",
        "scenario": scenario.fingerprint(),
        "solvers": list(solvers),
        "policy": policy,
        "seed": int(seed),
        "feature_groups": list(order),
    }
    selector = make_online_selector(policy, solvers, len(feature_names), scenario.cutoff, seed=seed)
    mapping = {i.name: i for i in instances}
    keys = {s: config_key({"solver": s}) for s in solvers}
    steps: list[LiveStep] = []
    executors = {
        name: LocalExecutor(runner.target(scenario.root), mapping, n_workers=1,
                            memory_limit_mb=scenario.memory_limit, time_kind=scenario.time_kind)
        for name, runner in runners.items()
    }
    try:
        with RunHistory.open(run_dir, fingerprint=fingerprint) as history:
            for index, inst in enumerate(stream):
                feats = compute_features([inst.path], extractor=extractor.name, groups=order,
                                         cache_dir=run_dir / "features", workers=1, seed=seed)
                x = feats.values.loc[str(inst.path)].to_numpy(dtype=float)
                feature_seconds = float(np.nansum(feats.costs.loc[str(inst.path)].to_numpy(dtype=float)))
                choice = selector.select(x)
                recorded = [history.get((keys[s], inst.name, int(seed))) for s in solvers]
                done = [(s, r) for s, r in zip(solvers, recorded) if r is not None]
                if done:
                    solver, result = done[0]
                else:
                    solver = choice
                    run = executors[solver].submit(RunRequest({}, inst.name, int(seed), scenario.cutoff)).result()
                    result = _as_solver_result(run, solver, scenario.cutoff)
                    history.commit([result])
                selector.update(x, solver, as_observation(result, scenario.cutoff))
                solved_in_time = result.status is Status.SUCCESS and result.runtime + feature_seconds <= scenario.cutoff
                cost = result.runtime + feature_seconds if solved_in_time else scenario.par_factor * scenario.cutoff
                step = LiveStep(index, inst.name, solver, result.status.value, result.runtime, feature_seconds,
                                cost, bool(done))
                steps.append(step)
                if progress is not None:
                    progress(step)
    finally:
        for ex in executors.values():
            ex.close()
    return LiveSummary(policy, solvers, tuple(steps))


def _as_solver_result(run: RunResult, solver: str, cutoff: float) -> RunResult:
    request = RunRequest({"solver": solver}, run.request.instance, run.request.seed, cutoff)
    return RunResult(request=request, status=run.status, runtime=run.runtime, wallclock=run.wallclock,
                     quality=run.quality, info=run.info, started=run.started, finished=run.finished,
                     worker=run.worker)
