"""Greedy portfolio pruning: the few algorithms that together get close to the full VBS.

Pairwise models grow with the square of the number of algorithms and most ASlib scenarios have a
long tail of algorithms that are almost never the best; pruning them on the training data costs
little and makes the pairwise selector affordable on 30-algorithm scenarios.
"""

from __future__ import annotations

import numpy as np

__all__ = ["greedy_portfolio"]


def greedy_portfolio(cost: np.ndarray, max_size: int, *, tolerance: float = 0.0) -> list[int]:
    """Column indices, best first: start with the single best column, then repeatedly add the
    column that lowers the mean per-row minimum cost most; stop at ``max_size`` columns or when the
    best addition gains no more than ``tolerance`` (relative)."""
    n, m = cost.shape
    if m == 0:
        return []
    chosen = [int(np.argmin(cost.mean(axis=0)))]
    current = cost[:, chosen[0]].copy()
    while len(chosen) < min(max_size, m):
        gains = np.array([current.mean() - np.minimum(current, cost[:, j]).mean() if j not in chosen else -1.0 for j in range(m)])
        j = int(np.argmax(gains))
        if gains[j] <= tolerance * max(current.mean(), 1e-12):
            break
        chosen.append(j)
        current = np.minimum(current, cost[:, j])
    return chosen
