"""Policy search through the execution engine: every run is a ``PythonTarget`` in a child process.

Use this path when an episode is expensive or may hang or crash (a real target algorithm behind the
environment): runs get the executor's process isolation and limits, results go to a resumable
run history (``<run_dir>/history.sqlite``), and any number of workers run episodes in parallel.
For the pure-Python benchmarks shipped here, :func:`algoconf.dac.search.search_policy` (in-process
ask/tell, the same tuners) is far faster, since a child interpreter costs ~0.1-0.5 s per run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from algoconf.dac.search import EpisodeObjective, SearchResult
from algoconf.errors import DACError

__all__ = ["engine_search_policy"]


def engine_search_policy(
    benchmark_id: str,
    run_dir: str | Path,
    *,
    options: Mapping[str, Any] | None = None,
    family: str | None = None,
    tuner: str = "random",
    budget: int = 50,
    seed: int = 0,
    episodes: int = 1,
    method: str = "auto",
    max_instances: int | None = None,
    workers: int = 1,
    cutoff: float | None = None,
    tuner_options: Mapping[str, Any] | None = None,
) -> SearchResult:
    """Search like :func:`~algoconf.dac.search.search_policy`, but through Engine + LocalExecutor.

    ``cutoff`` is a per-run time limit in seconds (None: none). Re-running with the same
    ``run_dir`` and arguments resumes the search.
    """
    import time

    from algoconf.run.engine import Engine, EngineLimits
    from algoconf.execution.local import LocalExecutor
    from algoconf.history import RunHistory
    from algoconf.instances import Instance
    from algoconf.targets.python import PythonTarget
    from algoconf.tuners import TuningProblem, get_tuner

    if budget < 1:
        raise DACError(f"budget must be at least 1 run, got {budget}")
    objective = EpisodeObjective(benchmark_id, options, family, episodes=episodes, method=method)
    names = tuple(inst.name for inst in objective.env.instances.train)
    if max_instances is not None:
        names = names[: max(1, int(max_instances))]
    problem = TuningProblem(
        space=objective.family.space,
        instances=names,
        cutoff=cutoff,
        objective="quality",
        deterministic=objective.deterministic,
        max_runs=int(budget),
        extra={"dac_benchmark": objective.benchmark_id, "dac_family": objective.family_name},
    )
    fingerprint = {
        "dac_benchmark": objective.benchmark_id,
        "options": {k: list(v) if isinstance(v, tuple) else v for k, v in objective.options.items()},
        "family": objective.family_name,
        "method": objective.method,
        "episodes": objective.episodes,
        "tuner": tuner,
        "seed": int(seed),
        "instances": list(names),
    }
    executor = LocalExecutor(PythonTarget(objective), {n: Instance(n, None) for n in names}, n_workers=workers)
    start = time.perf_counter()
    try:
        with RunHistory.open(run_dir, fingerprint=fingerprint) as history:
            engine = Engine.start(get_tuner(tuner), problem, executor, history, EngineLimits(runs=int(budget)),
                                  seed=seed, options=tuner_options, progress=False)
            outcome = engine.run()
    finally:
        executor.close()
    if outcome.incumbent is None:
        raise DACError(f"tuner {tuner!r} found no incumbent in {outcome.runs} runs; raise the budget")
    return SearchResult(
        benchmark=objective.benchmark_id,
        family=objective.family_name,
        tuner=tuner,
        method=objective.method,
        config=dict(outcome.incumbent),
        policy=objective.policy(outcome.incumbent),
        runs=outcome.runs,
        train_cost=float(outcome.incumbent_cost) if outcome.incumbent_cost is not None else float("nan"),
        seconds=time.perf_counter() - start,
    )
