"""Checks that selection data can be selected on at all, before anything is fitted or replayed.

A scenario with one algorithm has nothing to choose; features that are missing (NaN) for every
instance give a selector nothing to learn from. Both are one-line
:class:`~algoconf.errors.SelectionInputError` s naming the scenario (exit code 2 in the CLI).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from algoconf.errors import SelectionInputError

__all__ = ["check_selectable"]


def check_selectable(n_algorithms: int, features: np.ndarray | None, *, source: Path | str | None = None,
                     needs_features: bool = True) -> None:
    """Raise unless there are at least two algorithms and (``needs_features``) some finite feature value."""
    if n_algorithms < 2:
        raise SelectionInputError(
            f"the scenario has {n_algorithms} algorithm{'s' if n_algorithms != 1 else ''}: selection needs at least two",
            file=source,
        )
    if needs_features and features is not None:
        X = np.asarray(features, dtype=float)
        if X.size == 0 or not np.isfinite(X).any():
            raise SelectionInputError("every feature value is missing (NaN): nothing to select on", file=source)
