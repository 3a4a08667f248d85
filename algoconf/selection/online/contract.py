"""Online algorithm selection under censored feedback: the contract every policy keeps.

Instances arrive one at a time. For each, an :class:`OnlineSelector` picks one algorithm from a
fixed set (:meth:`OnlineSelector.select`); that algorithm runs with the cutoff and only its result
comes back (:meth:`OnlineSelector.update`). The result may be right-censored: a run stopped at the
cutoff (TIMEOUT) or earlier (CAPPED) tells only that the true runtime is *at least* the reported
one, and every learner here treats it so.

Contract every registered selector keeps (checked by :mod:`algoconf.testing.online_selectors`):

* ``select(features) -> algorithm name``; ``update(features, algorithm, result)`` where ``result``
  is an :class:`OnlineObservation` or an :class:`algoconf.records.RunResult`.
* Constant time and memory per step: the state is per-algorithm sufficient statistics of fixed
  size (at most O(d^2) per algorithm for d features); nothing grows with the number of instances.
* Missing features (NaN) are allowed everywhere; feature scaling uses only the instances already
  passed to ``update`` (it never looks ahead).
* Deterministic given ``seed``: the same stream of calls gives the same choices.
* The learner's state changes only in ``update``; ``select`` may draw from the selector's random
  generator (Thompson sampling, epsilon-greedy) and nothing else.

Policies are created by name (:mod:`algoconf.selection.online.policies`):
``make_online_selector(name, algorithms, n_features, cutoff, seed)``; ``online_policies()`` lists the
names and ``RECOMMENDED_POLICY`` is the one to use by default.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

import numpy as np

from algoconf.records import RunResult, Status

__all__ = [
    "OnlineObservation",
    "OnlineSelector",
    "as_observation",
]

#: Smallest runtime a log-runtime model sees (ASlib holds exact zeros).
MIN_RUNTIME = 1e-3


@dataclass(frozen=True)
class OnlineObservation:
    """What one run tells the learner.

    ``runtime`` is in seconds; when ``censored`` it is only a lower bound of the true runtime (the
    run hit the cutoff, or was stopped earlier). ``cutoff`` is the limit the run had. A failed run
    (crash, memout) is passed as censored at the cutoff: for PAR-k it counts as unsolved.
    """

    runtime: float
    censored: bool
    cutoff: float

    def __post_init__(self) -> None:
        if not (self.cutoff > 0 and math.isfinite(self.cutoff)):
            raise ValueError(f"cutoff must be positive and finite, got {self.cutoff}")
        if not (self.runtime >= 0) or math.isnan(self.runtime):
            raise ValueError(f"runtime must be a non-negative number, got {self.runtime}")
        if not self.censored and self.runtime >= self.cutoff:
            # a run reported at or beyond the cutoff is not a solved run within the limit
            object.__setattr__(self, "runtime", float(self.cutoff))
            object.__setattr__(self, "censored", True)

    @property
    def solved(self) -> bool:
        return not self.censored


def as_observation(result: OnlineObservation | RunResult, cutoff: float | None = None) -> OnlineObservation:
    """An :class:`OnlineObservation` from an observation or a :class:`RunResult`.

    For a ``RunResult`` the cutoff is ``cutoff`` if given, else the request's cutoff. SUCCESS is
    exact; TIMEOUT/CAPPED are censored at their runtime; MEMOUT/CRASHED/ABORTED are censored at the
    cutoff (unsolved, runtime to solve unknown).
    """
    if isinstance(result, OnlineObservation):
        return result
    if not isinstance(result, RunResult):
        raise TypeError(f"expected an OnlineObservation or a RunResult, got {type(result).__name__}")
    limit = cutoff if cutoff is not None else result.request.cutoff
    if limit is None:
        raise ValueError("a RunResult without a cutoff cannot be used by a runtime selector")
    status = result.status
    if status is Status.SUCCESS:
        return OnlineObservation(max(result.runtime, 0.0), False, float(limit))
    if status.censored:
        return OnlineObservation(min(max(result.runtime, 0.0), float(limit)), True, float(limit))
    return OnlineObservation(float(limit), True, float(limit))


class OnlineSelector(ABC):
    """Base class of online selectors: names in, names out; subclasses work on arm indices.

    Subclasses implement :meth:`_choose` (an arm index for a raw feature vector) and :meth:`_learn`
    (absorb one observation of one arm). Capabilities are class attributes:

    * ``uses_features`` -- False for feature-free bandits;
    * ``paper_method`` -- True for the methods of Tornede et al. (AAAI 2022) reimplemented here;
    * ``learns_from_censored`` -- False when censored runs are dropped (set per instance).
    """

    name: ClassVar[str] = ""
    uses_features: ClassVar[bool] = True
    learns_from_censored: bool = True  # False for "drop censored" treatments (set per instance)
    paper_method: ClassVar[bool] = False

    def __init__(self, algorithms: Sequence[str], n_features: int, cutoff: float, seed: int | None = 0):
        algorithms = tuple(str(a) for a in algorithms)
        if len(algorithms) < 1:
            raise ValueError("an online selector needs at least one algorithm")
        if len(set(algorithms)) != len(algorithms):
            raise ValueError(f"algorithm names must be unique: {algorithms}")
        if not (cutoff > 0 and math.isfinite(cutoff)):
            raise ValueError(f"cutoff must be positive and finite, got {cutoff}")
        self.algorithms: tuple[str, ...] = algorithms
        self.n_features = int(n_features)
        self.cutoff = float(cutoff)
        self.rng = np.random.default_rng(seed)
        self._index = {a: i for i, a in enumerate(algorithms)}
        self.n_updates = 0

    @property
    def n_arms(self) -> int:
        return len(self.algorithms)

    # -- the public contract -------------------------------------------------------------------------
    def select(self, features: Sequence[float] | np.ndarray | None) -> str:
        """The algorithm to run on the instance with these features (NaN = missing)."""
        return self.algorithms[self._choose(self._features(features))]

    def update(
        self,
        features: Sequence[float] | np.ndarray | None,
        algorithm: str,
        result: OnlineObservation | RunResult,
    ) -> None:
        """Learn from one run of ``algorithm`` on the instance with ``features``."""
        if algorithm not in self._index:
            raise KeyError(f"unknown algorithm {algorithm!r}; known: {', '.join(self.algorithms)}")
        obs = as_observation(result, self.cutoff)
        self._learn(self._features(features), self._index[algorithm], obs)
        self.n_updates += 1

    def state_nbytes(self) -> int:
        """Bytes held in numpy arrays by this selector (for the constant-memory check)."""
        total = 0
        for value in vars(self).values():
            total += _nbytes(value)
        return total

    # -- for subclasses -------------------------------------------------------------------------------
    def _features(self, features: Sequence[float] | np.ndarray | None) -> np.ndarray:
        if features is None:
            x = np.full(self.n_features, np.nan)
        else:
            x = np.asarray(features, dtype=float).reshape(-1)
        if x.shape[0] != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got {x.shape[0]}")
        return x

    @abstractmethod
    def _choose(self, x: np.ndarray) -> int:
        """Arm index for raw features ``x`` (NaN = missing)."""

    @abstractmethod
    def _learn(self, x: np.ndarray, arm: int, obs: OnlineObservation) -> None:
        """Absorb one observation of ``arm`` on raw features ``x``."""


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if hasattr(value, "__dict__") and not isinstance(value, (type, np.random.Generator)):
        return sum(_nbytes(v) for v in vars(value).values())
    return 0
