"""Utility-based scores of runtime distributions (after Graham, Leyton-Brown & Roughgarden, ICML 2023).

Instead of mean runtime or PAR-k, an algorithm is scored by its expected utility
``E[u(T)]`` with ``u(t) = p(t) · P(κ ≥ t)``: ``p`` is how much finishing at time t is worth
(non-increasing, p(0) = 1) and κ is the captime — the time at which the user would give up — drawn
from a captime distribution. When only bounds [lo, hi] on the captime are known, the
maximum-entropy choice is uniform on [lo, hi]; with a known mean as well it is a truncated
exponential. Since u(t) = 0 beyond the largest captime, a run stopped there has a *known* utility,
which is why these scores can be estimated from capped runs without bias.

Special cases: with p ≡ 1 and a fixed captime κ the score is the solved fraction; with
p(t) = 1 − t/(kκ) and a fixed captime κ, ``PAR-k = k·κ·(1 − score)`` (see :func:`par_k_utility`).
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from scipy import optimize

from algoconf.censored.kaplan_meier import kaplan_meier
from algoconf.records import Estimate, RunResult, Status

__all__ = [
    "ValueOfTime",
    "ConstantValue",
    "LinearDecay",
    "ExponentialDecay",
    "CaptimeDistribution",
    "FixedCaptime",
    "UniformCaptime",
    "TruncatedExponentialCaptime",
    "Utility",
    "UtilityScore",
    "expected_utility",
    "par_k_utility",
    "run_utility_cost",
    "ranking",
    "utility_from_spec",
]


class ValueOfTime(abc.ABC):
    """p(t): the value of a result obtained at time t; non-increasing with p(0) = 1."""

    @abc.abstractmethod
    def __call__(self, t: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class ConstantValue(ValueOfTime):
    """p ≡ 1: any result before the captime is worth the same."""

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return np.ones_like(np.asarray(t, dtype=float))


@dataclass(frozen=True)
class LinearDecay(ValueOfTime):
    """p(t) = max(0, 1 − t/horizon)."""

    horizon: float

    def __post_init__(self) -> None:
        if not self.horizon > 0:
            raise ValueError("horizon must be positive")

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return np.clip(1.0 - np.asarray(t, dtype=float) / self.horizon, 0.0, 1.0)


@dataclass(frozen=True)
class ExponentialDecay(ValueOfTime):
    """p(t) = 2^(−t/half_life)."""

    half_life: float

    def __post_init__(self) -> None:
        if not self.half_life > 0:
            raise ValueError("half_life must be positive")

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return np.exp2(-np.asarray(t, dtype=float) / self.half_life)


class CaptimeDistribution(abc.ABC):
    """Distribution of the captime κ; ``survival(t) = P(κ ≥ t)``, zero beyond ``upper``."""

    upper: float

    @abc.abstractmethod
    def survival(self, t: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class FixedCaptime(CaptimeDistribution):
    """κ is known: a plain cutoff."""

    captime: float

    @property
    def upper(self) -> float:  # type: ignore[override]
        return self.captime

    def survival(self, t: np.ndarray) -> np.ndarray:
        return (np.asarray(t, dtype=float) <= self.captime).astype(float)


@dataclass(frozen=True)
class UniformCaptime(CaptimeDistribution):
    """κ ~ Uniform[lo, hi]: the maximum-entropy captime distribution when only bounds are known."""

    lo: float
    hi: float

    def __post_init__(self) -> None:
        if not 0 <= self.lo < self.hi:
            raise ValueError("need 0 <= lo < hi")

    @property
    def upper(self) -> float:  # type: ignore[override]
        return self.hi

    def survival(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return np.clip((self.hi - t) / (self.hi - self.lo), 0.0, 1.0)


@dataclass(frozen=True)
class TruncatedExponentialCaptime(CaptimeDistribution):
    """Maximum-entropy captime distribution on [lo, hi] with a known mean: density ∝ exp(β t)."""

    lo: float
    hi: float
    mean: float

    def __post_init__(self) -> None:
        if not 0 <= self.lo < self.mean < self.hi:
            raise ValueError("need 0 <= lo < mean < hi")

    @property
    def upper(self) -> float:  # type: ignore[override]
        return self.hi

    @property
    def beta(self) -> float:
        lo, hi, m = self.lo, self.hi, self.mean
        mid = (lo + hi) / 2
        if abs(m - mid) < 1e-12 * (hi - lo):
            return 0.0

        def mean_of(beta: float) -> float:
            if abs(beta) < 1e-12:
                return mid
            w = hi - lo
            # mean of exp(beta t) on [lo, hi], written to stay finite for large |beta|
            return lo + w / (1 - math.exp(-beta * w)) - 1 / beta if beta > 0 else hi - w / (1 - math.exp(beta * w)) - 1 / beta

        span = 1.0
        while (mean_of(span) - m) * (mean_of(-span) - m) > 0:
            span *= 4
            if span > 1e12:
                raise ValueError("mean too close to a bound")
        return optimize.brentq(lambda b: mean_of(b) - m, -span, span, xtol=1e-14)

    def survival(self, t: np.ndarray) -> np.ndarray:
        t = np.clip(np.asarray(t, dtype=float), self.lo, self.hi)
        b, lo, hi = self.beta, self.lo, self.hi
        if b == 0.0:
            return (hi - t) / (hi - lo)
        # P(κ >= t) = (e^{b hi} - e^{b t}) / (e^{b hi} - e^{b lo}); scaled so no exponent is positive
        if b > 0:
            return (1.0 - np.exp(b * (t - hi))) / (1.0 - math.exp(b * (lo - hi)))
        return (math.exp(b * (hi - lo)) - np.exp(b * (t - lo))) / (math.exp(b * (hi - lo)) - 1.0)


@dataclass(frozen=True)
class Utility:
    """u(t) = p(t) · P(κ ≥ t)."""

    value: ValueOfTime
    captime: CaptimeDistribution

    def __call__(self, t: float | np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return self.value(t) * self.captime.survival(t)


@dataclass(frozen=True)
class UtilityScore:
    """Expected utility of a runtime sample: [lower, upper] bounds the truth; equal when exact."""

    lower: float
    upper: float
    n: int
    n_censored: int

    @property
    def exact(self) -> bool:
        return self.upper - self.lower <= 1e-12

    @property
    def value(self) -> float:
        return 0.5 * (self.lower + self.upper)


def expected_utility(runtimes: Sequence[float], censored: Sequence[bool], utility: Utility) -> UtilityScore:
    """E[u(T)] estimated from right-censored runtimes via the Kaplan–Meier distribution.

    The mass the estimate leaves beyond its horizon h (runs censored at the end) has utility in
    [0, u(h)] because u is non-increasing; when h reaches the largest captime that interval is
    {0} and the score is exact.
    """
    km = kaplan_meier(runtimes, censored)
    if km.n == 0:
        raise ValueError("no runtimes")
    probs = np.diff(np.concatenate([[0.0], km.cdf])) if km.cdf.size else np.empty(0)
    inside = float(np.sum(probs * utility(km.times))) if probs.size else 0.0
    tail = 1.0 - (float(km.cdf[-1]) if km.cdf.size else 0.0)
    tail_utility = float(utility(km.horizon)) if km.horizon < utility.captime.upper else 0.0
    return UtilityScore(inside, inside + max(tail, 0.0) * tail_utility, km.n, km.n_censored)


def par_k_utility(cutoff: float, k: float = 10.0) -> Utility:
    """The utility under which PAR-k = k·cutoff·(1 − E[u]) exactly (fixed captime, linear value)."""
    return Utility(LinearDecay(k * cutoff), FixedCaptime(cutoff))


def run_utility_cost(result: RunResult, utility: Utility) -> Estimate:
    """Cost 1 − u(t) of one run, for tuners that minimise a utility objective.

    SUCCESS: exact. TIMEOUT/CAPPED at t: the true runtime is ≥ t (> t when t is the largest captime,
    so the utility is 0 and the cost exactly 1); otherwise 1 − u(t) is a lower bound. Failures cost 1.
    """
    if result.status is Status.SUCCESS:
        return Estimate(1.0 - float(utility(result.runtime)), True, 1, 0)
    if result.status.censored:
        if result.runtime >= utility.captime.upper:  # not finished by the last possible captime
            return Estimate(1.0, True, 1, 1)
        u = float(utility(result.runtime))
        return Estimate(1.0 - u, u == 0.0, 1, 1)
    return Estimate(1.0, True, 1, 0)


def ranking(scores: Mapping[str, UtilityScore]) -> list[str]:
    """Names sorted by score, best (highest expected utility) first; ties by name."""
    return sorted(scores, key=lambda name: (-scores[name].value, name))


def utility_from_spec(spec: Mapping) -> Utility:
    """Build a :class:`Utility` from a scenario's ``utility:`` mapping (ValueError when invalid).

    ``{value: constant | linear | exponential, horizon: s (linear), half_life: s (exponential),
    captime: {fixed: s} | {uniform: [lo, hi]} | {truncated_exponential: [lo, hi, mean]}}``
    """
    if not isinstance(spec, Mapping):
        raise ValueError("utility must be a mapping with keys value and captime")
    unknown = sorted(set(spec) - {"value", "horizon", "half_life", "captime"})
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in utility; expected value, horizon, half_life, captime")
    kind = spec.get("value", "constant")
    if kind == "constant":
        value: ValueOfTime = ConstantValue()
    elif kind == "linear":
        value = LinearDecay(float(spec.get("horizon", 0)))
    elif kind == "exponential":
        value = ExponentialDecay(float(spec.get("half_life", 0)))
    else:
        raise ValueError(f"utility.value must be constant, linear or exponential, got {kind!r}")
    cap = spec.get("captime")
    if not isinstance(cap, Mapping) or len(cap) != 1:
        raise ValueError("utility.captime must be one of {fixed: s}, {uniform: [lo, hi]}, {truncated_exponential: [lo, hi, mean]}")
    (ckind, args), = cap.items()
    if ckind == "fixed":
        captime: CaptimeDistribution = FixedCaptime(float(args))
    elif ckind == "uniform" and isinstance(args, (list, tuple)) and len(args) == 2:
        captime = UniformCaptime(float(args[0]), float(args[1]))
    elif ckind == "truncated_exponential" and isinstance(args, (list, tuple)) and len(args) == 3:
        captime = TruncatedExponentialCaptime(float(args[0]), float(args[1]), float(args[2]))
    else:
        raise ValueError(f"utility.captime {dict(cap)!r} is not {{fixed: s}}, {{uniform: [lo, hi]}} or {{truncated_exponential: [lo, hi, mean]}}")
    return Utility(value, captime)
