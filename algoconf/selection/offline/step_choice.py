"""Which feature steps are worth their cost: a greedy forward search over steps.

When feature cost is charged, a step pays off only if what its features tell a selector saves more
than the seconds it takes (ASlib's SAT scenarios: the default steps of SAT12-INDU take 81 s of a
1200 s cutoff on average, its ``Basic`` step 19 s). AutoFolio searches feature groups with SMAC;
here the search is greedy and the judge is a caller-supplied per-row cost of a candidate step set
(the stack uses its k-NN member's leave-one-out schedules, simulated with the feature cost
charged), on the training rows only:

1. the default steps, then every single step with the steps it requires;
2. from the best set so far, each remaining step added, while the mean cost drops;

and only sets whose mean feature cost on the training rows is below the default steps': the search
is there to save feature time. (Letting it also trade features for information -- adding steps,
swapping groups -- is a feature selection judged by one member's leave-one-out cost on the same
rows: on SAT12-HAND it chose dearer sets that did worse on the test folds.)

:func:`choose_steps` then keeps the default steps unless a candidate beats them by more than one
standard error (:func:`~algoconf.selection.offline.candidate_choice.choose_candidate`): with dozens of
candidates judged on the same rows, the best training cost alone is optimistic.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.candidate_choice import choose_candidate

__all__ = ["choose_steps", "search_steps"]

Steps = tuple[str, ...]


def search_steps(data: PerformanceData, row_costs: Callable[[Steps], np.ndarray], *, max_rounds: int = 4) -> dict[Steps, np.ndarray]:
    """Candidate step sets (closed under ``requires``, cheaper than the default steps) -> their
    per-row costs from ``row_costs``; the first key is the default steps. ``max_rounds`` bounds
    the greedy additions."""
    names = list(data.feature_steps)
    default = data.step_closure(data.default_steps or names)
    seen: dict[Steps, np.ndarray] = {default: np.asarray(row_costs(default), dtype=float)}
    budget = float(data.step_cost(default).mean())

    def cheaper(sets: set[Steps]) -> list[Steps]:
        return sorted(s for s in sets if float(data.step_cost(s).mean()) < budget)

    def judge(steps: Steps) -> float:
        if steps not in seen:
            seen[steps] = np.asarray(row_costs(steps), dtype=float)
        return float(seen[steps].mean())

    singles = cheaper({data.step_closure((s,)) for s in names})
    if not singles:
        return seen
    best = min(singles, key=judge)
    for _ in range(max_rounds):
        bigger = cheaper({data.step_closure(best + (s,)) for s in names if s not in best})
        if not bigger:
            break
        challenger = min(bigger, key=judge)
        if judge(challenger) >= judge(best):
            break
        best = challenger
    return seen


def choose_steps(candidates: dict[Steps, np.ndarray]) -> Steps:
    """The default steps (the first key) unless another candidate is better by more than one
    standard error; then the best of those."""
    keys = list(candidates)
    costs = np.array([candidates[k] for k in keys])
    if choose_candidate(costs, [0.0] + [1.0] * (len(keys) - 1), "1se") == 0:
        return keys[0]
    return keys[int(np.argmin(costs.mean(axis=1)))]
