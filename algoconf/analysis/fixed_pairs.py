"""Real runs on a fixed set of training instance-seed pairs, for the analyses of a finished run.

The ablation (:mod:`algoconf.analysis.ablation`) and the incumbent trajectory on a fixed instance
set (:mod:`algoconf.analysis.trajectory_costs`) compare configurations on the *same* pairs, run
after tuning. They share:

* :func:`fixed_pairs`: the first ``n`` pairs of one seeded order of the training instances (the
  run's seed and a salt of their own, so a larger ``n`` extends a smaller one: its runs are reused).
  Beyond the number of training instances the order repeats with new seeds; a deterministic
  scenario (seed 0 only) has at most one pair per instance.
* :class:`PairRunner`: runs requests through an executor, each result committed to its own history
  ``<run_dir>/analysis/history.sqlite`` (a :class:`~algoconf.history.RunHistory` with the scenario's
  fingerprint, holding that folder's lock) as soon as it finishes. A request whose key is already
  there is answered from the history, so an interrupted analysis resumes where it stopped and the
  ablation and the trajectory share their runs (the default, the final incumbent). Runs go to the
  scenario's cutoff, never capped: a timeout is a timeout at the cutoff, PAR-k counts it so.
  A wall-clock ``budget`` (seconds of this process) stops the runs still going when it is spent
  (their partial results are not recorded) and raises :class:`AnalysisBudgetSpent`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from algoconf.errors import InputError
from algoconf.execution.progress import ProgressObserver, ProgressUpdate, phase_eta
from algoconf.records import RunRequest, RunResult

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.execution.base import Executor
    from algoconf.history import RunHistory
    from algoconf.history.contract import HistoryStore
    from algoconf.scenario import Scenario

__all__ = ["ANALYSIS_DIR", "AnalysisBudgetSpent", "FinishedRun", "PairRunner", "RunCount", "fixed_pairs",
           "load_finished_run", "open_analysis_history"]

#: the analyses' own run directory inside a configuration run directory
ANALYSIS_DIR = "analysis"
_PAIR_SEED_SALT = 0xAB1A_7105


class AnalysisBudgetSpent(Exception):
    """The analysis' wall-clock budget ran out; every finished run is in its history."""


def fixed_pairs(train: Sequence[str], n: int, seed: int, deterministic: bool) -> list[tuple[str, int]]:
    """The first ``n`` (instance, seed) pairs of the run's fixed order (module docstring).

    Raises InputError for ``n <= 0``, no training instances, or more pairs than a deterministic
    scenario has instances.
    """
    if n <= 0:
        raise InputError(f"the number of instances must be at least 1, got {n}")
    names = list(train)
    if not names:
        raise InputError("the scenario has no training instances to evaluate on")
    if deterministic and n > len(names):
        raise InputError(f"{n} instance-seed pairs asked for, but the scenario is deterministic (seed 0 only) "
                         f"and has {len(names)} training instances")
    rng = np.random.default_rng([int(seed), _PAIR_SEED_SALT])
    order = [names[i] for i in rng.permutation(len(names))]
    seeds = rng.integers(0, 2**31 - 1, size=n)
    return [(order[i % len(order)], 0 if deterministic else int(seeds[i])) for i in range(n)]


@dataclass
class RunCount:
    """Runs this process made, and the ones answered from the history."""

    new: int = 0
    reused: int = 0
    cpu_time: float = 0.0  # target CPU (or wall, per the scenario's time kind) seconds of the new runs


class PairRunner:
    """Requests answered from ``history`` or run on ``executor`` (see the module docstring)."""

    def __init__(self, executor: Executor, history: HistoryStore, *, budget: float | None = None,
                 progress: ProgressObserver | None = None, phase: str = "analysis"):
        self.executor = executor
        self.history = history
        self.deadline = None if budget is None else time.monotonic() + float(budget)
        self.progress = progress
        self.phase = phase
        self.count = RunCount()
        self._seen: set[tuple] = set()  # keys counted already (a run asked for twice is counted once)

    def run(self, requests: Sequence[RunRequest]) -> list[RunResult]:
        """Results in request order; AnalysisBudgetSpent when the budget ends before all are done."""
        stored = {r.key: self.history.get(r.key) for r in requests}
        results: dict[tuple, RunResult] = {k: v for k, v in stored.items() if v is not None}
        earlier = set(results) - self._seen  # made by an earlier process (or analysis), not by this one
        self.count.reused += len(earlier)
        self._seen |= earlier
        missing: dict[tuple, RunRequest] = {}
        for r in requests:
            if r.key not in results:
                missing.setdefault(r.key, r)
        if missing:
            self._check_budget()
            self._run(list(missing.values()), results)
        return [results[r.key] for r in requests]

    def _check_budget(self) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise AnalysisBudgetSpent()

    def _run(self, todo: list[RunRequest], results: dict[tuple, RunResult]) -> None:
        futures = [self.executor.submit(r) for r in todo]
        start = time.monotonic()
        done = 0
        try:
            pending = set(futures)
            while pending:
                timeout = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
                finished, pending = _wait(self.executor, pending, timeout)
                if not finished:  # the budget is spent: stop what still runs, keep nothing of it
                    raise AnalysisBudgetSpent()
                for f in finished:
                    result = f.result()
                    self.history.commit([result])
                    results[result.request.key] = result
                    self._seen.add(result.request.key)
                    self.count.new += 1
                    self.count.cpu_time += float(result.runtime)
                    done += 1
                if self.progress is not None:
                    now = time.monotonic()
                    self.progress(ProgressUpdate(self.phase, done, len(todo), "runs",
                                                 phase_eta(done, len(todo), now - start), final=not pending))
        except BaseException:
            for f in futures:
                if not f.done():
                    if not self.executor.cancel(f):
                        self.executor.stop(f)
            raise


def _wait(executor: Executor, pending: set, timeout: float | None) -> tuple[set, set]:
    """The futures done within ``timeout`` seconds (at least one unless it passed) and the rest."""
    finished, rest = executor.wait(pending, timeout)
    return set(finished), set(rest)


def open_analysis_history(run_dir: str | Path, scenario: Scenario) -> RunHistory:
    """The analyses' history ``<run_dir>/analysis/history.sqlite`` (created on first use, locked)."""
    from algoconf.history import RunHistory

    return RunHistory.open(Path(run_dir) / ANALYSIS_DIR, scenario)


@dataclass(frozen=True)
class FinishedRun:
    """What an analysis needs of a finished configuration run directory (its ``run.json``)."""

    run_dir: Path
    scenario: Scenario
    incumbent: dict[str, Any]  # active values, typed by the space
    default: dict[str, Any]
    seed: int
    simulate: str | None  # the runtime matrix a simulated run was answered from
    make_executor: Any = None  # workers -> executor (a run of the Python API, whose target is a function)
    guard: Any = None  # the incumbent guard's verdict in run.json (a dict), if any

    def problem(self) -> Any:
        """The scenario's tuning problem scored by PAR-k (no utility), as validation scores it."""
        import dataclasses

        problem = self.scenario.tuning_problem()
        return dataclasses.replace(problem, extra={k: v for k, v in problem.extra.items() if k != "utility"})

    def executor(self, workers: int) -> Any:
        """Local processes (training instances), or the run's runtime matrix for a simulated run."""
        if self.make_executor is not None:
            return self.make_executor(workers)
        if self.simulate:
            from algoconf.tuners.simulated import simulated_executor

            executor, _ = simulated_executor(self.scenario, self.simulate, workers, caller_time="free")
            return executor
        from algoconf.run.session import build_executor

        return build_executor(self.scenario, workers, include_test=False)


def load_finished_run(run_dir: str | Path) -> FinishedRun:
    """Read ``run.json`` and the scenario it names; InputError when the folder is not a finished
    configuration run (no ``run.json``, no incumbent, a scenario file that is gone)."""
    import json

    from algoconf.errors import ConfigurationError
    from algoconf.scenario import load_scenario
    from algoconf.space import active_config, default_config

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("not a folder: give a configuration run directory", file=run_dir)
    info_path = run_dir / "run.json"
    if not info_path.is_file():
        raise InputError("no run.json here: not a finished configuration run directory "
                         "(run 'algoconf configure' first, or let it finish)", file=run_dir)
    try:
        info = json.loads(info_path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"expected JSON: {err.msg}", file=info_path, line=err.lineno) from None
    incumbent = (info.get("outcome") or {}).get("incumbent")
    if incumbent is None:
        raise InputError("the run has no incumbent (no run finished)", file=info_path)
    scenario_path = Path(str(info.get("scenario", "")))
    if not scenario_path.is_file():
        raise InputError(f"the run's scenario file {scenario_path} is gone", file=info_path)
    scenario = load_scenario(scenario_path)
    try:
        incumbent = active_config(scenario.space, incumbent)
    except ConfigurationError as err:
        raise InputError(f"the run's incumbent is not a configuration of its scenario's space: {err}",
                         file=info_path) from None
    seed = info.get("seed")
    return FinishedRun(run_dir, scenario, incumbent, default_config(scenario.space),
                       int(scenario.seed if seed is None else seed), info.get("simulate"),
                       guard=(info.get("outcome") or {}).get("guard"))
