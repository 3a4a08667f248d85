"""The selector contract and the preprocessing every offline selector shares.

A selector is scikit-learn style::

    sel = make_selector("regression", random_state=0).fit(data)       # data: PerformanceData
    plans = sel.predict(features, features_ok)                         # one schedule per row

* ``features`` has the columns of ``data.feature_names`` (all of them, as in the data: the selector
  picks the columns of the feature steps it uses); NaN marks a missing value.
* ``features_ok`` (optional, (n,) bool): False where feature computation failed for the row; the
  selector then returns its **backup** plan (the best algorithm on training instances whose
  features failed, else the single best).
* A **schedule** is a list of ``(algorithm, budget_seconds)``; a plain selection is one element
  whose budget is the cutoff. The full plan for an instance is::

      sel.presolve_schedule  ->  compute the features of sel.used_steps  ->  sel.predict(...)

  ``presolve_schedule`` is static (the same for every instance, run before any feature is
  computed); ``used_steps`` are the feature steps (closed under ``requires``) whose cost the
  selector must pay. For quality data budgets are ``inf`` and schedules have one element.

Subclasses implement :meth:`Selector._fit` and either :meth:`Selector._scores` (expected cost per
algorithm, lower is better: the base class picks the argmin) or :meth:`Selector._schedules`.
Capabilities are class attributes: ``produces_schedules``, ``supports_quality``,
``uses_features`` (False: predictions never look at features, so none need computing),
``models_censoring``, ``optimises_feature_cost`` (has a ``feature_cost`` parameter: the
convention its inner choices optimise), ``provides_oob_scores`` (after ``fit``, :meth:`Selector.oob_scores` gives
the training rows' scores from models that did not see each row; stacking builds on it). Every selector is deterministic for a fixed ``random_state``.
"""

from __future__ import annotations

import copy
import inspect
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

import numpy as np

from algoconf.errors import SelectionInputError
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.presolve import greedy_presolve_schedule

if TYPE_CHECKING:  # typing.Self is Python 3.11+; setup.cfg says 3.10
    from typing_extensions import Self

__all__ = ["Schedule", "Selector", "schedule_is_valid"]

Schedule = list[tuple[str, float]]


class Selector:
    """Base class: feature-step choice, imputation and scaling, pre-solving, backup, argmin.

    Parameters shared by every selector:

    * ``feature_steps``: the steps whose features the model uses (``None``: the data's default
      steps, or every feature when the data has no steps; ``"all"``: every step);
    * ``presolve``: fraction of the cutoff given to a static pre-solving schedule run before the
      features (0 disables it; runtime data only);
    * ``presolve_max``: at most this many pre-solvers;
    * ``random_state``: seed of every random choice.
    """

    name: ClassVar[str] = "base"
    produces_schedules: ClassVar[bool] = False
    supports_quality: ClassVar[bool] = True
    uses_features: ClassVar[bool] = True
    models_censoring: ClassVar[bool] = False
    provides_oob_scores: ClassVar[bool] = False
    #: has a ``feature_cost`` parameter ("charge"/"free") saying which convention its own inner
    #: choices optimise; an evaluation under one convention should pass it the same one
    optimises_feature_cost: ClassVar[bool] = False

    def __init__(
        self,
        *,
        feature_steps: Sequence[str] | str | None = None,
        presolve: float = 0.0,
        presolve_max: int = 2,
        random_state: int = 0,
    ) -> None:
        self.feature_steps = feature_steps
        self.presolve = presolve
        self.presolve_max = presolve_max
        self.random_state = random_state

    # ---------------------------------------------------------------------- scikit-learn style
    @classmethod
    def _param_names(cls) -> list[str]:
        names: list[str] = []
        for klass in cls.__mro__:
            if klass is object:
                continue
            sig = inspect.signature(klass.__init__)  # type: ignore[misc]  # each class of the MRO on purpose
            for p in sig.parameters.values():
                if p.kind == p.KEYWORD_ONLY and p.name not in names:
                    names.append(p.name)
        return names

    def get_params(self) -> dict[str, Any]:
        return {k: copy.deepcopy(getattr(self, k)) for k in self._param_names()}

    def set_params(self, **params: Any) -> "Selector":
        valid = set(self._param_names())
        for k, v in params.items():
            if k not in valid:
                raise SelectionInputError(f"{self.name}: unknown parameter {k!r}; known: {sorted(valid)}")
            setattr(self, k, v)
        return self

    def clone(self) -> "Selector":
        """An unfitted copy with the same parameters."""
        return type(self)(**self.get_params())

    # ----------------------------------------------------------------------------- persistence
    # A model file stores a selector's attributes as data (algoconf.selection.model_io, skops), whose
    # dictionaries need plain keys: a dict keyed by tuples is stored as a list of (key, value) pairs.
    _TUPLE_KEYS = "__algoconf_tuple_keyed__"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for key, value in state.items():
            if isinstance(value, dict) and value and all(isinstance(k, tuple) for k in value):
                state[key] = {self._TUPLE_KEYS: [[list(k), v] for k, v in value.items()]}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            if isinstance(value, dict) and set(value) == {self._TUPLE_KEYS}:
                state[key] = {tuple(k): v for k, v in value[self._TUPLE_KEYS]}
        self.__dict__.update(state)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    # --------------------------------------------------------------------------------- fitting
    def fit(self, data: PerformanceData) -> Self:
        """Fit on ``data`` (every row is training data; nothing else is looked at)."""
        if data.n_instances == 0 or data.n_algorithms == 0:
            raise SelectionInputError(f"{self.name}: cannot fit on empty data")
        if not data.is_runtime and not self.supports_quality:
            raise SelectionInputError(f"{self.name} needs runtime data; {data.name or 'this data'} is quality data")
        self.algorithms_ = data.algorithms
        self.is_runtime_ = data.is_runtime
        self.cutoff_ = data.runtime_cutoff if data.is_runtime else float("inf")
        self.par_factor_ = data.par_factor
        self.n_features_in_ = len(data.feature_names)
        self.sbs_ = int(np.argmin(data.cost().mean(axis=0)))
        self._adopt_steps(data, self._resolve_steps(data))
        # pre-solving: a static schedule on the training data, within presolve * cutoff
        self.presolve_schedule: Schedule = []
        if data.is_runtime and self.presolve > 0:
            self.presolve_schedule = greedy_presolve_schedule(
                data, budget=self.presolve * self.cutoff_, max_solvers=self.presolve_max
            )
        X = data.features[:, self.columns_].astype(float)
        with np.errstate(all="ignore"):
            med = np.nanmedian(X, axis=0) if X.shape[0] else np.zeros(X.shape[1])
        self.impute_ = np.where(np.isfinite(med), med, 0.0)
        Xi = self._reshape(self._impute(X), fit=True)
        self.mean_ = Xi.mean(axis=0) if len(Xi) else np.zeros(X.shape[1])
        std = Xi.std(axis=0) if len(Xi) else np.ones(X.shape[1])
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        self._fit(self._transform_imputed(Xi), data)
        self.fitted_ = True
        return self

    def _adopt_steps(self, data: PerformanceData, steps: tuple[str, ...] | None) -> None:
        """Use ``steps`` (closed under ``requires``; None: no steps in the data): sets
        ``used_steps``, the feature columns ``columns_`` and the ``backup_`` algorithm (the best on
        the training instances whose features from these steps failed, else the SBS)."""
        self.used_steps = steps
        self.columns_ = data.feature_columns(steps if data.feature_steps else None)
        ok, _ = data.step_outcome(steps if data.feature_steps else None)
        failed = ~ok
        self.backup_ = int(np.argmin(data.cost()[failed].mean(axis=0))) if failed.sum() >= 5 else self.sbs_

    def _resolve_steps(self, data: PerformanceData) -> tuple[str, ...] | None:
        if not data.feature_steps:
            return None
        if self.feature_steps is None:
            chosen = data.default_steps or tuple(data.feature_steps)
        elif self.feature_steps == "all":
            chosen = tuple(data.feature_steps)
        elif isinstance(self.feature_steps, str):
            chosen = (self.feature_steps,)
        else:
            chosen = tuple(self.feature_steps)
        return data.step_closure(chosen)

    def _impute(self, X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=float)
        bad = ~np.isfinite(X)
        if bad.any():
            X[bad] = np.broadcast_to(self.impute_, X.shape)[bad]
        return X

    def _reshape(self, X: np.ndarray, *, fit: bool = False) -> np.ndarray:
        """A per-column monotone map applied to imputed features before standardising (identity
        here; distance-based selectors override it). ``fit=True`` only in ``fit``, on training rows."""
        return X

    def _transform_imputed(self, X: np.ndarray) -> np.ndarray:
        return np.clip((X - self.mean_) / self.scale_, -1e6, 1e6)

    def transform(self, features: np.ndarray) -> np.ndarray:
        """The model's input: the used columns, imputed with training medians and standardised."""
        features = np.asarray(features, dtype=float)
        if features.ndim != 2 or features.shape[1] != self.n_features_in_:
            raise SelectionInputError(
                f"{self.name}: expected features of shape (n, {self.n_features_in_}), got {features.shape}"
            )
        return self._transform_imputed(self._reshape(self._impute(features[:, self.columns_])))

    # ------------------------------------------------------------------------------ prediction
    def predict(self, features: np.ndarray, features_ok: np.ndarray | None = None) -> list[Schedule]:
        """One schedule per row of ``features`` (see the module docstring)."""
        if not getattr(self, "fitted_", False):
            raise SelectionInputError(f"{self.name}: call fit() before predict()")
        X = self.transform(features)
        plans = self._schedules(X) if len(X) else []
        if features_ok is not None:
            ok = np.asarray(features_ok, dtype=bool)
            if ok.shape != (len(X),):
                raise SelectionInputError(f"features_ok must have shape ({len(X)},), got {ok.shape}")
            backup = [(self.algorithms_[self.backup_], self.cutoff_)]
            plans = [plan if good else list(backup) for plan, good in zip(plans, ok)]
        return plans

    def _schedules(self, X: np.ndarray) -> list[Schedule]:
        scores = self._scores(X)
        best = np.argmin(scores, axis=1)
        return [[(self.algorithms_[j], self.cutoff_)] for j in best]

    # ----------------------------------------------------------------------------- to override
    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        raise NotImplementedError

    def _scores(self, X: np.ndarray) -> np.ndarray:
        """(n, m) expected cost of each algorithm per row (lower is better)."""
        raise NotImplementedError

    def scores(self, features: np.ndarray) -> np.ndarray:
        """(n, m) the selector's per-algorithm scores (lower is better) for raw feature rows."""
        if not getattr(self, "fitted_", False):
            raise SelectionInputError(f"{self.name}: call fit() before scores()")
        return self._scores(self.transform(features))

    def oob_scores(self) -> np.ndarray:
        """(n_train, m) out-of-sample scores of the training rows (``provides_oob_scores``)."""
        raise SelectionInputError(f"{self.name} does not provide out-of-bag scores")


def schedule_is_valid(schedule: Schedule, algorithms: Sequence[str], cutoff: float) -> bool:
    """A schedule names known algorithms, has positive budgets and fits into the cutoff."""
    if not schedule:
        return False
    known = set(algorithms)
    total = 0.0
    for alg, budget in schedule:
        if alg not in known or not (budget > 0):
            return False
        total += budget
    return total <= cutoff * (1 + 1e-9) or np.isinf(cutoff)
