"""Probing CNF features: short, time-capped partial solver runs.

* ``unit`` — DPLL unit-propagation probing (SATzilla's "unit propagations at depth"): from the empty
  assignment, fix d randomly chosen unassigned variables to random values, one at a time, running
  unit propagation (MiniSat's, through python-sat) after each; ``UNIT-depth-d`` is the fraction of
  variables assigned after d decisions, averaged over repetitions (a conflict assigns everything,
  counted as 1). ``UNIT-conflict-depth`` is the mean number of decisions until the first conflict
  (capped at the largest depth). Propagation alone refuting the formula presolves it as UNSAT.
* ``ls`` — local-search probing with WalkSAT (noise 0.5): for several short runs,
  ``ls-best-unsat-mean/cv`` (smallest fraction of unsatisfied clauses reached), ``ls-steps-to-best-mean``
  (flips, divided by the number of variables), ``ls-first-localmin-steps-mean`` (greedy descent steps
  until no flip improves, divided by the number of variables) and ``ls-avg-improvement-mean``
  (unsatisfied clauses removed per step during that descent, divided by the clauses). A run that
  satisfies every clause presolves the instance as SAT.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from algoconf.instances.dimacs import CNF
from algoconf.features.base import Deadline, GroupStatus

__all__ = ["UNIT_DEPTHS", "UNIT_FEATURES", "LS_FEATURES", "unit_probe", "local_search_probe"]

UNIT_DEPTHS = (1, 4, 16, 64, 256)
UNIT_FEATURES = tuple(f"UNIT-depth-{d}" for d in UNIT_DEPTHS) + ("UNIT-conflict-depth",)
LS_FEATURES = (
    "ls-best-unsat-mean",
    "ls-best-unsat-cv",
    "ls-steps-to-best-mean",
    "ls-first-localmin-steps-mean",
    "ls-avg-improvement-mean",
)


def unit_probe(cnf: CNF, deadline: Deadline, seed: int, repetitions: int = 8):
    """(values, status, answer) of the unit-propagation probe."""
    from algoconf.extras import require

    Minisat22 = require("pysat.solvers", "the unit-propagation probe (feature group 'unit')").Minisat22

    rng = np.random.default_rng(seed)
    n = cnf.n_vars
    sums = {d: 0.0 for d in UNIT_DEPTHS}
    conflict_depths = []
    done = 0
    with Minisat22(bootstrap_with=[list(c) for c in cnf.clauses()]) as solver:
        ok, _ = solver.propagate(assumptions=[])
        if not ok:
            return {f: 1.0 for f in UNIT_FEATURES[:-1]} | {"UNIT-conflict-depth": 0.0}, GroupStatus.PRESOLVED, "UNSAT"
        for _ in range(repetitions):
            if deadline.expired() and done:
                break
            assumptions: list[int] = []
            assigned: set[int] = set()
            fraction_at: dict[int, float] = {}
            conflict_at = None
            for step in range(1, UNIT_DEPTHS[-1] + 1):
                free = n - len(assigned)
                if conflict_at is None and free > 0:
                    while True:
                        v = int(rng.integers(1, n + 1))
                        if v not in assigned:
                            break
                    lit = v if rng.random() < 0.5 else -v
                    ok, implied = solver.propagate(assumptions=assumptions + [lit])
                    if ok:
                        assumptions.append(lit)
                        assigned = {abs(x) for x in implied} | {abs(x) for x in assumptions}
                    else:
                        conflict_at = step
                if step in sums:
                    fraction_at[step] = 1.0 if conflict_at is not None else len(assigned) / max(n, 1)
            for d in UNIT_DEPTHS:
                sums[d] += fraction_at[d]
            conflict_depths.append(conflict_at if conflict_at is not None else UNIT_DEPTHS[-1])
            done += 1
    values = {f"UNIT-depth-{d}": sums[d] / done for d in UNIT_DEPTHS}
    values["UNIT-conflict-depth"] = float(np.mean(conflict_depths))
    return values, GroupStatus.OK, None


def _walksat_run(cnf: CNF, rng: np.random.Generator, max_flips: int, noise: float, deadline: Deadline):
    """One WalkSAT run: (best unsat count, flips to best, descent steps, descent improvement, solved)."""
    n, m = cnf.n_vars, cnf.n_clauses
    clauses = cnf.clauses()
    occ: list[list[int]] = [[] for _ in range(2 * n + 1)]  # index lit + n
    for ci, c in enumerate(clauses):
        for lit in c:
            occ[lit + n].append(ci)
    assign = rng.random(n + 1) < 0.5  # assign[v] True = v true
    n_true = [sum(1 for lit in c if assign[abs(lit)] == (lit > 0)) for c in clauses]
    unsat = {ci for ci in range(m) if n_true[ci] == 0}

    def break_count(v: int) -> int:
        lit_true = v if assign[v] else -v
        return sum(1 for ci in occ[lit_true + n] if n_true[ci] == 1)

    def make_count(v: int) -> int:
        lit_false = -v if assign[v] else v
        return sum(1 for ci in occ[lit_false + n] if n_true[ci] == 0)

    def flip(v: int) -> None:
        lit_true = v if assign[v] else -v
        for ci in occ[lit_true + n]:
            n_true[ci] -= 1
            if n_true[ci] == 0:
                unsat.add(ci)
        assign[v] = not assign[v]
        for ci in occ[-lit_true + n]:
            n_true[ci] += 1
            if n_true[ci] == 1:
                unsat.discard(ci)

    # greedy descent to the first local minimum (for the descent features)
    start_unsat = len(unsat)
    descent = 0
    while unsat and not deadline.expired():
        candidates = {abs(l) for ci in unsat for l in clauses[ci]}
        best_v, best_gain = None, 0
        for v in candidates:
            gain = make_count(v) - break_count(v)
            if gain > best_gain:
                best_v, best_gain = v, gain
        if best_v is None:
            break
        flip(best_v)
        descent += 1
    improvement = (start_unsat - len(unsat)) / max(descent, 1)

    best, best_step = len(unsat), 0
    for step in range(1, max_flips + 1):
        if not unsat or (step % 64 == 0 and deadline.expired()):
            break
        ci = list(unsat)[int(rng.integers(len(unsat)))] if len(unsat) < 64 else next(iter(unsat))
        clause = clauses[ci]
        breaks = [break_count(abs(l)) for l in clause]
        if min(breaks) == 0 or rng.random() >= noise:
            v = abs(clause[int(np.argmin(breaks))])
        else:
            v = abs(clause[int(rng.integers(len(clause)))])
        flip(v)
        if len(unsat) < best:
            best, best_step = len(unsat), descent + step
    return best, best_step, descent, improvement, not unsat


def local_search_probe(cnf: CNF, deadline: Deadline, seed: int, runs: int = 5, max_flips_per_var: int = 50):
    """(values, status, answer) of the WalkSAT probe."""
    rng = np.random.default_rng(seed)
    n, m = cnf.n_vars, cnf.n_clauses
    if m == 0:
        return {f: 0.0 for f in LS_FEATURES}, GroupStatus.PRESOLVED, "SAT"
    if any(length == 0 for length in cnf.lengths):
        return {f: math.nan for f in LS_FEATURES}, GroupStatus.PRESOLVED, "UNSAT"
    rows: list[tuple[float, float, float, float]] = []
    solved = False
    for _ in range(runs):
        if rows and deadline.expired():
            break
        best, best_step, descent, improvement, ok = _walksat_run(cnf, rng, max_flips_per_var * n, 0.5, deadline)
        rows.append((best / m, best_step / n, descent / n, improvement / m))
        solved = solved or ok
    arr = np.asarray(rows)
    best_mean = float(arr[:, 0].mean())
    values: Mapping[str, float] = {
        "ls-best-unsat-mean": best_mean,
        "ls-best-unsat-cv": float(arr[:, 0].std() / best_mean) if best_mean > 0 else 0.0,
        "ls-steps-to-best-mean": float(arr[:, 1].mean()),
        "ls-first-localmin-steps-mean": float(arr[:, 2].mean()),
        "ls-avg-improvement-mean": float(arr[:, 3].mean()),
    }
    if solved:
        return values, GroupStatus.PRESOLVED, "SAT"
    return values, (GroupStatus.TIMEOUT if deadline.expired() and len(rows) < runs else GroupStatus.OK), None
