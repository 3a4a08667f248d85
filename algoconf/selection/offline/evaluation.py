"""Cross-validated evaluation of selectors the way the field reports it.

Protocol: for every fold f of the data's folds (ASlib: ``cv.arff``, 10 folds) a fresh selector is
fitted on the other folds and plans the instances of fold f, which it never saw. Each plan is
simulated on the recorded runs:

1. the static ``presolve_schedule`` (each run given its budget);
2. the feature steps the selector uses (``used_steps``): with ``feature_cost="charge"`` their
   recorded cost is added to the time, and an instance whose feature computation *presolved* it
   counts as solved at that time; with ``"free"`` features cost nothing (the ASlib/LLAMA pages'
   convention);
3. the selector's schedule for the instance (its backup plan when the features failed), each run
   given ``min(budget, cutoff - elapsed)``.

The instance is solved when a run finishes within its share and the total is within the cutoff;
otherwise it costs ``par_factor * cutoff`` (PAR10). Quality data: the cost of the one selected
algorithm (quality negated when maximising).

Reference points: VBS = per-instance best cost (no feature cost), SBS = the algorithm with the best
mean cost over all evaluated instances (the convention of the ASlib reference figures). ``gap
closed = (SBS - selector) / (SBS - VBS)``. Misclassification penalty = mean over instances of
(cost of the algorithm the selector chose first after features) - (VBS cost), with PAR1 costs
(unsolved = cutoff), as ASlib defines it. ``unsolved="drop"`` removes instances no algorithm solves
*from the evaluation* (they stay in training); ``"keep"`` (default) counts them. Both options are in
every report.
"""

from __future__ import annotations

import math
import multiprocessing
import queue as queue_module
import threading
import time as _time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from algoconf.errors import SelectionInputError
from algoconf.execution.progress import ProgressObserver, ProgressUpdate
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Selector
from algoconf.selection.offline.parallel import (
    compute_context,
    reporting_members,
    resolve_jobs,
)
from algoconf.selection.offline.presolve import run_schedule

__all__ = ["EvaluationReport", "FoldResult", "evaluate", "evaluate_conventions", "simulate", "reference_costs"]


@dataclass(frozen=True)
class FoldResult:
    fold: int
    n_test: int
    par10: float
    solved: float
    fit_seconds: float
    predict_seconds: float


@dataclass(frozen=True)
class EvaluationReport:
    """Totals over all evaluated instances, per-fold figures and the conventions used."""

    scenario: str
    selector: str
    params: dict[str, Any]
    feature_cost: str
    unsolved: str
    n_instances: int
    par10: float
    solved: float
    vbs_par10: float
    sbs_par10: float
    sbs: str
    gap_closed: float
    misclassification_penalty: float
    mean_feature_cost: float
    presolved_fraction: float
    fit_seconds: float
    predict_seconds: float
    folds: list[FoldResult] = field(default_factory=list)
    per_instance_cost: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("per_instance_cost", None)
        return out


def reference_costs(data: PerformanceData) -> tuple[np.ndarray, int]:
    """(per-instance VBS cost, index of the SBS) for the data as given."""
    cost = data.cost()
    return cost.min(axis=1), int(np.argmin(cost.mean(axis=0)))


def simulate(
    selector: Selector,
    data: PerformanceData,
    rows: np.ndarray,
    *,
    feature_cost: str = "charge",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Plan and simulate ``rows`` of ``data`` with a *fitted* selector.

    Returns per row: (cost, solved, first algorithm index after features, feature seconds paid,
    solved before the selector's own schedule (pre-solving or feature presolving)).
    """
    if feature_cost not in ("charge", "free"):
        raise SelectionInputError(f"feature_cost must be 'charge' or 'free', got {feature_cost!r}")
    rows = np.asarray(rows, dtype=int)
    sub = data.subset(rows)
    steps = selector.used_steps if data.feature_steps else None
    features_ok, presolved_by_features = sub.step_outcome(steps)
    plans = selector.predict(sub.features, features_ok)
    alg_index = {a: j for j, a in enumerate(data.algorithms)}
    first = np.array([alg_index[p[0][0]] for p in plans], dtype=int)
    n = len(rows)
    if not data.is_runtime:
        cost = sub.cost()[np.arange(n), first]
        return cost, sub.event[np.arange(n), first], first, np.zeros(n), np.zeros(n, dtype=bool)
    cutoff = data.runtime_cutoff
    fcost = sub.step_cost(steps) if feature_cost == "charge" else np.zeros(n)
    solve = np.where(sub.event & sub.observed, sub.time, np.inf)
    solve_rows = solve.tolist()  # plain floats: no numpy indexing per cell
    out_cost = np.empty(n)
    out_solved = np.zeros(n, dtype=bool)
    early = np.zeros(n, dtype=bool)
    paid = np.zeros(n)
    for r in range(n):
        times = dict(zip(data.algorithms, solve_rows[r]))
        ok, t = run_schedule(selector.presolve_schedule, times, start=0.0, cutoff=cutoff)
        if ok:
            early[r] = True
        else:
            t += fcost[r]
            paid[r] = fcost[r]
            if feature_cost == "charge" and presolved_by_features[r] and t <= cutoff:
                ok, early[r] = True, True
            elif t < cutoff:
                ok, t = run_schedule(plans[r], times, start=t, cutoff=cutoff)
        out_solved[r] = ok and t <= cutoff
        out_cost[r] = t if out_solved[r] else data.par_factor * cutoff
    return out_cost, out_solved, first, paid, early


def evaluate(
    make: Callable[[], Selector] | Selector,
    data: PerformanceData,
    *,
    feature_cost: str = "charge",
    unsolved: str = "keep",
    folds: np.ndarray | None = None,
    jobs: int | None = 1,
    progress: ProgressObserver | None = None,
) -> EvaluationReport:
    """Cross-validate a selector on ``data`` (folds: ``data.folds`` unless given).

    ``make`` is a selector (cloned per fold) or a factory returning a fresh unfitted one; ``jobs``
    and ``progress`` as for :func:`evaluate_conventions`.
    """
    return evaluate_conventions(make, data, [(feature_cost, unsolved)], folds=folds, jobs=jobs, progress=progress)[0]


def evaluate_conventions(
    make: Callable[[], Selector] | Selector,
    data: PerformanceData,
    conventions: list[tuple[str, str]],
    *,
    folds: np.ndarray | None = None,
    jobs: int | None = 1,
    progress: ProgressObserver | None = None,
) -> list[EvaluationReport]:
    """Like :func:`evaluate` for several ``(feature_cost, unsolved)`` conventions at once: each
    fold's selector is fitted once (on all training instances) and simulated under every convention.

    ``jobs``: cores (``None``: all); folds run in parallel processes (:mod:`algoconf.selection.offline.parallel`),
    with results identical to ``jobs=1``. ``progress`` receives a
    :class:`~algoconf.execution.progress.ProgressUpdate` per fitted member and per finished fold
    (unit ``"members"``, ``info`` the folds done, an ETA), the last one ``final``."""
    for fc, un in conventions:
        if fc not in ("charge", "free"):
            raise SelectionInputError(f"feature_cost must be 'charge' or 'free', got {fc!r}")
        if un not in ("keep", "drop"):
            raise SelectionInputError(f"unsolved must be 'keep' or 'drop', got {un!r}")
    folds = np.asarray(data.folds if folds is None else folds)
    if folds.shape != (data.n_instances,) or not (folds > 0).any():
        raise SelectionInputError("evaluation needs CV folds (data.folds from cv.arff, or folds=)")
    factory = make.clone if isinstance(make, Selector) else make
    template = factory()
    n = data.n_instances
    k = len(conventions)
    cost = np.full((k, n), np.nan)
    solved = np.zeros((k, n), dtype=bool)
    first = np.full(n, -1)
    paid = np.zeros((k, n))
    early = np.zeros((k, n), dtype=bool)
    fold_rows: list[list[FoldResult]] = [[] for _ in conventions]
    total_fit = total_pred = 0.0
    everyone = np.arange(n)
    fold_ids = [f for f in sorted(set(int(x) for x in folds if x > 0)) if (folds == f).any()]
    tracker = _Tracker(progress, data.name, len(fold_ids), len(getattr(template, "members", ()) or ()) or 1)
    tasks = [(f, np.flatnonzero(folds != f), np.flatnonzero(folds == f)) for f in fold_ids]
    for f, outputs, fit_s, pred_s in _fold_outputs(factory, data, tasks, conventions, resolve_jobs(jobs), tracker):
        test = np.flatnonzero(folds == f)
        for c, (cc, ss, aa, pp, ee) in enumerate(outputs):
            cost[c, test], solved[c, test], first[test], paid[c, test], early[c, test] = cc, ss, aa, pp, ee
        total_fit += fit_s
        total_pred += pred_s / max(k, 1)
        for c, (_, un) in enumerate(conventions):
            rows = test if un == "keep" else test[data.solved_any()[test]]
            if len(rows):
                fold_rows[c].append(
                    FoldResult(f, len(rows), float(cost[c, rows].mean()), float(solved[c, rows].mean()), fit_s, pred_s / k)
                )
    tracker.finish()
    for rows_of_convention in fold_rows:  # folds finish in any order on several cores
        rows_of_convention.sort(key=lambda r: r.fold)
    reports = []
    for c, (fc, un) in enumerate(conventions):
        evaluated = np.isfinite(cost[c])
        if un == "drop":
            evaluated &= data.solved_any()
        sub = data.subset(evaluated)
        vbs, sbs = reference_costs(sub)
        all_cost = sub.cost()
        vbs_mean, sbs_mean = float(vbs.mean()), float(all_cost[:, sbs].mean())
        sel_mean = float(cost[c, evaluated].mean())
        gap = (sbs_mean - sel_mean) / (sbs_mean - vbs_mean) if sbs_mean != vbs_mean else math.nan
        rows = everyone[evaluated]
        if data.is_runtime:
            par1 = np.where(sub.event & sub.observed, sub.time, data.runtime_cutoff)
            mcp = float((par1[np.arange(sub.n_instances), first[rows]] - par1.min(axis=1)).mean())
        else:
            mcp = float((all_cost[np.arange(sub.n_instances), first[rows]] - vbs).mean())
        reports.append(
            EvaluationReport(
                scenario=data.name,
                selector=template.name,
                params=_jsonable(template.get_params()),
                feature_cost=fc if data.is_runtime else "n/a (quality data)",
                unsolved=un,
                n_instances=int(evaluated.sum()),
                par10=sel_mean,
                solved=float(solved[c, evaluated].mean()),
                vbs_par10=vbs_mean,
                sbs_par10=sbs_mean,
                sbs=data.algorithms[sbs],
                gap_closed=float(gap),
                misclassification_penalty=mcp,
                mean_feature_cost=float(paid[c, evaluated].mean()),
                presolved_fraction=float(early[c, evaluated].mean()),
                fit_seconds=total_fit,
                predict_seconds=total_pred,
                folds=fold_rows[c],
                per_instance_cost=cost[c, evaluated],
            )
        )
    return reports


class _Tracker:
    """Counts fitted members and finished folds; sends ProgressUpdates (thread-safe)."""

    def __init__(self, observer: ProgressObserver | None, scenario: str, folds: int, members_per_fold: int) -> None:
        self.observer = observer
        self.phase = f"evaluate {scenario}" if scenario else "evaluate"
        self.folds_total, self.folds_done = folds, 0
        self.members_total, self.members_done = folds * members_per_fold, 0
        self.members_per_fold = members_per_fold
        self.started = _time.perf_counter()
        self.lock = threading.Lock()

    def member(self, _name: str = "") -> None:
        with self.lock:
            self.members_done += 1
            self._emit()

    def fold(self, members_reported: int) -> None:
        with self.lock:
            self.folds_done += 1
            # members the selector did not report (a plain selector reports none) count at the fold's end
            self.members_done += max(0, self.members_per_fold - members_reported)
            self._emit()

    def finish(self) -> None:
        with self.lock:
            self.members_done = self.members_total
            self._emit(final=True)

    def _emit(self, final: bool = False) -> None:
        if self.observer is None:
            return
        elapsed = _time.perf_counter() - self.started
        done = min(self.members_done, self.members_total)
        eta = elapsed * (self.members_total - done) / done if done and not final else None
        self.observer(ProgressUpdate(
            phase=self.phase, done=done, total=self.members_total, unit="members", eta=eta,
            info=f"folds {self.folds_done}/{self.folds_total}", final=final,
        ))


def _run_fold(
    factory: Callable[[], Selector], data: PerformanceData, fold: int, train: np.ndarray, test: np.ndarray,
    conventions: list[tuple[str, str]], threads: int, sink: Any,
) -> tuple[int, list[tuple[np.ndarray, ...]], float, float, int]:
    """Fit on ``train``, simulate ``test`` under every convention: (fold, outputs, fit s, predict s,
    members reported). ``sink``: a callable or a queue (``put``) receiving each fitted member."""
    reported = [0]

    def on_member(name: str) -> None:
        reported[0] += 1
        if sink is None:
            return
        if callable(sink):
            sink(name)
        else:
            sink.put(name)

    with compute_context(threads), reporting_members(on_member):
        sel = factory()
        t0 = _time.perf_counter()
        sel.fit(data.subset(train))
        t1 = _time.perf_counter()
        outputs: list[tuple[np.ndarray, ...]] = [simulate(sel, data, test, feature_cost=fc) for fc, _ in conventions]
        t2 = _time.perf_counter()
    return fold, outputs, t1 - t0, t2 - t1, reported[0]


def _fold_outputs(
    factory: Callable[[], Selector], data: PerformanceData, tasks: list[tuple[int, np.ndarray, np.ndarray]],
    conventions: list[tuple[str, str]], jobs: int, tracker: _Tracker,
) -> Iterator[tuple[int, list[tuple[np.ndarray, ...]], float, float]]:
    """Each fold's outputs, as folds finish: in this process (``jobs`` 1 or one fold) or in
    ``min(jobs, folds)`` worker processes, the remaining cores given to the forests."""
    workers = min(jobs, len(tasks))
    if workers <= 1:
        for f, train, test in tasks:
            f, outputs, fit_s, pred_s, reported = _run_fold(factory, data, f, train, test, conventions, jobs, tracker.member)
            tracker.fold(reported)
            yield f, outputs, fit_s, pred_s
        return
    from joblib import Parallel, delayed

    threads = max(1, jobs // workers)
    manager = multiprocessing.Manager() if tracker.observer is not None else None
    members = manager.Queue() if manager is not None else None
    stop = threading.Event()

    def listen() -> None:
        assert members is not None  # listened to only when there is a member queue
        while not stop.is_set():
            try:
                name = members.get(timeout=0.2)
            except queue_module.Empty:
                continue
            except (EOFError, OSError):  # the manager is gone
                return
            tracker.member(name)

    listener = threading.Thread(target=listen, daemon=True) if members is not None else None
    if listener is not None:
        listener.start()
    try:
        runs = Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered")(
            delayed(_run_fold)(factory, data, f, train, test, conventions, threads, members) for f, train, test in tasks
        )
        for f, outputs, fit_s, pred_s, reported in runs:
            if members is not None:  # the fold's member reports were sent before its result
                deadline = _time.perf_counter() + 2.0
                while not members.empty() and _time.perf_counter() < deadline:
                    _time.sleep(0.01)
            tracker.fold(reported)
            yield f, outputs, fit_s, pred_s
    finally:
        stop.set()
        if listener is not None:
            listener.join()
        if manager is not None:
            manager.shutdown()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)
