"""Parallel speed-up prediction from sequential runtime distributions.

k independent runs of a randomised solver (different seeds) started together finish when the first
one does: the parallel runtime is the minimum of k draws, whose survival function is S(t)^k. From a
fitted sequential RTD this gives the expected parallel runtime and the speed-up E[T_1]/E[T_k]; a
parallel portfolio of different solvers has survival ∏_i S_i(t). Predictions are checked against
observations: real parallel runs, or the minimum of k draws resampled from measured sequential
runtimes (:func:`simulate_parallel`), where censored samples make the observed mean a lower bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from algoconf.censored.kaplan_meier import kaplan_meier
from algoconf.analysis.rtd import FittedRTD, expected_min_of
from algoconf.records import Estimate

__all__ = [
    "SpeedupPrediction",
    "predict_speedup",
    "predict_portfolio_runtime",
    "simulate_parallel",
]


@dataclass(frozen=True)
class SpeedupPrediction:
    """Predicted expected runtime of k parallel independent runs and the speed-up over one run."""

    k: int
    expected_runtime: float
    speedup: float


def predict_speedup(rtd: FittedRTD, ks: Sequence[int]) -> list[SpeedupPrediction]:
    """Expected runtime and speed-up of k independent parallel runs, for each k in ``ks``."""
    base = rtd.expected_min(1)
    out = []
    for k in ks:
        e = rtd.expected_min(int(k))
        out.append(SpeedupPrediction(int(k), e, base / e if e > 0 else math.inf))
    return out


def predict_portfolio_runtime(rtds: Sequence[FittedRTD]) -> float:
    """Expected runtime of a parallel portfolio of different solvers: ∫ ∏ S_i(t) dt."""
    if not rtds:
        raise ValueError("a portfolio needs at least one runtime distribution")
    scale = min(r.mean() for r in rtds)

    def sf(t: np.ndarray) -> np.ndarray:
        out = np.ones_like(np.asarray(t, dtype=float))
        for r in rtds:
            out = out * r.sf(t)
        return out

    return expected_min_of(sf, 1, scale)


def simulate_parallel(
    runtimes: Sequence[float],
    censored: Sequence[bool],
    k: int,
    *,
    n_draws: int = 20000,
    rng: np.random.Generator | None = None,
) -> Estimate:
    """Mean of the minimum of k draws from the Kaplan–Meier distribution of measured runtimes.

    Draws fall on the exact runtimes with the Kaplan–Meier probabilities; the probability mass the
    estimate leaves beyond its horizon (censored tail) is drawn as the horizon itself, so when any
    minimum lands there the result is a lower bound (``exact`` False).
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    rng = rng if rng is not None else np.random.default_rng(0)
    km = kaplan_meier(runtimes, censored)
    if km.times.size == 0:
        return Estimate(km.horizon, False, km.n, km.n_censored)
    probs = np.diff(np.concatenate([[0.0], km.cdf]))
    tail = max(0.0, 1.0 - km.cdf[-1])
    values = np.concatenate([km.times, [km.horizon]]) if tail > 1e-12 else km.times
    weights = np.concatenate([probs, [tail]]) if tail > 1e-12 else probs
    weights = weights / weights.sum()
    draws = rng.choice(values, size=(n_draws, k), p=weights)
    minima = draws.min(axis=1)
    tail_hits = int(np.sum(minima >= km.horizon)) if tail > 1e-12 else 0
    return Estimate(float(minima.mean()), tail_hits == 0, km.n, km.n_censored)
