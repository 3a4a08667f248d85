"""Static pre-solving schedules: a few short runs made before any feature is computed.

Every strong ASlib system (SATzilla, claspfolio/AutoFolio with aspeed, ASAP, 3S) runs such a
schedule: easy instances are solved in seconds without paying for features, and a selector's
mistakes on them cost little. The schedule is computed on training data only.

:func:`greedy_presolve_schedule` picks ``(algorithm, budget)`` pairs greedily by *instances newly
solved per second of budget*, the budgets being drawn from the solved runtimes of each algorithm
(so a budget is always just enough for some instances), until the total budget or the number of
pre-solvers is used up. Only exact (uncensored) runtimes count as solves.
"""

from __future__ import annotations

import numpy as np

from algoconf.selection.data.performance import PerformanceData

__all__ = ["greedy_presolve_schedule", "run_schedule"]


def greedy_presolve_schedule(
    data: PerformanceData, *, budget: float, max_solvers: int = 2, min_solved: int = 2
) -> list[tuple[str, float]]:
    """A static schedule of at most ``max_solvers`` runs with total budget at most ``budget``.

    A run is added only if it solves at least ``min_solved`` training instances not yet solved by
    the schedule. Runtime data only; returns ``[]`` when nothing qualifies.
    """
    if not data.is_runtime or budget <= 0 or data.n_instances == 0:
        return []
    solved_time = np.where(data.event & data.observed, data.time, np.inf)
    covered = np.zeros(data.n_instances, dtype=bool)
    schedule: list[tuple[str, float]] = []
    remaining = float(budget)
    used: set[int] = set()
    while len(schedule) < max_solvers and remaining > 1e-9:
        best: tuple[float, int, float, int] | None = None  # (rate, alg, budget, n_new)
        for j in range(data.n_algorithms):
            if j in used:
                continue
            times = solved_time[~covered, j]
            times = np.sort(times[times <= remaining])
            if len(times) < min_solved:
                continue
            # candidate budgets: the runtimes themselves (take k instances at cost times[k-1])
            ks = np.arange(min_solved, len(times) + 1)
            budgets = np.maximum(times[ks - 1], 1e-3)
            rates = ks / budgets
            k = int(np.argmax(rates))
            cand = (float(rates[k]), j, float(budgets[k]), int(ks[k]))
            if best is None or cand[0] > best[0]:
                best = cand
        if best is None:
            break
        _, j, b, _ = best
        b = min(remaining, b * 1.0001)  # a hair above the runtime so the boundary solve counts
        schedule.append((data.algorithms[j], b))
        covered |= solved_time[:, j] <= b
        remaining -= b
        used.add(j)
    return schedule


def run_schedule(
    schedule: list[tuple[str, float]],
    solve_times: dict[str, float],
    *,
    start: float,
    cutoff: float,
) -> tuple[bool, float]:
    """Simulate a schedule from time ``start``: ``(solved, time_when_done)``.

    ``solve_times[alg]`` is the time the algorithm needs to solve the instance (``inf`` when it
    does not). Each run gets ``min(budget, cutoff - elapsed)``; the first run that finishes within
    its budget solves the instance.
    """
    t = start
    for alg, budget in schedule:
        left = cutoff - t
        if left <= 0:
            return False, t
        give = min(budget, left)
        need = solve_times.get(alg, np.inf)
        if need <= give:
            return True, t + need
        t += give
    return False, t
