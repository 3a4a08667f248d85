"""SUNNY (Amadini, Gabbrielli, Mauro 2014): k nearest neighbours and a per-instance schedule.

For an instance, take its k nearest training instances (Euclidean on standardised features). Pick
the smallest set of at most ``max_solvers`` algorithms that solves the most neighbours (greedy,
ties: lower total time on the neighbours). Each picked algorithm gets as many time slots as
neighbours it solves, and a backup algorithm (the best mean PAR10 on the neighbours) gets one slot
per neighbour nobody in the set solves; the cutoff is divided evenly over the slots and the runs
are ordered by their mean solving time on the neighbours (fastest first). With ``schedule=False``
it is plain k-NN selection (the best mean cost on the neighbours); quality data always is.
"""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

from algoconf.selection.base import Schedule, Selector
from algoconf.selection.data import PerformanceData

__all__ = ["SunnySelector"]


class SunnySelector(Selector):
    """k-NN schedules (see module docstring); ``k=None`` uses round(sqrt(n_train))."""

    name = "sunny"
    produces_schedules = True

    def __init__(self, *, k: int | None = None, max_solvers: int = 3, schedule: bool = True, **base) -> None:
        super().__init__(**base)
        self.k = k
        self.max_solvers = max_solvers
        self.schedule = schedule

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        n = len(X)
        self.k_ = max(1, min(n, self.k if self.k else int(round(np.sqrt(n)))))
        self.nn_ = NearestNeighbors(n_neighbors=self.k_).fit(X)
        self.cost_ = data.cost()
        self.solved_ = (data.event & data.observed) if data.is_runtime else np.zeros_like(self.cost_, dtype=bool)
        self.time_ = np.where(self.solved_, data.time, float(data.cutoff)) if data.is_runtime else self.cost_

    def _schedules(self, X: np.ndarray) -> list[Schedule]:
        _, idx = self.nn_.kneighbors(X)
        out: list[Schedule] = []
        for nb in idx:
            cost = self.cost_[nb]
            if not self.is_runtime_ or not self.schedule:
                out.append([(self.algorithms_[int(np.argmin(cost.mean(axis=0)))], self.cutoff_)])
                continue
            out.append(self._one(nb))
        return out

    def _one(self, nb: np.ndarray) -> Schedule:
        solved = self.solved_[nb]
        times = self.time_[nb]
        m = solved.shape[1]
        chosen: list[int] = []
        covered = np.zeros(len(nb), dtype=bool)
        while len(chosen) < self.max_solvers:
            gain = np.array([(solved[:, j] & ~covered).sum() if j not in chosen else -1 for j in range(m)])
            if gain.max() <= 0:
                break
            best = np.flatnonzero(gain == gain.max())
            j = int(best[np.argmin(times[:, best].sum(axis=0))])
            chosen.append(j)
            covered |= solved[:, j]
        slots = {j: int(solved[:, j].sum()) for j in chosen}
        backup = int(np.argmin(self.cost_[nb].mean(axis=0)))
        missing = int((~covered).sum())
        if missing:
            slots[backup] = slots.get(backup, 0) + missing
        slots = {j: s for j, s in slots.items() if s > 0}
        if not slots:
            return [(self.algorithms_[backup], self.cutoff_)]
        total = sum(slots.values())
        order = sorted(slots, key=lambda j: (np.mean(np.where(solved[:, j], times[:, j], self.cutoff_)), j))
        return [(self.algorithms_[j], self.cutoff_ * slots[j] / total) for j in order]
