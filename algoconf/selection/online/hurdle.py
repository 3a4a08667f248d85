"""A two-part ("hurdle") online model: will the algorithm solve the instance, and how fast?

Under PAR10 a timeout costs ten times the cutoff, so the decision is dominated by the probability
of solving; a log-normal runtime model (Tobit) ties that probability to the runtime's tail and gets
it wrong when runtimes are bimodal (solved quickly or not at all), which is common. This model
keeps the two apart, both with O(d^2) Bayesian updates and shared across algorithms:

* **solve model** -- Bayesian probit regression: latent u = (w0 + w_a).x + e, e ~ N(0, 1), solved
  iff u > 0; updated from *every* run (a solved run says u > 0, a timeout or failure u < 0) by
  assumed density filtering (:func:`joint_update` with a censored observation).
* **runtime model** -- Gaussian regression of log-runtime of *solved* runs, (v0 + v_a).x + e, with
  a learned noise variance (:class:`NoiseEstimate`).

Both have a pooled block (w0, v0: what makes an instance hard for everyone, learnt from every run)
and a per-algorithm offset block with a tighter prior. Choice: draw the latent means from their
posteriors with the posterior spread scaled by ``explore`` (0.3: a tempered Thompson sampling; 1 is
plain Thompson sampling, 0 greedy), then minimise
``P(solve) * E[T | solved] + (1 - P(solve)) * 10 C``.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy.special import ndtr

from algoconf.selection.online.bandits import log_runtime
from algoconf.selection.online.contract import OnlineObservation, OnlineSelector
from algoconf.selection.online.features import StreamingFeatures
from algoconf.selection.online.linear import (
    GaussianLinearModel,
    NoiseEstimate,
    joint_update,
    quadratic_forms,
)

__all__ = ["HurdleSelector"]


class _SharedBlocks:
    """A pooled Gaussian linear block plus one offset block per algorithm (stacked arrays)."""

    def __init__(self, n_arms: int, dim: int, pooled_prior: np.ndarray, arm_prior: np.ndarray, pooled_mean: np.ndarray):
        self.pooled = GaussianLinearModel(dim, pooled_prior)
        self.pooled.mean[:] = pooled_mean
        self.means = np.zeros((n_arms, dim))
        self.covs = np.zeros((n_arms, dim, dim))
        self.arms = [GaussianLinearModel(dim, arm_prior, mean=self.means[a], cov=self.covs[a]) for a in range(n_arms)]

    def predict(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        mu = self.means @ z
        var = np.maximum(quadratic_forms(self.covs, z), 0.0)
        mu0, var0 = self.pooled.predict(z)
        return mu, var, mu0, var0

    def sample(self, z: np.ndarray, rng: np.random.Generator, explore: float) -> tuple[np.ndarray, np.ndarray]:
        """A posterior draw of every arm's mean (pooled draw shared), and the arms' mean variances."""
        mu, var, mu0, var0 = self.predict(z)
        common = mu0 + explore * math.sqrt(var0) * float(rng.standard_normal())
        return common + mu + explore * np.sqrt(var) * rng.standard_normal(len(mu)), var + var0

    def update(self, arm: int, z: np.ndarray, y: float, noise_var: float, censored: bool, below: bool = False) -> None:
        joint_update([self.pooled, self.arms[arm]], z, y, noise_var, censored, below=below)


class HurdleSelector(OnlineSelector):
    """Shared probit solve model + shared log-runtime model; Thompson sampling on expected PAR10."""

    def __init__(
        self,
        algorithms: Sequence[str],
        n_features: int,
        cutoff: float,
        seed: int | None = 0,
        *,
        explore: float = 0.3,
        pooled_feature_var: float = 4.0,
        arm_feature_var: float = 1.0,
        solve_intercept_var: float = 4.0,
        arm_solve_intercept_var: float = 1.0,
        runtime_intercept_var: float = 16.0,
        arm_runtime_intercept_var: float = 2.0,
        par_factor: float = 10.0,
        expand: int = 0,
    ):
        super().__init__(algorithms, n_features, cutoff, seed)
        self.explore, self.par_factor = float(explore), float(par_factor)
        self.features = StreamingFeatures(n_features, "standardize", expand=expand)
        d = self.features.dim
        n_feat = max(d - 1, 1)
        self.log_cutoff = math.log(self.cutoff)

        def prior(intercept_var: float, feature_var: float) -> np.ndarray:
            p = np.full(d, feature_var / n_feat)
            p[-1] = intercept_var
            return p

        start_solve = np.zeros(d)
        start_solve[-1] = 1.0  # a priori most runs solve (P = 0.84): the cutoff is usually generous
        start_runtime = np.zeros(d)
        start_runtime[-1] = 0.5 * self.log_cutoff
        self.solve = _SharedBlocks(self.n_arms, d, prior(solve_intercept_var, pooled_feature_var),
                                   prior(arm_solve_intercept_var, arm_feature_var), start_solve)
        self.runtime = _SharedBlocks(self.n_arms, d, prior(runtime_intercept_var, pooled_feature_var),
                                     prior(arm_runtime_intercept_var, arm_feature_var), start_runtime)
        self.noise = NoiseEstimate(1.0, 4.0)

    def _choose(self, x: np.ndarray) -> int:
        z = self.features.transform(x)
        u, _ = self.solve.sample(z, self.rng, self.explore)
        m, _ = self.runtime.sample(z, self.rng, self.explore)
        p_solve = ndtr(u)
        s2 = self.noise.value
        # E[T | solved]: log-normal mean, at most the cutoff
        t_solved = np.minimum(np.exp(np.minimum(m + 0.5 * s2, self.log_cutoff)), self.cutoff)
        cost = p_solve * t_solved + (1.0 - p_solve) * self.par_factor * self.cutoff
        return int(np.argmin(cost))

    def _learn(self, x: np.ndarray, arm: int, obs: OnlineObservation) -> None:
        z = self.features.transform(x)
        self.features.observe(x)
        solved = not obs.censored
        if obs.censored and obs.runtime < obs.cutoff * (1 - 1e-9):
            # stopped early (CAPPED): whether it would have solved within the cutoff is unknown;
            # only the runtime model learns (runtime above the bound)
            self.runtime.update(arm, z, log_runtime(obs.runtime), self.noise.value, censored=True)
            return
        self.solve.update(arm, z, 0.0, 1.0, censored=True, below=not solved)
        if solved:
            y = log_runtime(obs.runtime)
            mu_a, var_a = self.runtime.arms[arm].predict(z)
            mu0, var0 = self.runtime.pooled.predict(z)
            self.noise.add(y - mu0 - mu_a, var0 + var_a)
            self.runtime.update(arm, z, y, self.noise.value, censored=False)
