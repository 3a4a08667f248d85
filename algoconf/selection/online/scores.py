"""Scores that online selectors minimise, computed for all arms at once.

All runtimes are modelled as log-normal: log T ~ N(mu, s2). With cutoff C and PAR factor k:

* :func:`expected_par` -- E[PAR-k] = E[T 1{T <= C}] + k C P(T > C)
  = exp(mu + s2/2) Phi((log C - mu - s2)/s) + k C (1 - Phi((log C - mu)/s)).
  This is the exact expected PAR-k of the truncated runtime distribution (the decision-theoretic
  "rev" rule); minimising it trades a fast expected runtime against the risk of a timeout.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

__all__ = ["expected_par"]


def expected_par(
    mu: np.ndarray,
    s2: np.ndarray | float,
    cutoff: float,
    par_factor: float = 10.0,
    mu_timeout: np.ndarray | None = None,
) -> np.ndarray:
    """Expected PAR-k (seconds) of log-normal runtimes with log-mean ``mu`` and log-variance ``s2``.

    ``mu_timeout`` (optional) is a different log-mean for the timeout probability: BClinUCB's "rev"
    rule is optimistic about the runtime (lower bound) and pessimistic about timeouts (upper bound).
    """
    mu = np.asarray(mu, dtype=float)
    mu_t = mu if mu_timeout is None else np.asarray(mu_timeout, dtype=float)
    s2 = np.maximum(np.asarray(s2, dtype=float), 1e-12)
    s = np.sqrt(s2)
    log_c = math.log(cutoff)
    p_within = ndtr((log_c - mu_t) / s)
    # exp(mu + s2/2) * Phi(...) can overflow for absurd mu; the Phi factor is then ~0, so clip mu
    body = np.exp(np.minimum(mu + 0.5 * s2, 700.0)) * ndtr((log_c - mu - s2) / s)
    body = np.minimum(body, cutoff)  # E[T 1{T<=C}] <= C, guards rounding at extreme s2
    return body + par_factor * cutoff * (1.0 - p_within)
