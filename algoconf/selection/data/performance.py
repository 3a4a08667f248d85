"""Performance data for algorithm selection: instances x algorithms, with censoring kept explicit.

:class:`PerformanceData` is what every selector is fitted on and what :mod:`evaluate` scores. It
comes from an ASlib scenario (:meth:`PerformanceData.from_aslib`) or from algoconf's own runs
(:meth:`PerformanceData.from_results` / :meth:`from_history`).

Censoring (runtime data). ``time[i, j]`` and ``event[i, j]`` describe the *time to solve*:

* ``event`` True: algorithm j solved instance i after ``time[i, j]`` seconds (exact);
* ``event`` False: it did not solve it within ``time[i, j]``: the time to solve is only known to be
  larger (a lower bound). For ASlib runs every unsolved run (timeout, memout, crash, other, ...) is
  censored at the cutoff: it did not solve the instance within the cutoff, whatever stopped it.
  For algoconf runs a CAPPED run is censored at its bound, which can lie below the cutoff.
* ``observed`` False: no run at all (then ``time`` is NaN).

``cost()`` gives the PAR-k matrix (``par_factor * cutoff`` for anything unsolved, as the field's
convention requires); models must use ``time``/``event`` and never read a censored time as exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from algoconf.errors import SelectionInputError
from algoconf.records import RunResult, Status
from algoconf.selection.data.aslib import ASlibScenario, FeatureStep

__all__ = ["PerformanceData"]


@dataclass(frozen=True, eq=False)
class PerformanceData:
    """Instances x algorithms performance with features, feature costs and CV folds.

    Quality data (``performance_type == "solution_quality"``) keeps the measured value in
    ``quality`` and has no censoring (``event`` is the success mask, ``time`` is NaN).
    """

    instances: tuple[str, ...]
    algorithms: tuple[str, ...]
    time: np.ndarray  # (n, m) float: runtime (exact when event) or a lower bound (censored)
    event: np.ndarray  # (n, m) bool: solved
    observed: np.ndarray  # (n, m) bool: a run exists
    cutoff: float | None
    features: np.ndarray  # (n, f) float, NaN missing
    feature_names: tuple[str, ...] = ()
    feature_steps: Mapping[str, FeatureStep] = field(default_factory=dict)
    default_steps: tuple[str, ...] = ()
    feature_costs: np.ndarray | None = None  # (n, n_steps) seconds, steps in feature_steps order
    feature_status: np.ndarray | None = None  # (n, n_steps) str
    features_cutoff: float | None = None
    folds: np.ndarray | None = None  # (n,) int, -1 = no fold
    performance_type: str = "runtime"
    maximize: bool = False
    quality: np.ndarray | None = None  # (n, m) for quality data
    par_factor: float = 10.0
    name: str = ""

    def __post_init__(self) -> None:
        n, m = len(self.instances), len(self.algorithms)
        for label, arr in (("time", self.time), ("event", self.event), ("observed", self.observed)):
            if np.shape(arr) != (n, m):
                raise SelectionInputError(f"{label} has shape {np.shape(arr)}, expected {(n, m)}")
        if np.shape(self.features)[0] != n:
            raise SelectionInputError(f"features have {np.shape(self.features)[0]} rows, expected {n}")
        if self.performance_type == "runtime":
            if self.cutoff is None or not self.cutoff > 0:
                raise SelectionInputError("runtime performance data needs a positive cutoff")
            if np.any(self.event & (self.time > self.cutoff + 1e-9)):
                raise SelectionInputError("a solved run has a runtime above the cutoff")

    # ------------------------------------------------------------------------------ construction
    @classmethod
    def from_aslib(cls, scenario: ASlibScenario) -> "PerformanceData":
        """Performance data of an ASlib scenario (see the module docstring for censoring)."""
        observed = scenario.runstatus != "missing"
        if scenario.is_runtime:
            if scenario.cutoff is None:  # the reader refuses runtime data without one
                raise SelectionInputError(f"{scenario.path}: runtime data needs algorithm_cutoff_time")
            event = scenario.solved.copy()
            time = np.where(event, scenario.performance, float(scenario.cutoff))
            time = np.where(observed, time, np.nan)
            quality = None
        else:
            event = scenario.solved.copy()
            time = np.full(event.shape, np.nan)
            quality = scenario.performance.astype(float)
        return cls(
            instances=scenario.instances,
            algorithms=scenario.algorithms,
            time=time,
            event=event,
            observed=observed,
            cutoff=scenario.cutoff,
            features=np.asarray(scenario.features, dtype=float),
            feature_names=scenario.feature_names,
            feature_steps=dict(scenario.feature_steps),
            default_steps=scenario.default_steps,
            feature_costs=scenario.feature_costs,
            feature_status=scenario.feature_status,
            features_cutoff=scenario.features_cutoff,
            folds=np.asarray(scenario.folds),
            performance_type=scenario.performance_type,
            maximize=scenario.maximize,
            quality=quality,
            name=scenario.name,
        )

    @classmethod
    def from_results(
        cls,
        results: Iterable[RunResult],
        *,
        cutoff: float,
        features: Mapping[str, Sequence[float]] | None = None,
        feature_names: Sequence[str] = (),
        algorithm_of: Callable[[RunResult], str] | None = None,
        folds: int | None = 10,
        seed: int = 0,
        name: str = "runs",
    ) -> "PerformanceData":
        """Runtime performance data from algoconf run records.

        ``algorithm_of(result)`` names the column of a result (default: the configuration key, or
        ``config["algorithm"]`` when the configuration has that parameter). Several runs of one
        (instance, algorithm) pair (seeds) are combined: solved when every run solved, and the time
        is the mean over runs of the runtime, a censored run contributing its bound -- so a pair with
        a censored run is censored at a valid lower bound of its mean runtime. SUCCESS is solved;
        TIMEOUT, CAPPED, MEMOUT, CRASHED and ABORTED are not (censored at their runtime, at most the
        cutoff; a run that failed early is censored at the cutoff, since it will not solve).
        ``folds`` assigns seeded random CV folds (None: no folds, all -1).
        """
        if not cutoff or cutoff <= 0:
            raise SelectionInputError("from_results needs a positive cutoff")

        def default_name(r: RunResult) -> str:
            cfg = r.request.config
            return str(cfg["algorithm"]) if "algorithm" in cfg and len(cfg) == 1 else r.request.config_key

        name_of = algorithm_of or default_name
        inst_ix: dict[str, int] = {}
        alg_ix: dict[str, int] = {}
        cells: dict[tuple[int, int], list[tuple[float, bool]]] = {}
        for r in results:
            i = inst_ix.setdefault(r.request.instance, len(inst_ix))
            j = alg_ix.setdefault(name_of(r), len(alg_ix))
            if r.status is Status.SUCCESS and r.runtime <= cutoff:
                cells.setdefault((i, j), []).append((max(r.runtime, 0.0), True))
            elif r.status in (Status.TIMEOUT, Status.CAPPED):
                cells.setdefault((i, j), []).append((min(max(r.runtime, 0.0), cutoff), False))
            else:  # failures and runs that finished above the cutoff: no solve within the cutoff
                cells.setdefault((i, j), []).append((float(cutoff), False))
        if not cells:
            raise SelectionInputError("no run results to build performance data from")
        n, m = len(inst_ix), len(alg_ix)
        time = np.full((n, m), np.nan)
        event = np.zeros((n, m), dtype=bool)
        observed = np.zeros((n, m), dtype=bool)
        for (i, j), runs in cells.items():
            time[i, j] = float(np.mean([t for t, _ in runs]))
            event[i, j] = all(ok for _, ok in runs)
            observed[i, j] = True
        instances = tuple(inst_ix)
        names = tuple(feature_names)
        if features is not None:
            width = len(names) if names else (len(next(iter(features.values()))) if features else 0)
            feats = np.full((n, width), np.nan)
            for inst, i in inst_ix.items():
                if inst in features:
                    row = np.asarray(features[inst], dtype=float)
                    if row.shape != (width,):
                        raise SelectionInputError(f"features of {inst!r} have {row.shape[0]} values, expected {width}")
                    feats[i] = row
            if not names:
                names = tuple(f"f{k}" for k in range(width))
        else:
            feats = np.zeros((n, 0))
        fold_arr = np.full(n, -1, dtype=int)
        if folds:
            rng = np.random.default_rng(seed)
            fold_arr = (rng.permutation(n) % min(folds, n)) + 1
        steps = {"ALL": FeatureStep("ALL", names, ())} if names else {}
        return cls(
            instances=instances,
            algorithms=tuple(alg_ix),
            time=time,
            event=event,
            observed=observed,
            cutoff=float(cutoff),
            features=feats,
            feature_names=names,
            feature_steps=steps,
            default_steps=tuple(steps),
            folds=fold_arr,
            name=name,
        )

    @classmethod
    def from_history(cls, history: Any, **kwargs: Any) -> "PerformanceData":
        """Performance data from a RunHistory (anything with ``results() -> list[RunResult]``);
        keyword arguments as for :meth:`from_results` (``cutoff`` defaults to the history's
        scenario cutoff when it has one)."""
        if "cutoff" not in kwargs:
            scenario = getattr(history, "scenario", None)
            cutoff = getattr(scenario, "cutoff", None)
            if cutoff is None:
                raise SelectionInputError("give cutoff=: the history does not say its scenario's cutoff")
            kwargs["cutoff"] = cutoff
        return cls.from_results(history.results(), **kwargs)

    # ---------------------------------------------------------------------------------- views
    @property
    def n_instances(self) -> int:
        return len(self.instances)

    @property
    def n_algorithms(self) -> int:
        return len(self.algorithms)

    @property
    def is_runtime(self) -> bool:
        return self.performance_type == "runtime"

    @property
    def runtime_cutoff(self) -> float:
        """The cutoff of runtime data (which always has one); SelectionInputError for quality data."""
        if self.cutoff is None:
            raise SelectionInputError("quality performance data has no cutoff")
        return float(self.cutoff)

    def cost(self, par_factor: float | None = None) -> np.ndarray:
        """(n, m) cost to minimise: PAR-k for runtime data (unsolved or unobserved -> k x cutoff);
        quality data: the quality (negated when maximising), failures get the worst observed cost."""
        k = self.par_factor if par_factor is None else par_factor
        if self.is_runtime:
            return np.where(self.event & self.observed, self.time, k * self.runtime_cutoff)
        quality = self.quality
        if quality is None:
            raise SelectionInputError("quality performance data needs its quality matrix")
        values = -quality if self.maximize else quality.astype(float)
        ok = self.event & self.observed & np.isfinite(values)
        worst = float(np.max(values[ok])) if ok.any() else 0.0
        return np.where(ok, values, worst)

    def solved_any(self) -> np.ndarray:
        """(n,) bool: some algorithm solved the instance."""
        return (self.event & self.observed).any(axis=1)

    def subset(self, rows: np.ndarray | Sequence[int]) -> "PerformanceData":
        """The data restricted to the given rows (indices or a boolean mask), in that order."""
        idx = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=int)
        pick = lambda a: None if a is None else np.asarray(a)[idx]  # noqa: E731
        return replace(
            self,
            instances=tuple(self.instances[i] for i in idx),
            time=self.time[idx],
            event=self.event[idx],
            observed=self.observed[idx],
            features=self.features[idx],
            feature_costs=pick(self.feature_costs),
            feature_status=pick(self.feature_status),
            folds=pick(self.folds),
            quality=pick(self.quality),
        )

    def step_closure(self, steps: Iterable[str]) -> tuple[str, ...]:
        """The given steps and every step they require, in ``feature_steps`` order."""
        wanted: set[str] = set()
        todo = list(steps)
        while todo:
            s = todo.pop()
            if s in wanted:
                continue
            if s not in self.feature_steps:
                raise SelectionInputError(f"unknown feature step {s!r}; known: {list(self.feature_steps)}")
            wanted.add(s)
            todo.extend(self.feature_steps[s].requires)
        return tuple(s for s in self.feature_steps if s in wanted)

    def feature_columns(self, steps: Iterable[str] | None) -> np.ndarray:
        """Indices of the features the steps (with their requirements) provide; None: all features."""
        if steps is None or not self.feature_steps:
            return np.arange(len(self.feature_names))
        provided = {f for s in self.step_closure(steps) for f in self.feature_steps[s].features}
        return np.array([k for k, f in enumerate(self.feature_names) if f in provided], dtype=int)

    def step_cost(self, steps: Iterable[str] | None) -> np.ndarray:
        """(n,) seconds to compute the steps (and their requirements) per instance.

        A missing cost (``?``) counts 0 for a step that ran ok and the features cutoff (else 0) for a
        step that timed out; data without a cost table costs 0 everywhere.
        """
        n = self.n_instances
        if self.feature_costs is None or not self.feature_steps:
            return np.zeros(n)
        names = list(self.feature_steps)
        chosen = self.step_closure(names if steps is None else steps)
        cols = [names.index(s) for s in chosen]
        costs = np.array(self.feature_costs[:, cols], dtype=float)
        if self.feature_status is not None and self.features_cutoff:
            timed_out = np.asarray(self.feature_status[:, cols]) == "timeout"
            costs = np.where(np.isnan(costs) & timed_out, self.features_cutoff, costs)
        return np.nansum(costs, axis=1)

    def step_outcome(self, steps: Iterable[str] | None) -> tuple[np.ndarray, np.ndarray]:
        """Per instance, for the steps (with requirements): (features_ok, presolved).

        ``features_ok`` is True when at least one of the steps ended ``ok`` and some of their
        features have values (the features of failed steps stay NaN and are imputed by the
        selectors); when it is False a selector falls back to its backup solver. ``presolved`` is
        True when a step solved the instance while computing features.
        """
        n = self.n_instances
        cols_f = self.feature_columns(steps)
        has_values = ~np.all(np.isnan(self.features[:, cols_f]), axis=1) if len(cols_f) else np.ones(n, bool)
        if self.feature_status is None or not self.feature_steps:
            return has_values, np.zeros(n, dtype=bool)
        names = list(self.feature_steps)
        chosen = self.step_closure(names if steps is None else steps)
        status = np.asarray(self.feature_status[:, [names.index(s) for s in chosen]])
        presolved = (status == "presolved").any(axis=1)
        ok = (status == "ok").any(axis=1) & has_values
        return ok, presolved

    def describe(self) -> dict[str, Any]:
        """Counts for reports."""
        return {
            "name": self.name,
            "instances": self.n_instances,
            "algorithms": self.n_algorithms,
            "features": len(self.feature_names),
            "cutoff": self.cutoff,
            "performance_type": self.performance_type,
            "unsolved_by_all": int((~self.solved_any()).sum()),
            "censored_runs": int((self.observed & ~self.event).sum()) if self.is_runtime else 0,
        }

