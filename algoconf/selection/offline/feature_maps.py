"""Per-feature monotone maps applied before standardising, for the selectors that compare
instances by distance (SUNNY's k-NN, ISAC's clusters).

Instance features of SAT, MaxSAT, QBF or CSP scenarios are mostly counts and ratios that span
orders of magnitude. After plain standardisation a few huge instances stretch each column, and the
distances among all the other instances are decided by whatever features are not heavy-tailed.

* ``"standard"``: no map (standardisation only);
* ``"log"``: sign(x) log(1 + |x|), which keeps the order of magnitude and the sign;
* ``"rank"``: each column's empirical distribution function on the training rows (ties get their
  mid-rank), so the distance is over quantiles and invariant to any monotone map of a feature.

A map is fitted on the training rows only; new rows go through the fitted map.
"""

from __future__ import annotations

import numpy as np

from algoconf.errors import SelectionInputError

__all__ = ["SCALINGS", "MonotoneFeatureMap", "MappedFeatures"]

#: the maps :class:`MonotoneFeatureMap` knows
SCALINGS = ("standard", "log", "rank")


class MonotoneFeatureMap:
    """One of :data:`SCALINGS`, fitted on training rows (imputed: no NaN)."""

    def __init__(self, scaling: str) -> None:
        if scaling not in SCALINGS:
            raise SelectionInputError(f"scaling must be one of {list(SCALINGS)}; got {scaling!r}")
        self.scaling = scaling

    def fit(self, X: np.ndarray) -> "MonotoneFeatureMap":
        """Remember what ``"rank"`` needs: each training column, sorted."""
        X = np.asarray(X, dtype=float)
        self.n_train_ = len(X)
        self.sorted_columns_ = [np.sort(col) for col in X.T] if self.scaling == "rank" else []
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """The mapped rows (same shape)."""
        X = np.asarray(X, dtype=float)
        if self.scaling == "log":
            return np.sign(X) * np.log1p(np.abs(X))
        if self.scaling == "rank":
            n = max(1, self.n_train_)
            out = np.empty_like(X)
            for j, col in enumerate(self.sorted_columns_):
                lo = np.searchsorted(col, X[:, j], side="left")
                hi = np.searchsorted(col, X[:, j], side="right")
                out[:, j] = (lo + hi) / (2.0 * n)
            return out
        return X


class MappedFeatures:
    """Mixin for a :class:`~algoconf.selection.offline.base.Selector` whose ``scaling_`` (or ``scaling``)
    names a map: it fills the base class's ``_reshape`` hook, fitting the map on the training
    rows in ``fit`` (``feature_map_``) and applying it to every later row."""

    scaling: str  # the selector's parameter
    feature_map_: MonotoneFeatureMap

    def _reshape(self, X: np.ndarray, *, fit: bool = False) -> np.ndarray:
        if fit:
            self.feature_map_ = MonotoneFeatureMap(getattr(self, "scaling_", self.scaling)).fit(X)
        return self.feature_map_.transform(X)
