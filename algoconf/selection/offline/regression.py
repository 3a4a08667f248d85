"""Per-algorithm runtime regression that treats censored runs as censored, with an expected-PAR10
decision (Run2Survive-style choice from a predicted runtime distribution).

A random forest predicts each algorithm's ``log10`` runtime from the instance features: one
multi-output forest for all algorithms (``joint=True``, default: m times cheaper, and algorithms'
runtimes share the instance's hardness) or one forest per algorithm (``joint=False``).
Unsolved runs are right-censored (the time to solve is only known to exceed the cutoff, or the
bound of a capped run), so their target is not a number to fit. ``censoring`` says what to do:

* ``"schmee-hahn"`` (default): Schmee & Hahn's iterative imputation. Fit the forest, take its
  out-of-bag prediction mu_i and the residual spread sigma of the solved runs, replace each censored
  target by the mean of the normal N(mu_i, sigma) truncated below at the censoring bound, refit;
  ``sh_iterations`` times. Imputed values are capped at ``log10(par_factor * cutoff)``.
* ``"par10"``: the censored target is ``log10(par_factor * cutoff)`` (what LLAMA's regr.RF is fed).
* ``"clip"``: the censored target is the bound itself (biased low; a baseline).

``decision="expected-par10"`` (default) scores each algorithm by the expected PAR10 of a runtime T
with ``log10 T ~ N(mu, sigma_j)``: ``E[T 1{T<=C}] + P(T>C) * k * C`` (closed form for the
log-normal); ``"mean"`` takes the argmin of mu. Quality data: the forest predicts the cost directly
and the argmin is chosen.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm
from sklearn.ensemble import RandomForestRegressor

from algoconf.errors import SelectionInputError
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Selector

__all__ = ["RegressionSelector", "expected_par_cost", "truncated_normal_mean"]

_LN10 = float(np.log(10.0))
_MIN_TIME = 0.005


def truncated_normal_mean(mu: np.ndarray, sigma: np.ndarray | float, lower: np.ndarray) -> np.ndarray:
    """E[Y | Y > lower] for Y ~ N(mu, sigma) (inverse Mills ratio; stable in the far tail)."""
    a = (lower - mu) / sigma
    # phi(a)/(1-Phi(a)) computed in logs; for large a it tends to a
    mills = np.exp(norm.logpdf(a) - norm.logsf(a))
    return mu + sigma * mills


def expected_par_cost(mu: np.ndarray, sigma: np.ndarray | float, cutoff: float, par_factor: float) -> np.ndarray:
    """Expected PAR-k of T with log10 T ~ N(mu, sigma): E[T 1{T<=C}] + P(T>C) k C."""
    m = np.asarray(mu) * _LN10
    s = np.maximum(np.asarray(sigma) * _LN10, 1e-6)
    log_c = np.log(cutoff)
    # E[T 1{T<=C}] = exp(m + s^2/2) Phi((ln C - m - s^2)/s), evaluated in logs to avoid overflow
    log_part = m + s**2 / 2 + norm.logcdf((log_c - m - s**2) / s)
    solved_part = np.exp(np.minimum(log_part, np.log(cutoff) + 1.0))
    p_timeout = norm.sf((log_c - m) / s)
    return np.minimum(solved_part, cutoff) + p_timeout * par_factor * cutoff


class RegressionSelector(Selector):
    """Per-algorithm random-forest regression with censoring-aware targets (see module docstring)."""

    name = "regression"
    models_censoring = True
    provides_oob_scores = True

    def __init__(
        self,
        *,
        censoring: str = "schmee-hahn",
        decision: str = "expected-par10",
        n_estimators: int = 100,
        max_features: float = 0.5,
        min_samples_leaf: int = 2,
        sh_iterations: int = 2,
        min_sigma: float = 0.15,
        joint: bool = True,
        **base,
    ) -> None:
        super().__init__(**base)
        self.censoring = censoring
        self.decision = decision
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.sh_iterations = sh_iterations
        self.min_sigma = min_sigma
        self.joint = joint

    def _forest(self, seed_offset: int) -> RandomForestRegressor:
        return RandomForestRegressor(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            bootstrap=True,
            oob_score=True,
            random_state=self.random_state * 1000 + seed_offset,
            n_jobs=None,  # the caller's joblib.parallel_config decides (evaluate --jobs); results do not depend on it
        )

    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        if self.censoring not in ("schmee-hahn", "par10", "clip"):
            raise SelectionInputError(f"censoring must be schmee-hahn, par10 or clip, got {self.censoring!r}")
        if self.decision not in ("expected-par10", "mean"):
            raise SelectionInputError(f"decision must be expected-par10 or mean, got {self.decision!r}")
        m = data.n_algorithms
        self.train_X_ = X
        if not data.is_runtime:
            Y = data.cost()
            self.sigma_ = np.full(m, self.min_sigma)
            self.models_ = self._fit_targets(X, Y)
            return
        cap = float(np.log10(data.par_factor * data.runtime_cutoff))
        bound = np.log10(np.maximum(np.where(data.observed, data.time, data.runtime_cutoff), _MIN_TIME))
        cens = ~data.event | ~data.observed
        Y = bound.copy()
        if self.censoring == "par10":
            Y[cens] = cap
        self.models_ = self._fit_targets(X, Y)
        self.sigma_ = self._sigmas(X, Y, cens)
        if self.censoring == "schmee-hahn" and cens.any():
            for _ in range(self.sh_iterations):
                mu = self._oob(X)
                imputed = truncated_normal_mean(mu, self.sigma_[None, :], bound)
                Y = np.where(cens, np.clip(imputed, bound, cap), bound)
                self.models_ = self._fit_targets(X, Y)
                self.sigma_ = self._sigmas(X, Y, cens)

    def _fit_targets(self, X: np.ndarray, Y: np.ndarray) -> list:
        """One multi-output forest (``joint``) or one forest per column; constant columns -> floats."""
        if len(Y) < 3:
            return [float(v) for v in Y.mean(axis=0)]
        if self.joint:
            forest = self._forest(0).fit(X, Y)
            return [forest]
        return [float(Y[0, j]) if np.ptp(Y[:, j]) < 1e-12 else self._forest(j).fit(X, Y[:, j]) for j in range(Y.shape[1])]

    def _predict_models(self, X: np.ndarray, oob: bool = False) -> np.ndarray:
        m = len(self.algorithms_) if hasattr(self, "algorithms_") else len(self.models_)
        out = np.empty((len(X), m))
        if self.joint and len(self.models_) == 1 and not isinstance(self.models_[0], float):
            forest = self.models_[0]
            pred = forest.predict(X).reshape(len(X), -1)
            if oob and getattr(forest, "oob_prediction_", None) is not None:
                o = np.asarray(forest.oob_prediction_).reshape(len(X), -1)
                pred = np.where(np.isfinite(o), o, pred)
            return pred
        for j, model in enumerate(self.models_):
            if isinstance(model, float):
                out[:, j] = model
                continue
            column = model.predict(X)
            if oob and getattr(model, "oob_prediction_", None) is not None:
                oob_column = np.asarray(model.oob_prediction_).reshape(-1)
                column = np.where(np.isfinite(oob_column), oob_column, column)
            out[:, j] = column
        return out

    def _oob(self, X: np.ndarray) -> np.ndarray:
        return self._predict_models(X, oob=True)

    def _sigmas(self, X: np.ndarray, Y: np.ndarray, cens: np.ndarray) -> np.ndarray:
        """Per algorithm: RMS out-of-bag residual on the solved runs, clipped to [min_sigma, 3]."""
        mu = self._oob(X)
        out = np.empty(Y.shape[1])
        for j in range(Y.shape[1]):
            exact = ~cens[:, j]
            if exact.sum() < 3:
                out[j] = max(self.min_sigma, 0.5)
            else:
                out[j] = np.sqrt(np.mean((Y[exact, j] - mu[exact, j]) ** 2))
        return np.clip(out, self.min_sigma, 3.0)

    def predict_log_runtime(self, X: np.ndarray) -> np.ndarray:
        """(n, m) predicted mean log10 runtime (or cost for quality data) from transformed features."""
        return self._predict_models(X)

    def _scores(self, X: np.ndarray) -> np.ndarray:
        return self._decide(self.predict_log_runtime(X))

    def _decide(self, mu: np.ndarray) -> np.ndarray:
        if not self.is_runtime_ or self.decision == "mean":
            return mu
        return expected_par_cost(mu, self.sigma_[None, :], self.cutoff_, self.par_factor_)

    def oob_scores(self) -> np.ndarray:
        """(n_train, m) scores of the training rows from the trees that did not see each row
        (out-of-bag; a row in every bootstrap sample falls back to the full forest)."""
        return self._decide(self._oob(self.train_X_))
