"""Kaplan–Meier estimate of a runtime distribution from right-censored samples.

A censored sample (TIMEOUT, CAPPED) says only "the runtime is at least this"; the Kaplan–Meier
estimator uses it as such. Where the largest samples are censored the estimate stops short of 1 and
says so (``ECDF.complete`` is False): the tail beyond the last exact observation is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from algoconf.records import RunResult

__all__ = ["ECDF", "kaplan_meier", "samples_from_results"]


@dataclass(frozen=True)
class ECDF:
    """A step CDF: ``F(t) = cdf[i]`` for ``times[i] <= t < times[i+1]``, 0 before ``times[0]``.

    ``times`` are the distinct exact runtimes (sorted); ``horizon`` is the largest observation of
    any kind: beyond it nothing is known. ``complete`` is True when the CDF reaches 1 there.
    """

    times: np.ndarray
    cdf: np.ndarray
    horizon: float
    n: int
    n_censored: int

    @property
    def complete(self) -> bool:
        return bool(self.cdf.size and self.cdf[-1] >= 1.0 - 1e-12)

    def __call__(self, t: float | np.ndarray) -> np.ndarray:
        """F(t), evaluated with the step convention (right-continuous)."""
        t = np.asarray(t, dtype=float)
        idx = np.searchsorted(self.times, t, side="right") - 1
        values = np.where(idx >= 0, self.cdf[np.clip(idx, 0, None)] if self.cdf.size else 0.0, 0.0)
        return values

    def survival(self, t: float | np.ndarray) -> np.ndarray:
        return 1.0 - self(t)


def kaplan_meier(runtimes: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray) -> ECDF:
    """The Kaplan–Meier CDF of runtimes where ``censored[i]`` marks ``runtimes[i]`` a lower bound.

    Ties: at equal times exact events are counted before censorings (the usual convention: a run
    censored at t was still running at t).
    """
    t = np.asarray(runtimes, dtype=float)
    c = np.asarray(censored, dtype=bool)
    if t.shape != c.shape:
        raise ValueError("runtimes and censored must have the same length")
    if t.size == 0:
        return ECDF(np.empty(0), np.empty(0), 0.0, 0, 0)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("runtimes must be finite and non-negative")
    order = np.lexsort((c, t))  # by time, exact (False) before censored (True)
    t, c = t[order], c[order]
    n = t.size
    times, cdf = [], []
    surv = 1.0
    at_risk = n
    i = 0
    while i < n:
        j = i
        events = 0
        while j < n and t[j] == t[i]:
            events += not c[j]
            j += 1
        if events:
            surv *= 1.0 - events / at_risk
            times.append(t[i])
            cdf.append(1.0 - surv)
        at_risk -= j - i
        i = j
    return ECDF(np.asarray(times), np.asarray(cdf), float(t[-1]), n, int(c.sum()))


def samples_from_results(results: Sequence[RunResult]) -> tuple[np.ndarray, np.ndarray]:
    """(runtimes, censored) of runtime results; failed runs (CRASHED, MEMOUT, ABORTED) are dropped.

    A crash says nothing about how long a successful run would have taken, so it is neither an
    observation nor a censoring; callers that want to penalise crashes do so in a cost, not here.
    """
    kept = [r for r in results if not r.status.failed]
    return (
        np.asarray([r.runtime for r in kept], dtype=float),
        np.asarray([r.censored for r in kept], dtype=bool),
    )
