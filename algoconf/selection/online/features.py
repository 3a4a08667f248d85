"""Online feature handling: streaming mean imputation and scaling that never looks ahead.

A transformer sees raw feature vectors (NaN = missing) and turns them into model inputs. Its
statistics change only in :meth:`observe`, which the selectors call in ``update`` -- so the vector
used to choose an algorithm for an instance is built from the instances seen *before* it.
Memory is O(d) and every call O(d), whatever the length of the stream.

Two schemes:

* ``"unit_norm"`` (Tornede et al. 2022): impute with the running mean of the raw values, then scale
  the vector to unit Euclidean length. No intercept.
* ``"standardize"`` (algoconf's default): impute with the running mean, compress heavy tails with
  ``sign(v) * log1p(|v|)``, centre and scale each feature by its running mean and standard deviation
  (Welford), clip to [-clip, clip], and append a constant 1 (intercept). Feature counts of SAT
  instances span many orders of magnitude; without the log step one feature dominates the norm.
"""

from __future__ import annotations

import numpy as np

__all__ = ["StreamingFeatures", "FEATURE_SCHEMES"]

FEATURE_SCHEMES = ("unit_norm", "standardize")


class StreamingFeatures:
    """Impute and scale feature vectors from running statistics (O(d) state)."""

    def __init__(self, n_features: int, scheme: str = "standardize", clip: float = 5.0, expand: int = 0):
        """``expand`` (standardize only) appends that many random Fourier features of the
        standardised vector, cos(W z + b) with fixed W ~ N(0, 1/d), b ~ U(0, 2 pi): a fixed,
        O(d * expand) nonlinear basis, so a linear model on it can bend."""
        if scheme not in FEATURE_SCHEMES:
            raise ValueError(f"unknown feature scheme {scheme!r}; expected one of {FEATURE_SCHEMES}")
        if expand and scheme != "standardize":
            raise ValueError("random features need the 'standardize' scheme")
        self.n_features = int(n_features)
        self.scheme = scheme
        self.clip = float(clip)
        self.expand = int(expand)
        if self.expand:
            basis = np.random.default_rng(20220222)
            self.rf_weights = basis.normal(0.0, 1.0 / np.sqrt(max(self.n_features, 1)), (self.expand, self.n_features))
            self.rf_shift = basis.uniform(0.0, 2 * np.pi, self.expand)
        d = self.n_features
        self.raw_count = np.zeros(d)  # number of non-missing values seen, per feature
        self.raw_mean = np.zeros(d)
        self.t_mean = np.zeros(d)  # running mean / M2 of the log-compressed values
        self.t_m2 = np.zeros(d)

    @property
    def dim(self) -> int:
        """Length of the transformed vector."""
        return self.n_features + self.expand + (1 if self.scheme == "standardize" else 0)

    def _impute(self, x: np.ndarray) -> np.ndarray:
        missing = ~np.isfinite(x)
        if missing.any():
            x = np.where(missing, self.raw_mean, x)
        return x

    def observe(self, x: np.ndarray) -> None:
        """Add one raw vector to the statistics (missing entries leave their feature's stats alone)."""
        present = np.isfinite(x)
        if not present.any():
            return
        self.raw_count[present] += 1
        n = self.raw_count[present]
        delta = x[present] - self.raw_mean[present]
        self.raw_mean[present] += delta / n
        t = _compress(x[present])
        t_delta = t - self.t_mean[present]
        self.t_mean[present] += t_delta / n
        self.t_m2[present] += t_delta * (t - self.t_mean[present])

    def transform(self, x: np.ndarray) -> np.ndarray:
        """The model input for raw vector ``x`` under the current statistics (no update)."""
        x = self._impute(np.asarray(x, dtype=float))
        if self.scheme == "unit_norm":
            norm = float(np.linalg.norm(x))
            if not np.isfinite(norm) or norm == 0.0:
                out = np.zeros(self.n_features)
                if self.n_features:
                    out[0] = 1.0
                return out
            return x / norm
        t = _compress(x)
        n = self.raw_count
        std = np.sqrt(np.where(n > 1, self.t_m2 / np.maximum(n - 1, 1), 0.0))
        z = np.where(std > 1e-12, (t - self.t_mean) / np.where(std > 1e-12, std, 1.0), 0.0)
        z = np.clip(z, -self.clip, self.clip)
        if self.expand:
            z = np.concatenate([z, np.sqrt(2.0) * np.cos(self.rf_weights @ z + self.rf_shift)])
        return np.append(z, 1.0)


def _compress(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.log1p(np.abs(v))
