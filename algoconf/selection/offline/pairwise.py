"""Pairwise cost-sensitive random forests with voting (SATzilla 2012).

For every pair (a, b) of candidate algorithms a random-forest classifier learns whether a beats b
on an instance, each training instance weighted by the cost difference |cost_a - cost_b| (PAR10 for
runtime data, so two timeouts weigh nothing and a timeout against a fast solve weighs most). At
prediction every pair votes for its winner and the algorithm with most votes is chosen (ties: the
better mean training cost). Candidates are pruned to ``max_algorithms`` by greedy VBS contribution
on the training data (:func:`~algoconf.selection.offline.portfolio_pruning.greedy_portfolio`).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from algoconf.errors import SelectionInputError
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Selector
from algoconf.selection.offline.portfolio_pruning import greedy_portfolio

__all__ = ["PairwiseSelector"]


class PairwiseSelector(Selector):
    """SATzilla'12-style pairwise weighted random forests (see module docstring)."""

    name = "pairwise"
    provides_oob_scores = True

    def __init__(
        self,
        *,
        n_estimators: int = 40,
        max_features: str | float = "sqrt",
        min_samples_leaf: int = 1,
        max_algorithms: int = 8,
        soft_votes: bool = True,
        oob: bool = False,
        **base,
    ) -> None:
        super().__init__(**base)
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.max_algorithms = max_algorithms
        self.soft_votes = soft_votes
        self.oob = oob

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        cost = data.cost()
        self.mean_cost_ = cost.mean(axis=0)
        self.candidates_ = greedy_portfolio(cost, self.max_algorithms)
        self.pairs_: list[tuple[int, int, object]] = []
        self.n_train_ = len(X)
        self.oob_p_: list[np.ndarray] = []  # per pair: P(a beats b) for every training row, out of sample
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
                    if self.oob:
                        self.oob_p_.append(np.full(len(X), float(label[useful][0])))
                    continue
                clf = RandomForestClassifier(
                    n_estimators=self.n_estimators,
                    max_features=self.max_features,
                    min_samples_leaf=self.min_samples_leaf,
                    random_state=self.random_state * 7919 + k,
                    n_jobs=None,  # the caller's joblib.parallel_config decides (evaluate --jobs); results do not depend on it
                )
                clf.fit(X[useful], label[useful], sample_weight=weight[useful] / weight[useful].mean())
                self.pairs_.append((a, b, clf))
                if self.oob:
                    self.oob_p_.append(self._cross_fit(X, label, weight, useful, k, _p_first(clf, X)))

    def _cross_fit(
        self, X: np.ndarray, label: np.ndarray, weight: np.ndarray, useful: np.ndarray, k: int, p_full: np.ndarray
    ) -> np.ndarray:
        """P(a beats b) for every training row from a forest that did not see the row: two halves,
        each predicted by a forest (half the trees) fitted on the other half's useful rows.

        (Not the forest's out-of-bag estimate: scikit-learn draws weighted bootstrap samples in
        proportion to the weights, so heavy rows are almost never out of bag.) Rows the pair was
        not trained on (equal cost) keep the full forest's prediction: they are out of sample."""
        rng = np.random.default_rng(self.random_state * 7919 + k)
        half = rng.permutation(len(X)) % 2
        out = p_full.copy()
        for h in (0, 1):
            fit_rows = useful & (half != h)
            pred_rows = useful & (half == h)
            if not pred_rows.any():
                continue
            labels = label[fit_rows]
            if fit_rows.sum() < 2 or len(set(labels)) < 2:
                out[pred_rows] = float(labels[0]) if len(labels) else 0.5
                continue
            clf = RandomForestClassifier(
                n_estimators=max(5, self.n_estimators // 2),
                max_features=self.max_features,
                min_samples_leaf=self.min_samples_leaf,
                random_state=self.random_state * 7919 + k + 100003 * (h + 1),
                n_jobs=None,  # the caller's joblib.parallel_config decides (evaluate --jobs); results do not depend on it
            )
            clf.fit(X[fit_rows], labels, sample_weight=weight[fit_rows] / weight[fit_rows].mean())
            out[pred_rows] = _p_first(clf, X[pred_rows])
        return out

    def _scores(self, X: np.ndarray) -> np.ndarray:
        probs = [np.full(len(X), model) if isinstance(model, float) else _p_first(model, X) for _, _, model in self.pairs_]
        return self._votes(probs, len(X))

    def oob_scores(self) -> np.ndarray:
        """Scores of the training rows from out-of-sample (cross-fitted) pair votes (needs ``oob=True``)."""
        if not self.oob:
            raise SelectionInputError("pairwise: fit with oob=True to get out-of-bag scores")
        return self._votes(self.oob_p_, self.n_train_)

    def _votes(self, probs: list[np.ndarray], n: int) -> np.ndarray:
        m = len(self.mean_cost_)
        votes = np.zeros((n, m))
        for (a, b, _), p_a in zip(self.pairs_, probs):
            if not self.soft_votes:
                p_a = (p_a > 0.5).astype(float)
            votes[:, a] += p_a
            votes[:, b] += 1 - p_a
        # non-candidates never win; ties broken by the training mean cost
        rank = np.argsort(np.argsort(self.mean_cost_)) / (10.0 * m)
        penalty = np.full(m, 1e6)
        penalty[self.candidates_] = 0.0
        return -votes + rank[None, :] * 1e-3 + penalty[None, :]


def _p_first(model: RandomForestClassifier, X: np.ndarray) -> np.ndarray:
    """P(label 1) -- the first algorithm of the pair is better -- per row."""
    classes = list(model.classes_)
    return model.predict_proba(X)[:, classes.index(1)].copy() if 1 in classes else np.zeros(len(X))
