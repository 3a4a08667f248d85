"""The single best solver (SBS): the algorithm with the best mean cost on the training data."""

from __future__ import annotations

import numpy as np

from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Selector

__all__ = ["SingleBest"]


class SingleBest(Selector):
    """Always the training SBS (PAR10 for runtime data); uses no features, so it pays for none."""

    name = "single-best"
    uses_features = False

    def fit(self, data: PerformanceData) -> "SingleBest":
        super().fit(data)
        self.used_steps = ()  # no feature is computed, none is paid for
        return self

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        self.mean_cost_ = data.cost().mean(axis=0)

    def _scores(self, X: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.mean_cost_, (len(X), len(self.mean_cost_)))

    def predict(self, features, features_ok=None):
        # features are never computed: a failed feature step changes nothing
        return super().predict(features, None)
