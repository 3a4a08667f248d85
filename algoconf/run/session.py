"""One configuration run, assembled: scenario -> problem, tuner, executor, history, engine.

:func:`open_session` builds (or resumes, from the same run directory) everything the engine needs;
the CLI (``algoconf configure``) and the benchmarks go through it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, cast

from algoconf.errors import InputError
from algoconf.execution.base import Executor
from algoconf.execution.dask import DaskExecutor, connect_scheduler
from algoconf.execution.descendants import kill_orphans_of
from algoconf.execution.equivalence import BehaviourProbe, EquivalenceCache
from algoconf.execution.local import LocalExecutor
from algoconf.execution.progress import ProgressObserver
from algoconf.history import RunHistory
from algoconf.run.engine import Engine, EngineLimits, EngineOutcome
from algoconf.run.incumbent_guard import IncumbentGuard
from algoconf.targets import build_target
from algoconf.tuners import get_tuner

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.history.contract import HistoryStore
    from algoconf.scenario import Scenario
    from algoconf.tuners.base import TuningProblem

__all__ = ["Session", "open_session", "build_executor", "behaviour_probe"]


@dataclass
class Session:
    """A ready engine with its parts; close() releases the executor and the history."""

    scenario: Scenario
    engine: Engine
    executor: Executor
    history: HistoryStore
    run_dir: Path
    owns_client: bool = False  # the Dask client was opened here (--scheduler) and is closed here

    def run(self) -> EngineOutcome:
        return self.engine.run()

    def close(self) -> None:
        self.executor.close()
        if self.owns_client:  # a DaskExecutor on the client opened here
            cast("DaskExecutor", self.executor).client.close()
        self.history.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def build_executor(scenario: Scenario, workers: int, scheduler: str | None = None,
                   include_test: bool = True) -> Executor:
    """The executor for a scenario: local processes, or a Dask cluster at ``scheduler``."""
    target = build_target(scenario.target, scenario.root)
    instances = dict(scenario.train.as_mapping())
    if include_test and scenario.test is not None:
        instances.update(scenario.test.as_mapping())
    if scheduler:
        client = connect_scheduler(scheduler)
        return DaskExecutor(client, target, instances, memory_limit_mb=scenario.memory_limit,
                            time_kind=scenario.time_kind)
    return LocalExecutor(target, instances, n_workers=workers, memory_limit_mb=scenario.memory_limit,
                         time_kind=scenario.time_kind)


def behaviour_probe(scenario: Scenario, executor: Executor | None = None) -> BehaviourProbe:
    """The behaviour probe of the scenario's target (of ``executor``'s target when one is given),
    for equivalence caching; :class:`InputError` naming the scenario when the target has none."""
    target = getattr(executor, "target", None) if executor is not None else build_target(scenario.target, scenario.root)
    probe = target.behaviour_probe() if target is not None and hasattr(target, "behaviour_probe") else None
    if probe is None:
        raise InputError(f"equivalence_cache: the target {target!r} has no behaviour probe (a deterministic trace); "
                         "runners with one: minisat, cadical, clasp", file=scenario.source)
    return probe


def open_session(scenario: Scenario, run_dir: str | Path, tuner: str, *, seed: int | None = None, workers: int = 1,
                 runs: int | None = None, wallclock: float | None = None, cpu_time: float | None = None,
                 scheduler: str | None = None, progress: ProgressObserver | None = None,
                 tuner_options: Mapping[str, Any] | None = None, executor: Executor | None = None,
                 callbacks: tuple = (), problem: TuningProblem | None = None, history: HistoryStore | None = None,
                 guard_min_pairs: int | None = 5, equivalence_cache: bool | None = None) -> Session:
    """Build or resume the run of ``tuner`` on ``scenario`` in ``run_dir``.

    Budget arguments override the scenario's; the tuner's budget hints (``max_runs``,
    ``max_wallclock``, ``max_cpu_time``, ``n_workers``) follow the engine's limits and workers. A racing tuner without an explicit ``k`` races as many arms as there are workers (≥ 2).
    ``problem`` replaces ``scenario.tuning_problem()`` (e.g. with marginal portfolio costs in its
    ``extra``, algoconf/portfolio/hydra.py); its ``max_runs`` still follows the run budget.
    ``history`` replaces ``<run_dir>/history.sqlite`` (e.g. a
    :class:`~algoconf.history.memory.MemoryHistory` for a simulation that need not resume).
    ``guard_min_pairs``: the incumbent guard's pairs (algoconf/run/incumbent_guard.py): the
    run returns a tuned incumbent only when it beat the default on that many instance-seed pairs
    (or every training instance when fewer); ``None`` turns the guard off. ``progress``: an observer
    of :class:`~algoconf.execution.progress.ProgressUpdate` s (the CLI draws them), or None.
    ``equivalence_cache`` (None: the scenario's ``equivalence_cache``) shares results between
    configurations whose behaviour probes agree (algoconf/execution/equivalence.py); the target must
    have a behaviour probe, else :class:`~algoconf.errors.InputError` before anything runs.
    """
    tuner_cls = get_tuner(tuner)
    limits = EngineLimits.from_scenario(scenario, runs=runs, wallclock=wallclock, cpu_time=cpu_time)
    base = scenario.tuning_problem() if problem is None else problem
    n_workers = executor.n_workers if executor is not None else max(1, int(workers))
    problem = dataclasses.replace(base, max_runs=limits.runs, max_wallclock=limits.wallclock,
                                  max_cpu_time=limits.cpu_time, n_workers=int(n_workers))
    options = dict(tuner_options or {})
    if tuner_cls.supports_racing and "k" not in options:
        options["k"] = max(2, int(workers))
    run_dir = Path(run_dir)
    seed = scenario.seed if seed is None else seed
    guard = IncumbentGuard(guard_min_pairs, seed=seed) if guard_min_pairs is not None else None
    caching = scenario.equivalence_cache if equivalence_cache is None else equivalence_cache
    probe = behaviour_probe(scenario, executor) if caching else None  # bad input: before the history is created
    history = RunHistory.open(run_dir, scenario) if history is None else history
    stale_writer = getattr(history, "stale_writer_pid", None)
    if stale_writer is not None:  # the last writer was killed: its solvers may still run
        kill_orphans_of(stale_writer)
    owns_client = executor is None and bool(scheduler)
    try:
        equivalence = EquivalenceCache(probe, history, time_kind=scenario.time_kind) if probe is not None else None
        executor = executor or build_executor(scenario, workers, scheduler)
        engine = Engine.start(tuner_cls, problem, executor, history, limits,
                              seed=seed, options=options, progress=progress, callbacks=callbacks,
                              guard=guard, equivalence=equivalence)
    except BaseException:
        history.close()
        raise
    return Session(scenario, engine, executor, history, run_dir, owns_client)
