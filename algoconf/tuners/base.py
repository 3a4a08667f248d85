"""The tuner contract: a strategy object with ``ask``/``tell``, nothing else.

Tuners never start processes and never write the history: the engine (run/engine.py) asks
for requests, runs them on an executor, records every result in the run history *before* telling
the tuner, and checks budgets. A tuner sees only :class:`TuningProblem` (what is being tuned) and
the frozen results it is told.

Capabilities are class attributes, read by the engine and by the conformance suite
(``algoconf.testing.tuners``); never check a tuner's name.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Sequence

from ConfigSpace import ConfigurationSpace

from algoconf.records import RunRequest, RunResult

__all__ = ["TuningProblem", "Tuner"]


@dataclass(frozen=True)
class TuningProblem:
    """Everything a tuner may know about the problem.

    ``instances`` are instance names (the history's instance identity); ``features`` maps an
    instance name to its feature vector where the scenario has features. ``cutoff`` is None only for
    quality objectives without a time limit. ``max_runs`` is a hint (the engine enforces budgets);
    ``deterministic`` means one seed per instance is enough.

    ``max_wallclock`` (seconds of the engine loop, summed over resumes), ``max_cpu_time`` (target
    CPU seconds) and ``n_workers`` (runs the executor runs at once) are hints too, so that a tuner
    can size its own schedule to the budget (AC-Band does); the engine enforces them. ``None``
    means no such budget.
    """

    space: ConfigurationSpace
    instances: tuple[str, ...]
    cutoff: float | None
    objective: str = "runtime"  # "runtime" | "quality"
    maximize: bool = False
    par_factor: float = 10.0
    deterministic: bool = False
    max_runs: int | None = None
    features: Mapping[str, Sequence[float]] | None = None
    crash_cost: float = float("inf")
    extra: Mapping[str, Any] = field(default_factory=dict)
    max_wallclock: float | None = None
    max_cpu_time: float | None = None
    n_workers: int = 1


class Tuner(abc.ABC):
    """Base class of every tuner.

    Contract
    --------
    * ``ask(n)`` returns at most ``n`` requests (fewer, or none, while it waits for results). Every
      request's configuration is valid in ``problem.space`` (conditions and forbiddens hold) and holds
      active values only. A tuner never asks for a run it already asked for (same key).
    * ``tell(results)`` receives results of runs it asked for, in any order, each exactly once,
      possibly censored (TIMEOUT/CAPPED runtimes are lower bounds) or failed.
    * ``incumbent`` is the best configuration so far (active values) or None before any evidence.
    * ``finished`` is True when the tuner has nothing more to ask, ever (its own schedule is done).
    * ``state()`` returns a JSON-serialisable dict (RNG included); ``from_state(problem, state)``
      rebuilds a tuner that continues exactly as the original would have. The shipped tuners keep
      it as one typed record (:mod:`algoconf.tuners.state`), returned by their ``snapshot()``.
    * ``race_size`` is the largest number of runs one race of this tuner submits together (1 for a
      tuner that does not race). The engine asks a racing tuner for at least that many runs, even
      when fewer workers are free: a race's arms then run in waves, later ones capped at the best
      finished arm's time (:class:`~algoconf.execution.racing.Race`), so the fastest arm wins
      whatever the worker count. It may change during a run (e.g. when the tuner's schedule
      changes), and is read before every ask.
    * A tuner with ``supports_capping`` takes the options ``capping`` (None: its documented default)
      and ``capping_slack``, caps only runtime objectives, and never treats a CAPPED result as an
      exact runtime (:mod:`algoconf.tuners.capping`).
    """

    name: ClassVar[str] = ""
    uses_instances: ClassVar[bool] = True  # asks for runs on individual instances
    supports_racing: ClassVar[bool] = False  # sets RunRequest.race; the engine runs races together
    supports_capping: ClassVar[bool] = False  # sets RunRequest.bound (adaptive capping)
    needs_model: ClassVar[bool] = False  # fits a surrogate model (slower ask)
    optional_dependency: ClassVar[str | None] = None  # pip extra needed, e.g. "smac"

    def __init__(self, problem: TuningProblem, seed: int = 0) -> None:
        self.problem = problem
        self.seed = int(seed)

    @abc.abstractmethod
    def ask(self, n: int = 1) -> list[RunRequest]:
        """Up to ``n`` new requests."""

    @abc.abstractmethod
    def tell(self, results: Sequence[RunResult]) -> None:
        """Learn from finished runs."""

    @property
    @abc.abstractmethod
    def incumbent(self) -> dict[str, Any] | None:
        """Best configuration so far (active values), or None."""

    @property
    def finished(self) -> bool:
        return False

    @property
    def settled(self) -> bool:
        """True when the tuner asks nothing more *and* no result still to come can change its
        incumbent (e.g. races whose champion could no longer be compared within the run budget).
        The engine then stops the runs in flight, unrecorded, and ends the loop instead of waiting
        for them. Default False: the engine waits for every run in flight."""
        return False

    @property
    def race_size(self) -> int:
        """Largest number of runs one race submits together (1: no races)."""
        return 1

    @abc.abstractmethod
    def state(self) -> dict[str, Any]:
        """JSON-serialisable state, enough to continue exactly."""

    @classmethod
    @abc.abstractmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "Tuner":
        """Rebuild a tuner from :meth:`state`."""
