"""Pairwise regression of cost differences (LLAMA's ``regressionPairs``).

For every pair (a, b) of candidate algorithms a random-forest regressor predicts the cost
difference ``cost_a - cost_b`` on an instance (PAR10 for runtime data, so a timeout against a fast
solve is a large difference and two timeouts are none; quality data: the cost difference). An
algorithm's score is the sum of its predicted differences against every other candidate; the
lowest sum wins. Unlike pairwise *classification* (SATzilla) the model keeps the size of the
predicted advantage, and unlike per-algorithm regression each model only has to learn what
separates two algorithms.

Censoring: a PAR10 difference treats a timeout as costing ``par_factor * cutoff``, which is the
quantity being minimised, not a runtime estimate; no censored runtime is read as exact.

Candidates are pruned to ``max_algorithms`` by greedy VBS contribution on the training data.
``joint=True`` fits one multi-output forest on all pair differences at once (m(m-1)/2 times
cheaper; its splits minimise the error of every difference together).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Selector
from algoconf.selection.offline.portfolio_pruning import greedy_portfolio

__all__ = ["PairwiseRegressionSelector"]

_EXCLUDED = 1e6  # added to the (normalised) score of algorithms pruned from the portfolio


class PairwiseRegressionSelector(Selector):
    """Per-pair random-forest regression of cost differences, summed (module docstring)."""

    name = "pairwise-regression"
    provides_oob_scores = True

    def __init__(
        self,
        *,
        n_estimators: int = 30,
        max_features: str | float = 0.3,
        min_samples_leaf: int = 3,
        max_algorithms: int = 8,
        joint: bool = False,
        **base,
    ) -> None:
        super().__init__(**base)
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.max_algorithms = max_algorithms
        self.joint = joint

    def _forest(self, seed_offset: int) -> RandomForestRegressor:
        return RandomForestRegressor(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            bootstrap=True,
            oob_score=True,
            random_state=self.random_state * 6007 + seed_offset,
            n_jobs=None,  # the caller's joblib.parallel_config decides (evaluate --jobs); results do not depend on it
        )

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        cost = data.cost()
        # differences in units of the typical cost, so forests see numbers of order one
        self.unit_ = float(np.mean(np.abs(cost))) or 1.0
        self.candidates_ = greedy_portfolio(cost, self.max_algorithms)
        self.pairs_ = [(a, b) for x, a in enumerate(self.candidates_) for b in self.candidates_[x + 1 :]]
        D = np.column_stack([(cost[:, a] - cost[:, b]) / self.unit_ for a, b in self.pairs_]) if self.pairs_ else np.zeros((len(X), 0))
        self.models_: list[Any] = []  # fitted forests (scikit-learn, untyped) or constant differences
        oob = np.zeros_like(D)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "some inputs do not have OOB scores": filled below
            if self.joint and D.shape[1] and len(X) >= 3:
                forest = self._forest(0).fit(X, D)
                self.models_ = [forest]
                oob = _oob_or_fit(forest, X).reshape(len(X), -1)
            else:
                for k in range(D.shape[1]):
                    y = D[:, k]
                    if len(X) < 3 or np.ptp(y) < 1e-12:
                        self.models_.append(float(y.mean()))
                        oob[:, k] = y.mean()
                        continue
                    forest = self._forest(k + 1).fit(X, y)
                    self.models_.append(forest)
                    oob[:, k] = _oob_or_fit(forest, X)
        self.oob_diff_ = oob

    def _differences(self, X: np.ndarray) -> np.ndarray:
        if self.joint and self.models_ and not isinstance(self.models_[0], float):
            return self.models_[0].predict(X).reshape(len(X), -1)
        out = np.empty((len(X), len(self.pairs_)))
        for k, model in enumerate(self.models_):
            out[:, k] = model if isinstance(model, float) else model.predict(X)
        return out

    def _sum(self, D: np.ndarray) -> np.ndarray:
        m = len(self.algorithms_)
        total = np.zeros((len(D), m))
        for k, (a, b) in enumerate(self.pairs_):
            total[:, a] += D[:, k]
            total[:, b] -= D[:, k]
        penalty = np.full(m, _EXCLUDED)
        penalty[self.candidates_] = 0.0
        return total + penalty[None, :]

    def _scores(self, X: np.ndarray) -> np.ndarray:
        return self._sum(self._differences(X))

    def oob_scores(self) -> np.ndarray:
        """Summed out-of-bag differences of the training rows."""
        return self._sum(self.oob_diff_)


def _oob_or_fit(forest: RandomForestRegressor, X: np.ndarray) -> np.ndarray:
    """Out-of-bag predictions; rows that were in every bootstrap sample get the forest's prediction."""
    oob = np.asarray(forest.oob_prediction_, dtype=float)
    if np.isfinite(oob).all():
        return oob
    full = forest.predict(X).reshape(oob.shape)
    return np.where(np.isfinite(oob), oob, full)
