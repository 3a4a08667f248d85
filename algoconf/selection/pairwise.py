"""Pairwise cost-sensitive random forests with voting (SATzilla 2012).

For every pair (a, b) of candidate algorithms a random-forest classifier learns whether a beats b
on an instance, each training instance weighted by the cost difference |cost_a - cost_b| (PAR10 for
runtime data, so two timeouts weigh nothing and a timeout against a fast solve weighs most). At
prediction every pair votes for its winner and the algorithm with most votes is chosen (ties: the
better mean training cost). Candidates are pruned to ``max_algorithms`` by greedy VBS contribution
on the training data (:func:`~algoconf.selection.portfolio_pruning.greedy_portfolio`).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from algoconf.selection.base import Selector
from algoconf.selection.data import PerformanceData
from algoconf.selection.portfolio_pruning import greedy_portfolio

__all__ = ["PairwiseSelector"]


class PairwiseSelector(Selector):
    """SATzilla'12-style pairwise weighted random forests (see module docstring)."""

    name = "pairwise"

    def __init__(
        self,
        *,
        n_estimators: int = 40,
        max_features: str | float = "sqrt",
        min_samples_leaf: int = 1,
        max_algorithms: int = 8,
        soft_votes: bool = True,
        **base,
    ) -> None:
        super().__init__(**base)
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.max_algorithms = max_algorithms
        self.soft_votes = soft_votes

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        cost = data.cost()
        self.mean_cost_ = cost.mean(axis=0)
        self.candidates_ = greedy_portfolio(cost, self.max_algorithms)
        self.pairs_: list[tuple[int, int, object]] = []
        k = 0
        for x, a in enumerate(self.candidates_):
            for b in self.candidates_[x + 1 :]:
                k += 1
                diff = cost[:, a] - cost[:, b]
                weight = np.abs(diff)
                label = (diff < 0).astype(int)  # 1: a better
                useful = weight > 0
                if useful.sum() == 0:
                    continue
                if len(set(label[useful])) == 1:
                    self.pairs_.append((a, b, float(label[useful][0])))
                    continue
                clf = RandomForestClassifier(
                    n_estimators=self.n_estimators,
                    max_features=self.max_features,
                    min_samples_leaf=self.min_samples_leaf,
                    random_state=self.random_state * 7919 + k,
                    n_jobs=1,
                )
                clf.fit(X[useful], label[useful], sample_weight=weight[useful] / weight[useful].mean())
                self.pairs_.append((a, b, clf))

    def _scores(self, X: np.ndarray) -> np.ndarray:
        m = len(self.mean_cost_)
        votes = np.zeros((len(X), m))
        for a, b, model in self.pairs_:
            if isinstance(model, float):
                p_a = np.full(len(X), model)
            else:
                proba = model.predict_proba(X)
                classes = list(model.classes_)
                p_a = proba[:, classes.index(1)] if 1 in classes else np.zeros(len(X))
            if not self.soft_votes:
                p_a = (p_a > 0.5).astype(float)
            votes[:, a] += p_a
            votes[:, b] += 1 - p_a
        # non-candidates never win; ties broken by the training mean cost
        rank = np.argsort(np.argsort(self.mean_cost_)) / (10.0 * m)
        penalty = np.full(m, 1e6)
        penalty[self.candidates_] = 0.0
        return -votes + rank[None, :] * 1e-3 + penalty[None, :]
