"""SUNNY (Amadini, Gabbrielli, Mauro 2014): k nearest neighbours and a per-instance schedule.

For an instance, take its k nearest training instances (Euclidean on standardised features,
after an optional per-feature log or rank map; by default k and the map are chosen by
leave-one-out cost on the training rows, an extension of the original's fixed k = sqrt(n);
``k_rule="1se"`` takes instead the largest k within one standard error of the lowest cost). Pick
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

from algoconf.errors import SelectionInputError
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Schedule, Selector
from algoconf.selection.offline.candidate_choice import RULES, choose_candidate
from algoconf.selection.offline.feature_maps import SCALINGS, MappedFeatures
from algoconf.selection.offline.presolve import run_schedule

__all__ = ["SunnySelector"]


class SunnySelector(MappedFeatures, Selector):
    """k-NN schedules (see module docstring); ``k=None`` uses round(sqrt(n_train)) (SUNNY's own
    rule); ``k="auto"`` (default) chooses k among ``AUTO_K_FACTORS`` x sqrt(n_train) by
    leave-one-out cost on the training rows (``k_choices_`` after ``fit``) with ``k_rule``:
    ``"best"`` (default) the lowest cost, ``"1se"`` the largest k whose cost is within one standard
    error of the lowest (see :func:`~algoconf.selection.offline.candidate_choice.choose_candidate`; in the
    session 7 benchmark ``"1se"`` lowered the stack's mean gap closed by 0.006 over three seeds).
    ``scaling``: a map of
    :mod:`algoconf.selection.offline.feature_maps`; ``"auto"`` (default) chooses among :data:`SCALINGS` the same way.
    ``loo_row_costs_`` after ``fit``: (scaling, k) -> every training row's leave-one-out cost, for
    each candidate considered (what an honest estimate of the choice needs), and
    :meth:`choose_setting` replays the choice on any rows of them."""

    name = "sunny"
    produces_schedules = True
    provides_oob_scores = True

    #: multiples of sqrt(n_train) that ``k="auto"`` chooses among
    AUTO_K_FACTORS = (0.25, 0.5, 1.0)

    #: per-column maps applied before standardising (``scaling``; ``"auto"`` chooses among them)
    SCALINGS = SCALINGS
    #: after ``fit``: (scaling, k) -> every training row's leave-one-out cost
    loo_row_costs_: dict[tuple[str, int], np.ndarray]

    def __init__(
        self,
        *,
        k: int | str | None = "auto",
        max_solvers: int = 3,
        schedule: bool = True,
        scaling: str = "auto",
        k_rule: str = "best",
        **base,
    ) -> None:
        super().__init__(**base)
        if k_rule not in RULES:
            raise SelectionInputError(f"sunny: k_rule must be one of {list(RULES)}; got {k_rule!r}")
        self.k_rule = k_rule
        if scaling not in (*self.SCALINGS, "auto"):
            raise SelectionInputError(f"sunny: scaling must be one of {[*self.SCALINGS, 'auto']}; got {scaling!r}")
        self.scaling = scaling
        if not (k is None or k == "auto" or (isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 1)):
            raise SelectionInputError(f"sunny: k must be a positive integer, None (sqrt of the training size) or 'auto'; got {k!r}")
        self.k = k
        self.max_solvers = max_solvers
        self.schedule = schedule

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        n = len(X)
        self.cost_ = data.cost()
        self.solved_ = (data.event & data.observed) if data.is_runtime else np.zeros_like(self.cost_, dtype=bool)
        self.time_ = np.where(self.solved_, data.time, data.runtime_cutoff) if data.is_runtime else self.cost_
        self.train_X_ = X
        if self.k == "auto":
            self.k_choices_ = self._choose_k(X)
            self.k_ = self.choose_setting(self.loo_row_costs_)[1]
            self.loo_cost_ = self.k_choices_[self.k_]
        else:
            self.k_ = max(1, min(n, int(self.k) if self.k else int(round(np.sqrt(n)))))
            self.loo_cost_ = self._loo_costs(X, [min(self.k_, max(1, n - 1))])[min(self.k_, max(1, n - 1))]
        self.nn_ = NearestNeighbors(n_neighbors=self.k_).fit(X)

    def fit(self, data: PerformanceData) -> "SunnySelector":
        """As :meth:`Selector.fit`; ``scaling="auto"`` first fits one selector per scaling in
        :data:`SCALINGS` and keeps the one whose leave-one-out training cost (at its own k) is
        lowest (``scaling_choices_``); ``scaling_`` is the scaling in use."""
        if self.scaling != "auto":
            self.scaling_ = self.scaling
            return super().fit(data)
        choices: dict[str, float] = {}
        rows: dict[tuple[str, int], np.ndarray] = {}
        for scaling in self.SCALINGS:
            trial = type(self)(**dict(self.get_params(), scaling=scaling)).fit(data)
            choices[scaling] = trial.loo_cost_
            rows.update(trial.loo_row_costs_)
        self.scaling_ = self.choose_setting(rows)[0]
        super().fit(data)
        self.scaling_choices_ = choices
        self.loo_row_costs_ = rows
        return self

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_loo_schedules_", None)  # a cache of fit, not part of the model
        return state

    def choose_setting(self, row_costs: dict[tuple[str, int], np.ndarray]) -> tuple[str, int]:
        """The (scaling, k) this selector's ``fit`` chooses from per-row leave-one-out costs
        (``loo_row_costs_`` or any subset of its rows, e.g. an inner fold's): per scaling, the k by
        ``k_rule`` (``"1se"``: the largest k within one standard error of that scaling's lowest
        cost; ``"best"``: the lowest cost, ties the smaller k); then the scaling whose chosen k costs
        least (ties: the order of :data:`SCALINGS`)."""
        per_scaling: dict[str, tuple[int, float]] = {}
        for scaling in dict.fromkeys(s for s, _ in row_costs):
            ks = sorted(k for s, k in row_costs if s == scaling)
            costs = np.array([row_costs[(scaling, k)] for k in ks], dtype=float)
            pick = choose_candidate(costs, [-k for k in ks], self.k_rule)  # "best" ties: the smaller k
            per_scaling[scaling] = (ks[pick], float(costs[pick].mean()))
        order = [*self.SCALINGS, *sorted(set(per_scaling) - set(self.SCALINGS))]
        scaling = min(per_scaling, key=lambda s: (per_scaling[s][1], order.index(s)))
        return scaling, per_scaling[scaling][0]

    def _choose_k(self, X: np.ndarray) -> dict[int, float]:
        """k -> leave-one-out cost on the training rows of what this selector plays (its schedules
        on runtime data with ``schedule=True``, else the neighbours' best mean cost), for k among
        ``AUTO_K_FACTORS`` x sqrt(n). Only training rows are used."""
        n = len(X)
        ks = sorted({max(1, min(n - 1, int(round(f * np.sqrt(n))))) for f in self.AUTO_K_FACTORS}) if n > 1 else [1]
        return self._loo_costs(X, ks)

    def _loo_costs(self, X: np.ndarray, ks: list[int]) -> dict[int, float]:
        """k -> mean leave-one-out cost on the training rows ``X`` of what this selector plays."""
        n = len(X)
        _, idx = NearestNeighbors(n_neighbors=min(n, max(ks) + 1)).fit(X).kneighbors(X)
        plays_schedules = self.schedule and self.is_runtime_
        solve = np.where(self.solved_, self.time_, np.inf)
        out: dict[int, float] = {}
        scaling = getattr(self, "scaling_", self.scaling)
        self.loo_row_costs_ = {}
        self._loo_schedules_: dict[int, list[Schedule]] = {}
        solve_rows = solve.tolist()  # plain floats: a dict per row without numpy indexing
        for k in ks:
            nbs = self._loo_from(idx, k)
            if plays_schedules:
                plans = [self._one(nb) for nb in nbs]
                if idx.shape[1] == min(n, k + 1):  # the same neighbour lists _loo_neighbours gives
                    self._loo_schedules_[k] = plans
                costs = []
                for plan, times in zip(plans, solve_rows):
                    ok, t = run_schedule(plan, dict(zip(self.algorithms_, times)), start=0.0, cutoff=self.cutoff_)
                    costs.append(t if ok else self.par_factor_ * self.cutoff_)
                row_costs = np.asarray(costs, dtype=float)
            else:
                choice = self.cost_[nbs].mean(axis=1).argmin(axis=1)
                row_costs = self.cost_[np.arange(n), choice]
            self.loo_row_costs_[(scaling, k)] = row_costs
            out[k] = float(row_costs.mean())
        return out

    @staticmethod
    def _loo_from(idx: np.ndarray, k: int) -> np.ndarray:
        """(n, k) from each row's neighbour list (itself first, usually): the k nearest other rows."""
        n = len(idx)
        width = max(min(k, idx.shape[1] - 1), 1)
        itself = idx == np.arange(n)[:, None]
        # the row's other neighbours in order, itself moved to the end (a stable sort on the flag)
        order = np.argsort(itself, axis=1, kind="stable")
        return np.take_along_axis(idx, order, axis=1)[:, :width].astype(int, copy=False)

    def _scores(self, X: np.ndarray) -> np.ndarray:
        _, idx = self.nn_.kneighbors(X)
        return self.cost_[idx].mean(axis=1)

    def _loo_neighbours(self) -> np.ndarray:
        """(n_train, k) each training row's k nearest other training rows."""
        n = len(self.train_X_)
        _, idx = self.nn_.kneighbors(self.train_X_, n_neighbors=min(self.k_ + 1, n))
        return self._loo_from(idx, self.k_)

    def oob_scores(self) -> np.ndarray:
        """Leave-one-out neighbours' mean cost of every training row."""
        return self.cost_[self._loo_neighbours()].mean(axis=1)

    def oob_schedules(self) -> list[Schedule]:
        """Leave-one-out SUNNY schedules of the training rows (``schedule=True``, runtime data)."""
        cached = getattr(self, "_loo_schedules_", {}).get(self.k_)
        if cached is not None:  # computed on these very neighbour lists in fit
            return list(cached)
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
        time_sums = times.sum(axis=0)
        chosen: list[int] = []
        covered = np.zeros(len(nb), dtype=bool)
        while len(chosen) < self.max_solvers:
            gain = solved[~covered].sum(axis=0)
            gain[chosen] = -1
            top = gain.max()
            if top <= 0:
                break
            best = np.flatnonzero(gain == top)
            j = int(best[np.argmin(time_sums[best])])
            chosen.append(j)
            covered |= solved[:, j]
        solved_counts = solved.sum(axis=0)
        slots = {j: int(solved_counts[j]) for j in chosen}
        backup = int(np.argmin(self.cost_[nb].mean(axis=0)))
        missing = int((~covered).sum())
        if missing:
            slots[backup] = slots.get(backup, 0) + missing
        slots = {j: s for j, s in slots.items() if s > 0}
        if not slots:
            return [(self.algorithms_[backup], self.cutoff_)]
        total = sum(slots.values())
        mean_time = np.where(solved, times, self.cutoff_).mean(axis=0)
        order = sorted(slots, key=lambda j: (mean_time[j], j))
        return [(self.algorithms_[j], self.cutoff_ * slots[j] / total) for j in order]
