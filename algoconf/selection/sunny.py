"""SUNNY (Amadini, Gabbrielli, Mauro 2014): k nearest neighbours and a per-instance schedule.

For an instance, take its k nearest training instances (Euclidean on standardised features). Pick
the smallest set of at most ``max_solvers`` algorithms that solves the most neighbours (greedy,
ties: lower total time on the neighbours). Each picked algorithm gets as many time slots as
neighbours it solves, and a backup algorithm (the best mean PAR10 on the neighbours) gets one slot
per neighbour nobody in the set solves; the cutoff is divided evenly over the slots and the runs
are ordered by their mean solving time on the neighbours (fastest first). With ``schedule=False``
it is plain k-NN selection (the best mean cost on the neighbours); quality data always is.

For stacking, :meth:`SunnySelector.scores` is the neighbours' mean cost per algorithm, and the
out-of-sample versions for the training rows (:meth:`oob_scores`, :meth:`oob_schedules`) leave
the row itself out of its neighbourhood (leave-one-out).
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
    provides_oob_scores = True

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
        self.train_X_ = X

    def _scores(self, X: np.ndarray) -> np.ndarray:
        _, idx = self.nn_.kneighbors(X)
        return self.cost_[idx].mean(axis=1)

    def _loo_neighbours(self) -> np.ndarray:
        """(n_train, k) each training row's k nearest other training rows."""
        n = len(self.train_X_)
        kk = min(self.k_ + 1, n)
        _, idx = self.nn_.kneighbors(self.train_X_, n_neighbors=kk)
        out = np.empty((n, max(kk - 1, 1)), dtype=int)
        for i, row in enumerate(idx):
            others = row[row != i]
            out[i] = others[: out.shape[1]] if len(others) >= out.shape[1] else row[: out.shape[1]]
        return out

    def oob_scores(self) -> np.ndarray:
        """Leave-one-out neighbours' mean cost of every training row."""
        return self.cost_[self._loo_neighbours()].mean(axis=1)

    def oob_schedules(self) -> list[Schedule]:
        """Leave-one-out SUNNY schedules of the training rows (``schedule=True``, runtime data)."""
        return [self._one(nb) for nb in self._loo_neighbours()]

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
