"""Per-algorithm linear bandits on log-runtime: the methods of Tornede et al. (AAAI 2022).

One Gaussian linear model of log-runtime per algorithm, ``A_a = lam*I + sum x x^T`` and
``b_a = sum y x`` in the paper's notation (kept here in covariance form: ``cov = A_a^-1``,
``mean = A_a^-1 b_a``, updated in O(d^2) per observation). Features: streaming mean imputation
and unit-norm scaling, as in the paper. Each algorithm is run once before the model decides.

Treatments of a censored run (runtime >= cutoff C), ``censoring=``:

* ``"drop"``   -- ignore it (BlindUCB);
* ``"cutoff"`` -- impute log C (Thompson, BClinUCB);
* ``"bj"``     -- Buckley--James-style: draw weights from the posterior until the prediction exceeds
  log C (at most 20 draws, else log C) and impute that prediction (BJ-Thompson);
* ``"tobit"``  -- no imputation: a moment-matched update on the censored likelihood P(Y > log C)
  (algoconf's addition, :meth:`GaussianLinearModel.update_censored`).

Selection, ``rule=``: ``"thompson"`` draws the mean log-runtime of every arm from its posterior
(scaled by ``sigma``); ``"ucb"`` uses the lower confidence bound ``mean - alpha * width`` (BClinUCB
multiplies the width by ``sqrt(timeouts of the arm) * 2 log C``, ``rand_sigma`` by a half-normal
draw; its "rev" score takes the runtime part at the lower and the timeout probability at the upper
bound); ``"greedy"`` uses the posterior mean. With ``rev=True`` the arm minimising the expected PAR10
of a log-normal runtime around that value is chosen (see :func:`expected_par`) instead of the arm
with the smallest log-runtime.

Difference to the paper's code, on purpose: the "rev" score here is the exact expected PAR10 in
seconds of the log-normal whose log-mean is the rule's value and whose log-variance is the model's
noise variance (1) plus the arm's parameter variance ``x.A^-1.x`` (times ``sigma`` for Thompson);
the paper mixes log-scale and second-scale terms. The per-arm variance is what makes "rev" differ
from plain Thompson: with one variance for all arms, expected PAR10 is monotone in the log-mean.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from algoconf.selection.online.contract import (
    MIN_RUNTIME,
    OnlineObservation,
    OnlineSelector,
)
from algoconf.selection.online.features import StreamingFeatures
from algoconf.selection.online.linear import GaussianLinearModel, quadratic_forms
from algoconf.selection.online.scores import expected_par

__all__ = ["LinearBanditSelector", "log_runtime"]

CENSORING_TREATMENTS = ("drop", "cutoff", "bj", "tobit")
RULES = ("thompson", "ucb", "greedy")


def log_runtime(seconds: float) -> float:
    return math.log(max(seconds, MIN_RUNTIME))


class LinearBanditSelector(OnlineSelector):
    """One Gaussian linear model of log-runtime per algorithm; Thompson / UCB / greedy selection."""

    paper_method = True

    def __init__(
        self,
        algorithms: Sequence[str],
        n_features: int,
        cutoff: float,
        seed: int | None = 0,
        *,
        censoring: str = "cutoff",
        rule: str = "thompson",
        rev: bool = False,
        lam: float = 0.5,
        sigma: float = 1.0,
        alpha: float = 1.0,
        bias_corrected: bool = False,
        rand_sigma: float | None = None,
        scheme: str = "unit_norm",
        noise_var: float = 1.0,
        bj_tries: int = 20,
    ):
        super().__init__(algorithms, n_features, cutoff, seed)
        if censoring not in CENSORING_TREATMENTS:
            raise ValueError(f"censoring must be one of {CENSORING_TREATMENTS}, got {censoring!r}")
        if rule not in RULES:
            raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
        self.censoring, self.rule, self.rev = censoring, rule, bool(rev)
        self.learns_from_censored = censoring != "drop"
        self.sigma, self.alpha = float(sigma), float(alpha)
        self.bias_corrected, self.rand_sigma = bool(bias_corrected), rand_sigma
        self.noise_var = float(noise_var)
        self.bj_tries = int(bj_tries)
        self.features = StreamingFeatures(n_features, scheme)
        d = self.features.dim
        self.means = np.zeros((self.n_arms, d))
        self.covs = np.zeros((self.n_arms, d, d))
        self.models = [
            GaussianLinearModel(d, 1.0 / lam, mean=self.means[a], cov=self.covs[a]) for a in range(self.n_arms)
        ]
        self.pulls = np.zeros(self.n_arms, dtype=np.int64)
        self.timeouts = np.zeros(self.n_arms, dtype=np.int64)
        self.log_cutoff = math.log(self.cutoff)

    def _predict(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mu = self.means @ z
        var = np.maximum(quadratic_forms(self.covs, z), 0.0)
        return mu, var

    def _choose(self, x: np.ndarray) -> int:
        untried = np.flatnonzero(self.pulls == 0)
        if untried.size:
            return int(untried[0])
        z = self.features.transform(x)
        mu, var = self._predict(z)
        if self.rule == "thompson":
            value = mu + np.sqrt(self.sigma * var) * self.rng.standard_normal(self.n_arms)
            s2 = self.noise_var + self.sigma * var
        elif self.rule == "ucb":
            width = self.alpha * np.sqrt(var)
            if self.bias_corrected:
                # BClinUCB: the width grows with the arm's timeouts (zero while it has none)
                width = width * np.sqrt(self.timeouts) * 2.0 * self.log_cutoff
            if self.rand_sigma is not None:
                width = width * np.abs(self.rng.normal(0.0, self.rand_sigma, self.n_arms))
            value = mu - width
            if self.rev:  # optimistic runtime, pessimistic timeout probability
                return int(np.argmin(expected_par(value, self.noise_var, self.cutoff, mu_timeout=mu + width)))
            s2 = self.noise_var + var
        else:
            value = mu
            s2 = self.noise_var + var
        score = expected_par(value, s2, self.cutoff) if self.rev else value
        return int(np.argmin(score))

    def _learn(self, x: np.ndarray, arm: int, obs: OnlineObservation) -> None:
        z = self.features.transform(x)
        self.features.observe(x)
        model = self.models[arm]
        self.pulls[arm] += 1
        if not obs.censored:
            model.update_exact(z, log_runtime(obs.runtime), self.noise_var)
            return
        self.timeouts[arm] += 1
        bound = log_runtime(obs.runtime)
        if self.censoring == "drop":
            return
        if self.censoring == "tobit":
            model.update_censored(z, bound, self.noise_var)
            return
        value = bound
        if self.censoring == "bj":
            mu, var = model.predict(z)
            sd = math.sqrt(self.sigma * var)
            for _ in range(self.bj_tries):
                draw = mu + sd * float(self.rng.standard_normal())
                if draw > bound:
                    value = draw
                    break
        model.update_exact(z, value, self.noise_var)
