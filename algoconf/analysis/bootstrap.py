"""Percentile-bootstrap confidence intervals of a median, the interval every benchmark table prints
beside a median over seeds.

The resamples are drawn as ``default_rng(seed).integers(0, n, (resamples, n))``, the same draws as
``scipy.stats.bootstrap(..., method="percentile", random_state=default_rng(seed))``, so the
interval equals scipy's, without scipy's refusal of a sample whose values are all equal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["median_ci"]


def median_ci(
    values: Sequence[float], *, resamples: int = 2000, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """(low, high) of the percentile bootstrap ``confidence`` interval of the median of ``values``:
    ``(v, v)`` for a single value (or values all equal to ``v``), ``(nan, nan)`` for none.
    Deterministic for a given ``seed``."""
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return math.nan, math.nan
    if len(v) == 1 or np.all(v == v[0]):
        return float(v[0]), float(v[0])
    idx = np.random.default_rng(seed).integers(0, len(v), size=(resamples, len(v)))
    medians = np.median(v[idx], axis=1)
    tail = 100 * (1 - confidence) / 2
    return float(np.percentile(medians, tail)), float(np.percentile(medians, 100 - tail))
