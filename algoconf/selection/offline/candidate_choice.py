"""Choosing one candidate among several by their per-row costs on the training rows.

The candidate with the lowest mean training cost is the minimum over noisy estimates, so it is
often a fluke. Breiman's one-standard-error rule instead takes, among the candidates the data
cannot tell apart from the best (mean cost within one standard error of the per-row difference to
the best), the one preferred a priori: the most even blend of members, the default feature steps.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from algoconf.errors import SelectionInputError

__all__ = ["RULES", "choose_candidate"]

#: the rules :func:`choose_candidate` knows
RULES = ("best", "1se")


def choose_candidate(costs: np.ndarray, preference: Sequence[float] | np.ndarray, rule: str = "1se") -> int:
    """The index of the chosen row of ``costs`` (candidates, rows).

    ``"best"``: the lowest mean (ties: the first). ``"1se"``: among the candidates whose mean
    exceeds the lowest by at most one standard error of their per-row difference to it, the one
    with the lowest ``preference`` (ties: the first)."""
    if rule not in RULES:
        raise SelectionInputError(f"rule must be one of {list(RULES)}, got {rule!r}")
    C = np.asarray(costs, dtype=float)
    means = C.mean(axis=1)
    best = int(np.argmin(means))
    if rule == "best" or C.shape[1] < 2:
        return best
    sem = (C - C[best]).std(axis=1) / np.sqrt(C.shape[1])
    near = np.flatnonzero(means - means[best] <= sem + 1e-12 * max(1.0, abs(means[best])))
    return int(min(near, key=lambda i: (float(preference[int(i)]), int(i))))
