"""A scenario whose runs are answered by a runtime matrix (``algoconf.tuners.simulated``): the matrix's
space, cutoff and instances, PAR10, deterministic, no failure-rate stop.

Its target is ``algoconf.tuners.simulated:matrix_target`` reading the matrix named by
``ALGOCONF_MATRIX`` (so that an executor that runs targets answers from the same table); the
benchmarks and tests that simulate tuning runs pass an in-process executor over ``matrix.answer``
(``SimulatedExecutor``, ``VirtualExecutor``) with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from algoconf.instances import InstanceSet
from algoconf.scenario import Budget, Scenario, TargetSpec
from algoconf.tuners.simulated import RuntimeMatrix

__all__ = ["matrix_scenario"]


def matrix_scenario(
    path: Path,
    matrix: RuntimeMatrix,
    *,
    train: Sequence[str] | None = None,
    test: Sequence[str] | None = None,
    budget: Budget | None = None,
    seed: int = 0,
    name: str | None = None,
    root: Path | None = None,
    deterministic: bool = True,
) -> Scenario:
    """The scenario of the matrix ``matrix`` loaded from ``path``. ``train``/``test`` default to the
    benchmarks' split ``matrix.split(n // 2, seed=0)``; ``name`` to ``matrix-<file stem>``; ``root``
    to the matrix's folder; ``budget`` to no budget (the caller's run, wall-clock or CPU limit)."""
    path = Path(path)
    if train is None or test is None:
        train, test = matrix.split(matrix.shape[1] // 2, seed=0)
    return Scenario(
        name=name or f"matrix-{path.stem}",
        root=root or path.parent,
        target=TargetSpec(
            kind="python", callable="algoconf.tuners.simulated:matrix_target", env={"ALGOCONF_MATRIX": str(path)}
        ),
        space=matrix.space,
        train=InstanceSet.from_names(list(train)),
        test=InstanceSet.from_names(list(test)),
        objective="runtime",
        cutoff=matrix.cutoff,
        par_factor=10.0,
        budget=budget or Budget(runs=None),
        deterministic=deterministic,
        seed=seed,
        max_failure_rate=None,
    )
