"""Runtime distributions: censoring-aware maximum-likelihood fits and model choice.

Families: exponential, shifted exponential, lognormal, Weibull. Every fit maximises the
right-censored likelihood — an exact runtime contributes its density, a censored one (TIMEOUT,
CAPPED) the probability of running *at least* that long — so timeouts are never read as exact.
Model choice is by AIC; goodness of fit is the Kolmogorov–Smirnov distance between the fitted CDF
and the Kaplan–Meier estimate, over the range the data covers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
from scipy import integrate, optimize, stats

from algoconf.censored.kaplan_meier import ECDF, kaplan_meier

__all__ = ["FittedRTD", "RTDChoice", "FAMILIES", "fit_rtd", "fit_best_rtd", "ks_distance", "expected_min_of"]

FAMILIES = ("exponential", "shifted_exponential", "lognormal", "weibull")


@dataclass(frozen=True)
class FittedRTD:
    """A fitted runtime distribution. ``params`` are the family's natural parameters:

    * exponential: ``rate``
    * shifted_exponential: ``shift``, ``rate`` (runtime = shift + Exp(rate))
    * lognormal: ``mu``, ``sigma`` (of log runtime)
    * weibull: ``shape``, ``scale``
    """

    family: str
    params: Mapping[str, float]
    loglik: float
    n: int
    n_censored: int
    ks: float = math.nan
    n_params: int = field(default=0)

    @property
    def aic(self) -> float:
        return 2 * self.n_params - 2 * self.loglik

    @property
    def dist(self) -> stats.rv_continuous:
        p = self.params
        if self.family == "exponential":
            return stats.expon(scale=1.0 / p["rate"])
        if self.family == "shifted_exponential":
            return stats.expon(loc=p["shift"], scale=1.0 / p["rate"])
        if self.family == "lognormal":
            return stats.lognorm(s=p["sigma"], scale=math.exp(p["mu"]))
        if self.family == "weibull":
            return stats.weibull_min(c=p["shape"], scale=p["scale"])
        raise ValueError(f"unknown family {self.family!r}")

    def cdf(self, t: float | np.ndarray) -> np.ndarray:
        return self.dist.cdf(t)

    def sf(self, t: float | np.ndarray) -> np.ndarray:
        return self.dist.sf(t)

    def mean(self) -> float:
        return float(self.dist.mean())

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        return self.dist.rvs(size=size, random_state=rng)

    def expected_min(self, k: int) -> float:
        """E[min of k independent runtimes] (the runtime of k independent parallel runs)."""
        if k < 1:
            raise ValueError("k must be >= 1")
        p = self.params
        if self.family == "exponential":
            return 1.0 / (k * p["rate"])
        if self.family == "shifted_exponential":
            return p["shift"] + 1.0 / (k * p["rate"])
        if self.family == "weibull":
            return p["scale"] * k ** (-1.0 / p["shape"]) * math.gamma(1.0 + 1.0 / p["shape"])
        return expected_min_of(lambda t: self.sf(t), k, scale=self.mean())


def expected_min_of(sf: Callable[[np.ndarray], np.ndarray], k: int, scale: float) -> float:
    """E[min of k iid draws] = ∫_0^∞ S(t)^k dt, by adaptive quadrature (``scale`` sets the range)."""
    f = lambda t: float(sf(np.asarray(t))) ** k  # noqa: E731 - tiny integrand
    upper = max(scale, 1e-12)
    total, _ = integrate.quad(f, 0.0, upper, limit=200)
    # extend until the remaining tail is negligible
    while f(upper) > 1e-12:
        nxt = upper * 4
        part, _ = integrate.quad(f, upper, nxt, limit=200)
        total += part
        upper = nxt
        if upper > scale * 1e12:
            break
    return total


def _split(runtimes: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(runtimes, dtype=float)
    c = np.asarray(censored, dtype=bool)
    if t.shape != c.shape:
        raise ValueError("runtimes and censored must have the same length")
    if t.size == 0 or not np.any(~c):
        raise ValueError("a fit needs at least one exact (uncensored) runtime")
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("runtimes must be finite and non-negative")
    return t[~c], t[c]


def _fit_exponential(exact: np.ndarray, cens: np.ndarray) -> tuple[dict, float]:
    total = exact.sum() + cens.sum()
    rate = float(exact.size / max(total, 1e-300))
    ll = exact.size * math.log(rate) - rate * total
    return {"rate": rate}, float(ll)


def _fit_shifted_exponential(exact: np.ndarray, cens: np.ndarray) -> tuple[dict, float]:
    # The profile likelihood grows with the shift up to the smallest exact runtime.
    shift = float(exact.min())
    excess = (exact - shift).sum() + np.clip(cens - shift, 0, None).sum()
    if excess <= 0:
        raise ValueError("shifted exponential needs runtimes that differ")
    rate = float(exact.size / excess)
    ll = exact.size * math.log(rate) - rate * excess
    return {"shift": shift, "rate": rate}, float(ll)


def _positive(exact: np.ndarray, cens: np.ndarray, family: str) -> None:
    if np.any(exact <= 0) or np.any(cens <= 0):
        raise ValueError(f"{family} needs strictly positive runtimes")


def _fit_lognormal(exact: np.ndarray, cens: np.ndarray) -> tuple[dict, float]:
    _positive(exact, cens, "lognormal")
    le, lc = np.log(exact), np.log(cens)

    def nll(theta: np.ndarray) -> float:
        mu, log_sigma = theta
        sigma = math.exp(log_sigma)
        z = (le - mu) / sigma
        ll = np.sum(stats.norm.logpdf(z) - log_sigma - le)
        if lc.size:
            ll += np.sum(stats.norm.logsf((lc - mu) / sigma))
        return -ll

    all_logs = np.concatenate([le, lc])
    start = np.array([all_logs.mean(), math.log(max(all_logs.std(), 1e-3))])
    res = optimize.minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    mu, log_sigma = res.x
    return {"mu": float(mu), "sigma": float(math.exp(log_sigma))}, float(-res.fun)


def _fit_weibull(exact: np.ndarray, cens: np.ndarray) -> tuple[dict, float]:
    _positive(exact, cens, "weibull")
    scale0 = float(np.concatenate([exact, cens]).mean())
    te, tc = exact / scale0, cens / scale0  # fit on a normalised scale, then rescale

    def nll(theta: np.ndarray) -> float:
        log_k, log_lam = theta
        k, lam = math.exp(log_k), math.exp(log_lam)
        ze, zc = te / lam, tc / lam
        ll = np.sum(log_k - log_lam + (k - 1) * np.log(ze) - ze**k) - np.sum(zc**k)
        return -ll if np.isfinite(ll) else 1e300

    res = optimize.minimize(nll, np.zeros(2), method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 4000})
    k, lam = math.exp(res.x[0]), math.exp(res.x[1]) * scale0
    ll = -res.fun - exact.size * math.log(scale0)  # Jacobian of the rescaling
    return {"shape": float(k), "scale": float(lam)}, float(ll)


_FITTERS = {
    "exponential": (_fit_exponential, 1),
    "shifted_exponential": (_fit_shifted_exponential, 2),
    "lognormal": (_fit_lognormal, 2),
    "weibull": (_fit_weibull, 2),
}


def ks_distance(fitted: FittedRTD, km: ECDF) -> float:
    """Largest gap between the fitted CDF and the Kaplan–Meier CDF, over [0, km.horizon]."""
    if km.times.size == 0:
        return math.nan
    f = fitted.cdf(km.times)
    before = np.concatenate([[0.0], km.cdf[:-1]])
    gaps = np.maximum(np.abs(f - km.cdf), np.abs(f - before))
    return float(gaps.max())


def fit_rtd(runtimes: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray, family: str) -> FittedRTD:
    """Maximum-likelihood fit of one family to right-censored runtimes."""
    if family not in _FITTERS:
        raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES}")
    exact, cens = _split(runtimes, censored)
    fitter, n_params = _FITTERS[family]
    params, ll = fitter(exact, cens)
    partial = FittedRTD(family, params, ll, exact.size + cens.size, cens.size, n_params=n_params)
    ks = ks_distance(partial, kaplan_meier(runtimes, censored))
    return FittedRTD(family, params, ll, partial.n, partial.n_censored, ks, n_params)


@dataclass(frozen=True)
class RTDChoice:
    """Result of :func:`fit_best_rtd`: the best fit by AIC, every fit, and why others were skipped."""

    best: FittedRTD
    fits: tuple[FittedRTD, ...]
    skipped: Mapping[str, str]


def fit_best_rtd(
    runtimes: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray, families: Sequence[str] = FAMILIES
) -> RTDChoice:
    """Fit every family that applies to the data; the choice is by AIC.

    A family that does not apply (e.g. lognormal with a zero runtime) is listed in ``skipped`` with
    the reason; if none applies, ValueError.
    """
    fits, skipped = [], {}
    for family in families:
        try:
            fits.append(fit_rtd(runtimes, censored, family))
        except ValueError as err:
            skipped[family] = str(err)
    if not fits:
        raise ValueError(f"no runtime-distribution family fits these samples: {skipped}")
    fits.sort(key=lambda f: f.aic)
    return RTDChoice(fits[0], tuple(fits), skipped)

