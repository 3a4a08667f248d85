"""Bayesian linear regression of log-runtime with O(d^2) online updates, exact and censored.

The posterior over the weights is Gaussian, N(mean, cov), kept in covariance form, so one update is
a rank-one change (Kalman / Sherman--Morrison) and costs O(d^2) whatever the number of updates.

* :meth:`GaussianLinearModel.update_exact` -- an exact log-runtime ``y`` with noise variance ``s2``.
* :meth:`GaussianLinearModel.update_censored` -- only ``y > c`` is known (right-censored). The exact
  posterior is no longer Gaussian (the likelihood is the Tobit/probit term Phi((w.x - c)/s)); it is
  projected back onto a Gaussian by matching moments (assumed density filtering, as in Bayesian
  probit regression). This uses everything a censored run tells, without inventing a value for it.

The imputation treatments of Tornede et al. (drop, impute at the cutoff, Buckley--James resampling)
are expressed with ``update_exact`` on an imputed value; see :mod:`algoconf.selection.online.policies`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr

__all__ = ["GaussianLinearModel", "NoiseEstimate", "inverse_mills", "joint_update", "quadratic_forms"]

_SQRT2PI = math.sqrt(2.0 * math.pi)


def inverse_mills(z: float) -> float:
    """phi(z) / Phi(z), computed stably for very negative z."""
    return math.exp(-0.5 * z * z - float(log_ndtr(z))) / _SQRT2PI


class GaussianLinearModel:
    """Gaussian posterior N(mean, cov) over weights of a linear model (O(d^2) state).

    The prior is N(0, diag(prior_var)).
    """

    def __init__(
        self,
        dim: int,
        prior_var: float | np.ndarray = 1.0,
        *,
        mean: np.ndarray | None = None,
        cov: np.ndarray | None = None,
    ):
        """``prior_var`` is a scalar or one variance per weight. ``mean``/``cov`` may be given as
        preallocated arrays (views into a stack of models); they are then reset to the prior in place."""
        prior = np.broadcast_to(np.asarray(prior_var, dtype=float), (int(dim),))
        if np.any(prior <= 0):
            raise ValueError(f"prior variances must be positive, got {prior_var}")
        self.dim = int(dim)
        self.mean = np.zeros(self.dim) if mean is None else mean
        self.cov = np.zeros((self.dim, self.dim)) if cov is None else cov
        self.mean[...] = 0.0
        self.cov[...] = np.diag(prior)
        self.n_exact = 0
        self.n_censored = 0

    @property
    def n_seen(self) -> int:
        return self.n_exact + self.n_censored

    def predict(self, x: np.ndarray) -> tuple[float, float]:
        """Posterior mean and variance of w.x (parameter uncertainty only, no noise)."""
        mu = float(self.mean @ x)
        var = float(x @ self.cov @ x)
        return mu, max(var, 0.0)

    def update_exact(self, x: np.ndarray, y: float, noise_var: float) -> None:
        """Condition on ``y = w.x + e``, e ~ N(0, noise_var)."""
        cx = self.cov @ x
        q = float(x @ cx) + noise_var
        self.mean += cx * ((y - float(self.mean @ x)) / q)
        self._downdate(cx, 1.0 / q)
        self.n_exact += 1

    def update_censored(self, x: np.ndarray, c: float, noise_var: float) -> None:
        """Condition (approximately, by moment matching) on ``w.x + e > c``."""
        cx = self.cov @ x
        q = float(x @ cx) + noise_var
        sq = math.sqrt(q)
        z = (float(self.mean @ x) - c) / sq
        r = inverse_mills(z)
        self.mean += cx * (r / sq)
        self._downdate(cx, r * (r + z) / q)
        self.n_censored += 1

    def _downdate(self, cx: np.ndarray, factor: float) -> None:
        # cov <- cov - factor * cx cx^T, kept symmetric; factor * x.cov.x < 1 keeps it positive
        self.cov -= factor * np.outer(cx, cx)


class NoiseEstimate:
    """Running estimate of the noise variance of log-runtime around a model's prediction.

    A scaled-inverse-chi-square posterior: ``prior_dof`` pseudo-observations of ``prior_var``, plus
    the squared one-step-ahead residuals of exact observations minus their parameter variance
    (the part of the residual the model already knew it did not know).
    """

    def __init__(self, prior_var: float = 1.0, prior_dof: float = 4.0, floor: float = 0.05):
        self.sum = prior_var * prior_dof
        self.dof = prior_dof
        self.floor = floor

    @property
    def value(self) -> float:
        return max(self.sum / self.dof, self.floor)

    def add(self, residual: float, param_var: float) -> None:
        self.sum += max(residual * residual - param_var, 0.1 * residual * residual)
        self.dof += 1.0


def quadratic_forms(covs: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``x . covs[k] . x`` for every k of a (K, d, d) stack, as one matrix-vector product (BLAS)."""
    k, d, _ = covs.shape
    return (covs.reshape(k * d, d) @ x).reshape(k, d) @ x


def joint_update(
    models: "list[GaussianLinearModel]",
    x: np.ndarray,
    y: float,
    noise_var: float,
    censored: bool,
    *,
    below: bool = False,
) -> None:
    """Update models whose *sum* predicts y: y = sum_i w_i.x + e, e ~ N(0, noise_var).

    ``censored=False``: y itself was observed. ``censored=True``: only that the value is above y
    (right-censored), or below y when ``below=True`` (a probit observation is either, with y = 0).
    The weights of the models are independent a priori; the joint Gaussian update is done exactly
    (moment matching for censored values) and then projected back onto independent blocks: the
    marginal of every block is exact, only the cross-covariance the observation creates between the
    blocks is dropped. O(d^2) per model.
    """
    cxs = [m.cov @ x for m in models]
    q = sum(float(x @ cx) for cx in cxs) + noise_var
    mu = sum(float(m.mean @ x) for m in models)
    if censored:
        sq = math.sqrt(q)
        sign = -1.0 if below else 1.0
        z = sign * (mu - y) / sq
        r = inverse_mills(z)
        step, shrink = sign * r / sq, r * (r + z) / q
    else:
        step, shrink = (y - mu) / q, 1.0 / q
    for model, cx in zip(models, cxs):
        model.mean += cx * step
        model._downdate(cx, shrink)
        if censored:
            model.n_censored += 1
        else:
            model.n_exact += 1
