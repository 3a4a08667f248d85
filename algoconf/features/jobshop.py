"""Job-shop (CP) features: model statistics, plus CNF features of an order encoding into SAT.

Following "Transformation-based Feature Computation for Algorithm Portfolios" (Hurley et al.),
a CP instance is described by the generic CNF features of a SAT encoding of it. Here the decision
problem "makespan ≤ T" with T = ⌈slack · lower bound⌉ is order-encoded: a Boolean x[o,t] means
"operation o starts at or before t" (t on a time grid coarsened so the horizon has at most
``max_steps`` steps; durations rounded up to the grid, which keeps every schedule of the coarse
model feasible in the real one); clauses encode the order x[o,t] → x[o,t+1], each operation's
earliest/latest start, job precedences x[b,t] → x[a,t−d_a], and for every pair of operations on
one machine a selector y with y → (a before b) and ¬y → (b before a).

Groups: ``model`` (statistics straight from the model) and ``encoding`` (CNF base features of the
encoding, prefixed ``enc-``), which requires ``model``.
"""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path
from typing import ClassVar, Mapping

import numpy as np

from algoconf.instances.dimacs import CNF
from algoconf.errors import InstanceError
from algoconf.features.base import Deadline, FeatureExtractor, FeatureGroup, GroupStatus
from algoconf.features.cnf_stats import BASE_FEATURES, base_features
from algoconf.instances.generators.jobshop import JobShop, read_jobshop

__all__ = ["JobShopFeatures", "order_encoding", "MODEL_FEATURES"]

MODEL_FEATURES = (
    "jobs",
    "machines",
    "operations",
    "duration-mean",
    "duration-coeff-variation",
    "duration-min",
    "duration-max",
    "machine-load-coeff-variation",
    "job-length-coeff-variation",
    "lower-bound-over-horizon",
    "machine-bound-over-job-bound",
    "machine-order-agreement",
)


def _cv(x: np.ndarray) -> float:
    m = float(x.mean())
    return float(x.std() / m) if m > 0 else 0.0


def model_features(shop: JobShop) -> dict[str, float]:
    durations = np.array([d for job in shop.jobs for _, d in job], dtype=float)
    loads = np.zeros(shop.n_machines)
    for job in shop.jobs:
        for m, d in job:
            loads[m] += d
    job_lengths = np.array([sum(d for _, d in job) for job in shop.jobs], dtype=float)
    # how similar the jobs' machine orders are: mean position correlation between job pairs
    positions = np.array([[next(i for i, (m, _) in enumerate(job) if m == k) for k in range(shop.n_machines)] for job in shop.jobs if len(job) == shop.n_machines], dtype=float)
    if positions.shape[0] >= 2 and shop.n_machines >= 2:
        corr = np.corrcoef(positions)
        agreement = float(corr[np.triu_indices_from(corr, 1)].mean())
    else:
        agreement = math.nan
    return {
        "jobs": float(shop.n_jobs),
        "machines": float(shop.n_machines),
        "operations": float(durations.size),
        "duration-mean": float(durations.mean()),
        "duration-coeff-variation": _cv(durations),
        "duration-min": float(durations.min()),
        "duration-max": float(durations.max()),
        "machine-load-coeff-variation": _cv(loads),
        "job-length-coeff-variation": _cv(job_lengths),
        "lower-bound-over-horizon": shop.lower_bound / shop.horizon,
        "machine-bound-over-job-bound": float(loads.max() / job_lengths.max()),
        "machine-order-agreement": agreement,
    }


def order_encoding(shop: JobShop, bound: int | None = None, *, slack: float = 1.15, max_steps: int = 60) -> CNF:
    """CNF of "makespan ≤ bound" (default ⌈slack·LB⌉) under an order encoding on a time grid.

    With ``bound <= max_steps`` the grid is exact and the CNF is satisfiable iff a schedule of
    makespan ≤ bound exists.
    """
    bound = math.ceil(slack * shop.lower_bound) if bound is None else int(bound)
    grain = max(1, math.ceil(bound / max_steps))
    T = math.ceil(bound / grain)
    dur = [[max(1, math.ceil(d / grain)) for _, d in job] for job in shop.jobs]
    n_vars = 0
    clauses: list[list[int]] = []
    x: dict[tuple[int, int], list[int]] = {}  # (job, op) -> variable of "start <= t" for t in est..lst
    est: dict[tuple[int, int], int] = {}
    for j, job in enumerate(shop.jobs):
        head = 0
        tail = sum(dur[j])
        for o in range(len(job)):
            tail -= dur[j][o]
            lo, hi = head, T - dur[j][o] - tail  # earliest and latest start on the grid
            head += dur[j][o]
            if hi < lo:
                return CNF.from_clauses(0, [[]])  # infeasible already: the empty clause
            ids = list(range(n_vars + 1, n_vars + 1 + (hi - lo + 1)))
            n_vars += len(ids)
            x[(j, o)], est[(j, o)] = ids, lo
            clauses.append([ids[-1]])  # starts by its latest start
            clauses.extend([-a, b] for a, b in zip(ids, ids[1:]))

    def le(key: tuple[int, int], t: int) -> int:
        """Literal of start(key) <= t; a constant is 0 (true) or -1 (false), never a variable."""
        ids, lo = x[key], est[key]
        if t < lo:
            return -1  # constant false
        if t >= lo + len(ids) - 1:
            return 0  # constant true
        return ids[t - lo]

    def precede(a: tuple[int, int], da: int, b: tuple[int, int], guard: list[int]) -> None:
        """guard → start(b) ≥ start(a) + da, i.e. start(b) ≤ t → start(a) ≤ t − da."""
        ids_b, lo_b = x[b], est[b]
        for t in range(lo_b, lo_b + len(ids_b)):
            lb = le(b, t)
            la = le(a, t - da)
            if la == 0 or lb == -1:
                continue
            clause = list(guard)
            if lb not in (0, -1):
                clause.append(-lb)
            if la not in (0, -1):
                clause.append(la)
            clauses.append(clause)

    for j, job in enumerate(shop.jobs):
        for o in range(1, len(job)):
            precede((j, o - 1), dur[j][o - 1], (j, o), [])
    by_machine: dict[int, list[tuple[int, int]]] = {}
    for j, job in enumerate(shop.jobs):
        for o, (m, _) in enumerate(job):
            by_machine.setdefault(m, []).append((j, o))
    for ops in by_machine.values():
        for a, b in combinations(ops, 2):
            n_vars += 1
            y = n_vars
            precede(a, dur[a[0]][a[1]], b, [-y])
            precede(b, dur[b[0]][b[1]], a, [y])
    return CNF.from_clauses(n_vars, clauses)


def _read(path: Path) -> JobShop:
    try:
        return read_jobshop(path)
    except ValueError as err:  # the reader's message already names file and line
        raise InstanceError(str(err)) from None


class JobShopFeatures(FeatureExtractor):
    name = "jobshop"
    groups: ClassVar[Mapping[str, FeatureGroup]] = {
        "model": FeatureGroup("model", MODEL_FEATURES, cap=10.0),
        "encoding": FeatureGroup("encoding", tuple(f"enc-{f}" for f in BASE_FEATURES), requires=("model",), cap=30.0),
    }

    def validate(self, path: Path) -> None:
        _read(path)

    def _compute(self, path: Path, group: str, deadline: Deadline, seed: int):
        shop = _read(path)
        if group == "model":
            return model_features(shop), GroupStatus.OK, None
        if group == "encoding":
            cnf = order_encoding(shop)
            return {f"enc-{k}": v for k, v in base_features(cnf).items()}, GroupStatus.OK, None
        raise KeyError(group)
