"""``algoconf.ablate``: the ablation path of a finished configuration run, from Python.

The same as ``algoconf ablate RUNDIR`` (algoconf/analysis/ablation.py): real runs on ``instances``
training instance-seed pairs, resumable, written to ``<run_dir>/ablation.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the analysis package (scipy) loads on the first call, not on import
    from algoconf.analysis.ablation import AblationResult

__all__ = ["ablate"]


def ablate(run_dir: str | Path, instances: int = 10, *, workers: int = 1, budget: float | None = None,
           racing: bool = False) -> "AblationResult":
    """Ablate from the default to the incumbent of the run in ``run_dir`` (e.g. ``configure(...).run_dir``).

    Returns the :class:`~algoconf.analysis.ablation.AblationResult` (``steps``, ``share(i)``,
    ``to_dict()``); ``budget`` is wall-clock seconds, after which the path so far is returned with
    ``complete=False`` and a second call continues it. Raises :class:`~algoconf.errors.InputError`
    when ``run_dir`` is not a finished run, its incumbent is the default, or ``instances <= 0``.
    """
    from algoconf.analysis.ablation import run_ablation

    return run_ablation(run_dir, instances, workers=workers, budget=budget, racing=racing)
