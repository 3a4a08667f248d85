"""Epsilon-greedy baselines: Degroote et al.'s per-algorithm regression, and a feature-free bandit.

* :class:`DegrooteEpsilonGreedy` (Degroote, Bischl, Kotthoff, De Causmaecker, LION 2016, as run by
  Tornede et al. 2022): one least-squares regression of runtime (seconds, censored runs clipped at
  the cutoff) per algorithm; with probability epsilon a random algorithm, else the one with the
  smallest prediction. The original refits on all data at every step; least squares has sufficient
  statistics, so the same fit is kept here in O(d^2) per step (ridge 1e-3 on standardised features).
* :class:`FeatureFreeEpsilonGreedy`: ignores features; keeps each algorithm's mean PAR10 (a censored
  run counts as PAR10 = 10 x cutoff) and plays epsilon-greedy on it. Each algorithm is tried once first.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from algoconf.selection.online.contract import OnlineObservation, OnlineSelector
from algoconf.selection.online.features import StreamingFeatures
from algoconf.selection.online.linear import GaussianLinearModel

__all__ = ["DegrooteEpsilonGreedy", "FeatureFreeEpsilonGreedy"]


class DegrooteEpsilonGreedy(OnlineSelector):
    """Per-algorithm least squares on clipped runtime, epsilon-greedy."""

    paper_method = True

    def __init__(
        self,
        algorithms: Sequence[str],
        n_features: int,
        cutoff: float,
        seed: int | None = 0,
        *,
        epsilon: float = 0.05,
        ridge: float = 1e-3,
    ):
        super().__init__(algorithms, n_features, cutoff, seed)
        self.epsilon = float(epsilon)
        self.features = StreamingFeatures(n_features, "standardize")
        d = self.features.dim
        self.means = np.zeros((self.n_arms, d))
        self.covs = np.zeros((self.n_arms, d, d))
        self.models = [GaussianLinearModel(d, 1.0 / ridge, mean=self.means[a], cov=self.covs[a]) for a in range(self.n_arms)]
        self.pulls = np.zeros(self.n_arms, dtype=np.int64)

    def _choose(self, x: np.ndarray) -> int:
        untried = np.flatnonzero(self.pulls == 0)
        if untried.size:
            return int(untried[0])
        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_arms))
        return int(np.argmin(self.means @ self.features.transform(x)))

    def _learn(self, x: np.ndarray, arm: int, obs: OnlineObservation) -> None:
        z = self.features.transform(x)
        self.features.observe(x)
        self.pulls[arm] += 1
        # censored runs are clipped at their bound (the cutoff): Degroote's "clip" treatment
        self.models[arm].update_exact(z, min(obs.runtime, obs.cutoff), 1.0)


class FeatureFreeEpsilonGreedy(OnlineSelector):
    """Mean PAR10 per algorithm, epsilon-greedy; features are ignored."""

    uses_features = False

    def __init__(
        self,
        algorithms: Sequence[str],
        n_features: int,
        cutoff: float,
        seed: int | None = 0,
        *,
        epsilon: float = 0.05,
        par_factor: float = 10.0,
    ):
        super().__init__(algorithms, n_features, cutoff, seed)
        self.epsilon, self.par_factor = float(epsilon), float(par_factor)
        self.pulls = np.zeros(self.n_arms, dtype=np.int64)
        self.mean_cost = np.zeros(self.n_arms)

    def _choose(self, x: np.ndarray) -> int:
        untried = np.flatnonzero(self.pulls == 0)
        if untried.size:
            return int(untried[0])
        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_arms))
        return int(np.argmin(self.mean_cost))

    def _learn(self, x: np.ndarray, arm: int, obs: OnlineObservation) -> None:
        cost = self.par_factor * obs.cutoff if obs.censored else obs.runtime
        self.pulls[arm] += 1
        self.mean_cost[arm] += (cost - self.mean_cost[arm]) / self.pulls[arm]
