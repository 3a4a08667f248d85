"""``algoconf.configure``: tune a Python function or a command line in one call.

    import algoconf
    from ConfigSpace import ConfigurationSpace

    def cost(config, instance):
        return (config["x"] - 2) ** 2 + len(instance)

    result = algoconf.configure(cost, ConfigurationSpace({"x": (-5.0, 5.0)}), instances=["a", "bb"], runs=60)
    result.incumbent, result.run_dir

It builds the scenario, the target, the executor, the history and the engine that ``algoconf
configure`` builds from a scenario file, runs the tuner, and (with ``test_instances``) validates the
default and the incumbent on them. The run directory is a new temporary folder unless ``run_dir``
is given; an existing run there is continued only with ``resume=True`` (otherwise: an error).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from ConfigSpace import ConfigurationSpace

from algoconf.errors import InputError
from algoconf.instances import Instance, InstanceSet

__all__ = ["ConfigureResult", "configure"]


@dataclass(frozen=True)
class ConfigureResult:
    """What a configuration run found.

    ``incumbent_cost`` is the tuner's estimate on the training instances (mean cost of the runs it
    made; PAR-k for a runtime objective). ``default_test_cost`` / ``incumbent_test_cost`` are the
    mean costs on ``test_instances`` with fresh seeds (None without test instances).
    """

    incumbent: dict[str, Any] | None
    incumbent_cost: float | None
    default_test_cost: float | None
    incumbent_test_cost: float | None
    run_dir: Path
    runs: int
    stop_reason: str
    validation: Any = None  # algoconf.run.validation.ValidationReport, with test instances
    #: the run's scenario and a ``workers -> executor`` factory for its target (``algoconf.ablate``)
    scenario: Any = field(default=None, repr=False, compare=False)
    make_executor: Any = field(default=None, repr=False, compare=False)


def _instance_set(items: Sequence[str | os.PathLike] | None, what: str) -> InstanceSet:
    from algoconf.api.functions import NO_INSTANCE

    if items is None:
        return InstanceSet((Instance(NO_INSTANCE, None),))
    if isinstance(items, (str, os.PathLike)):
        raise InputError(f"{what} must be a list of names or paths, got the single {type(items).__name__} {items!r}")
    instances = []
    for item in items:
        name = os.fspath(item)
        path = Path(name)
        instances.append(Instance(name, path.resolve() if path.exists() else None))
    if not instances:
        raise InputError(f"{what} is empty")
    return InstanceSet(tuple(instances))


def _space(space: ConfigurationSpace | str | os.PathLike) -> tuple[ConfigurationSpace, Path | None]:
    if isinstance(space, ConfigurationSpace):
        return space, None
    if isinstance(space, (str, os.PathLike)):
        from algoconf.space import read_space

        path = Path(space)
        return read_space(path), path.resolve()
    raise InputError(f"space must be a ConfigSpace ConfigurationSpace or a parameter file, got {type(space).__name__}")


def configure(
    target: Callable[..., Any] | str,
    space: ConfigurationSpace | str | os.PathLike,
    *,
    instances: Sequence[str | os.PathLike] | None = None,
    test_instances: Sequence[str | os.PathLike] | None = None,
    runs: int | None = None,
    wallclock: float | None = None,
    tuner: str = "random",
    objective: str | None = None,
    cutoff: float | None = None,
    workers: int = 1,
    seed: int = 0,
    run_dir: str | os.PathLike | None = None,
    resume: bool = False,
    syntax: str = "-name value",
    output: str = "aclib",
    memory_limit: int | None = None,
    progress: bool = False,
    tuner_options: dict[str, Any] | None = None,
) -> ConfigureResult:
    """Tune ``target`` over ``space`` on ``instances`` within the budget; see the module docstring.

    ``target``: a Python function ``f(config)`` or ``f(config, instance)`` (optionally with ``seed``
    and ``cutoff`` parameters) returning the cost to minimise (a number, or a dict as documented in
    algoconf.targets.python), defined anywhere: a module, the calling script, an interactive
    session, or a lambda, closure or ``functools.partial`` (sent by value, algoconf/api/functions.py);
    it runs in a child process and receives each instance as the string listed in ``instances``. Or a
    command template (``"solver {instance} --seed {seed}"``, placeholders as in a scenario; ``syntax``
    and ``output`` say how the configuration is passed and the answer read).
    ``space``: a ConfigurationSpace or a parameter file (PCS, irace, JSON).
    ``instances``: names or paths (None: the function is called without one).
    Budget: ``runs`` and/or ``wallclock`` seconds (at least one). ``objective``: "quality" (the
    returned cost; the default for a function) or "runtime" (the default for a command; needs
    ``cutoff`` seconds). ``tuner``: random, acband, smac, optuna.
    """
    from algoconf.api.functions import loading_script, ScriptStopped

    if loading_script():
        raise ScriptStopped()
    if runs is None and wallclock is None:
        raise InputError("configure needs a budget: runs=N and/or wallclock=SECONDS")
    if workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    from algoconf.history import HISTORY_FILE
    from algoconf.scenario import Budget, Scenario, TargetSpec

    cfg_space, space_file = _space(space)
    train = _instance_set(instances, "instances")
    test = _instance_set(test_instances, "test_instances") if test_instances is not None else None
    root = Path.cwd()
    if isinstance(target, str):
        spec = TargetSpec(kind="command", command=target, syntax=syntax, output=output)
        name = Path(target.split()[0]).name if target.split() else "command"
        objective = objective or "runtime"
        function = None
    else:
        from algoconf.api.functions import user_function

        function = user_function(target)
        spec = TargetSpec(kind="python", callable=function.label)
        name = function.name
        objective = objective or "quality"
    scenario = Scenario(
        name=name, root=root, target=spec, space=cfg_space, space_file=space_file, train=train, test=test,
        objective=objective, cutoff=cutoff, budget=Budget(runs=runs, wallclock=wallclock),
        memory_limit=memory_limit, seed=seed,
    )
    if run_dir is None:
        out = Path(tempfile.mkdtemp(prefix=f"algoconf-{name}-"))
    else:
        out = Path(run_dir)
        if (out / HISTORY_FILE).exists() and not resume:
            raise InputError(f"{out} already holds a configuration run; pass resume=True to continue it, "
                             "or another run_dir")
    executor = _executor(scenario, function, workers)
    result = _run(scenario, executor, out, tuner, seed, workers, progress, tuner_options)
    return replace(result, scenario=scenario, make_executor=lambda n: _executor(scenario, function, n))


def _executor(scenario: Any, function: Any, workers: int) -> Any:
    from algoconf.execution.local import LocalExecutor
    from algoconf.targets import PythonTarget, build_target

    if function is None:
        target = build_target(scenario.target, scenario.root)
    else:
        target = PythonTarget(function, cwd=str(scenario.root))
    instances = dict(scenario.train.as_mapping())
    if scenario.test is not None:
        instances.update(scenario.test.as_mapping())
    return LocalExecutor(target, instances, n_workers=workers, memory_limit_mb=scenario.memory_limit,
                         time_kind=scenario.time_kind)


def _run(scenario: Any, executor: Any, run_dir: Path, tuner: str, seed: int, workers: int, progress: bool,
         tuner_options: dict[str, Any] | None) -> ConfigureResult:
    from algoconf.execution.progress_bar import RichProgress
    from algoconf.run.session import open_session
    from algoconf.run.validation import validate

    bar = RichProgress(sys.stderr) if progress else None
    try:
        with open_session(scenario, run_dir, tuner, seed=seed, workers=workers, progress=bar,
                          tuner_options=tuner_options, executor=executor) as session:
            outcome = session.run()
            report = None
            if scenario.test is not None and outcome.incumbent is not None:
                report = validate(scenario, outcome.incumbent, session.executor, run_dir, seed=seed)
    finally:
        if bar is not None:
            bar.close()
        executor.close()
    return ConfigureResult(
        incumbent=outcome.incumbent,
        incumbent_cost=outcome.incumbent_cost,
        default_test_cost=report.default.par if report is not None else None,
        incumbent_test_cost=report.incumbent.par if report is not None else None,
        run_dir=run_dir,
        runs=outcome.runs,
        stop_reason=outcome.stop_reason,
        validation=report,
    )
