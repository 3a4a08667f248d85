"""``algoconf.ablate``: the ablation path of a finished configuration run, from Python.

The same as ``algoconf ablate RUNDIR`` (algoconf/analysis/ablation.py): real runs on ``instances``
training instance-seed pairs, resumable, written to ``<run_dir>/ablation.json``. The run is a run
directory of ``algoconf configure`` or the :class:`~algoconf.api.configure.ConfigureResult` of
``algoconf.configure`` (whose target may be a function of the calling script).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from algoconf.errors import InputError

if TYPE_CHECKING:  # the analysis package (scipy) loads on the first call, not on import
    from algoconf.analysis.ablation import AblationResult

__all__ = ["ablate"]


def ablate(run: Any, instances: int = 10, *, workers: int = 1, budget: float | None = None,
           racing: bool = False) -> "AblationResult":
    """Ablate from the default to the incumbent of ``run`` (a run directory or a ``ConfigureResult``).

    Returns the :class:`~algoconf.analysis.ablation.AblationResult` (``steps``, ``share(i)``,
    ``to_dict()``); ``budget`` is wall-clock seconds, after which the path so far is returned with
    ``complete=False`` and a second call continues it. Raises :class:`~algoconf.errors.InputError`
    when the run is not a finished run, its incumbent is the default, or ``instances <= 0``.
    """
    from algoconf.analysis.ablation import run_ablation
    from algoconf.api.configure import ConfigureResult

    if isinstance(run, ConfigureResult):
        run = _finished(run)
    return run_ablation(run, instances, workers=workers, budget=budget, racing=racing)


def _finished(result: Any) -> Any:
    from algoconf.analysis.fixed_pairs import FinishedRun
    from algoconf.space import active_config, default_config

    if result.incumbent is None:
        raise InputError("the run has no incumbent (no run finished): nothing to ablate")
    if result.scenario is None or result.make_executor is None:
        raise InputError("this ConfigureResult does not carry its scenario; pass its run directory instead")
    space = result.scenario.space
    return FinishedRun(Path(result.run_dir), result.scenario, active_config(space, result.incumbent),
                       default_config(space), int(result.scenario.seed), None, result.make_executor)
