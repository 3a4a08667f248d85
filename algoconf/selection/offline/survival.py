"""Run2Survive (Tornede et al. 2020): one random survival forest per algorithm on the censored
runtimes, and the algorithm with the lowest expected PAR10 under its predicted runtime distribution.

The forest (scikit-survival's ``RandomSurvivalForest``) is fitted on (time, solved) pairs: unsolved
runs are right-censored at their time (the cutoff for ASlib data), never read as exact. For an
instance it predicts a step survival function S(t) on the training event times; the expected
PAR-k of the algorithm is ``sum_{t_i <= C} t_i (S(t_{i-1}) - S(t_i)) + S(C) k C``. Needs the
optional ``scikit-survival`` package (raises a clear error when absent).

Time resolution: the forest's cost grows with the number of distinct event times (every node
keeps a survival curve over all of them; ASP-POTASSCO has ~1000 per algorithm and took over two
minutes per fit). ``time_bins`` (default 64) snaps every time to the nearest of at most that many
log-spaced quantiles of the solved runtimes (the censoring bound, the cutoff, stays a grid point
and censored runs stay censored), so a fit is 10-40x cheaper at a resolution of about 1/64 of the
runtime range. ``time_bins=None`` keeps the exact times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from algoconf.extras import require
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Selector
from algoconf.selection.offline.portfolio_pruning import greedy_portfolio

__all__ = ["SurvivalForestSelector", "survival_available"]


def survival_available() -> bool:
    try:
        import sksurv.ensemble  # noqa: F401
    except ImportError:
        return False
    return True


class SurvivalForestSelector(Selector):
    """Per-algorithm random survival forests with an expected-PAR10 decision (runtime data only)."""

    name = "survival-forest"
    supports_quality = False
    models_censoring = True

    def __init__(
        self,
        *,
        n_estimators: int = 50,
        max_features: float | str = "sqrt",
        min_samples_leaf: int = 3,
        max_algorithms: int | None = None,
        time_bins: int | None = 64,
        **base,
    ) -> None:
        super().__init__(**base)
        self.time_bins = time_bins
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.max_algorithms = max_algorithms

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        RandomSurvivalForest = require("sksurv.ensemble", "the survival-forest selector").RandomSurvivalForest

        cost = data.cost()
        m = data.n_algorithms
        if self.max_algorithms:
            keep = set(greedy_portfolio(cost, self.max_algorithms))
        else:
            keep = set(range(m))
        self.models_: list[Any] = []  # fitted forests (scikit-survival, untyped) or constant scores
        for j in range(m):
            seen = data.observed[:, j]
            event, time = data.event[seen, j], np.maximum(data.time[seen, j], 1e-6)
            if j not in keep:
                self.models_.append(float("inf"))
            elif event.sum() < 2 or seen.sum() < 5:
                # (almost) never solved: its expected cost is the mean training cost
                self.models_.append(float(cost[:, j].mean()))
            else:
                y = np.empty(len(time), dtype=[("event", bool), ("time", float)])
                y["event"], y["time"] = event, _snap(time, event, self.time_bins, data.cutoff)
                forest = RandomSurvivalForest(
                    n_estimators=self.n_estimators,
                    max_features=self.max_features,
                    min_samples_leaf=self.min_samples_leaf,
                    random_state=self.random_state * 104729 + j,
                    n_jobs=None,  # the caller's joblib.parallel_config decides (evaluate --jobs); results do not depend on it
                )
                self.models_.append(forest.fit(X[seen], y))

    def _scores(self, X: np.ndarray) -> np.ndarray:
        out = np.empty((len(X), len(self.models_)))
        cutoff, k = self.cutoff_, self.par_factor_
        for j, model in enumerate(self.models_):
            if isinstance(model, float):
                out[:, j] = model
                continue
            times = np.asarray(model.unique_times_)
            surv = model.predict_survival_function(X, return_array=True)  # (n, len(times))
            inside = times <= cutoff
            prev = np.hstack([np.ones((len(X), 1)), surv[:, :-1]])
            mass = (prev - surv)[:, inside]
            s_at_c = surv[:, inside][:, -1] if inside.any() else np.ones(len(X))
            out[:, j] = mass @ times[inside] + s_at_c * k * cutoff
        return out


def _snap(time: np.ndarray, event: np.ndarray, bins: int | None, cutoff: float | None) -> np.ndarray:
    """Each time moved to the nearest (in log scale) of at most ``bins`` grid points: quantiles of
    the solved times plus the cutoff. ``bins=None`` or few distinct times: unchanged."""
    if not bins or len(np.unique(time)) <= bins:
        return time
    logs = np.log(time[event])
    grid = np.unique(np.quantile(logs, np.linspace(0.0, 1.0, bins))) if len(logs) else np.zeros(0)
    if cutoff:
        grid = np.unique(np.append(grid, np.log(float(cutoff))))
    lt = np.log(time)
    pos = np.clip(np.searchsorted(grid, lt), 1, len(grid) - 1)
    left, right = grid[pos - 1], grid[pos]
    nearest = np.where(lt - left <= right - lt, left, right)
    return np.exp(nearest)
