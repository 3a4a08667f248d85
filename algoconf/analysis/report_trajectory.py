"""The incumbent trajectory of a run, replayed from its history with censoring-aware costs.

Tuners keep their incumbent in their own state; a report needs it *over time*, and for every tuner
alike. :func:`incumbent_trajectory` replays the stored results in their recorded order under one
rule (the intensification rule of ROAR/SMAC):

* the first incumbent is ``start`` (the default configuration, where tuners start) from its first
  result on, or, when ``start`` has no result, the first configuration with a result;
* a challenger replaces the incumbent once it has at least as many runs as the incumbent, shares at
  least one (instance, seed) pair with it, and its mean cost on the shared pairs is *exact* and
  strictly below the incumbent's mean there. The incumbent's mean may be a lower bound (a CAPPED
  run, e.g. the loser of a race): the challenger is then still certainly better. A challenger whose
  mean is only a lower bound never replaces anyone. When a challenger runs the incumbent's pairs
  (ROAR, SMAC), "as many runs" means "all of the incumbent's pairs".

Each point carries the incumbent's mean cost over all of its runs so far, as an
:class:`~algoconf.records.Estimate` (``exact=False``: a lower bound, some run censored below the
cutoff). The x positions are the wall-clock seconds since the first run started (resumed runs
include the pause) and the cumulative target CPU seconds of all runs (every run, as it was spent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from algoconf.execution.equivalence import spent_cpu
from algoconf.records import Estimate, RunResult, mean_cost

__all__ = ["TrajectoryPoint", "incumbent_trajectory"]

Pair = tuple[str, int]


@dataclass(frozen=True)
class TrajectoryPoint:
    """The incumbent after the ``run``-th result (1-based) was recorded."""

    run: int
    wallclock: float  # seconds since the first run started
    cpu_time: float  # cumulative target CPU seconds of all runs so far
    config_key: str
    cost: Estimate  # the incumbent's mean cost over its runs so far (lower bound unless exact)
    n_runs: int  # the incumbent's number of runs


def incumbent_trajectory(
    results: Sequence[RunResult], cost: Callable[[RunResult], Estimate], start: str | None = None
) -> list[TrajectoryPoint]:
    """One point per change of the incumbent or of its mean cost (see the module docstring).

    ``results`` in recorded order; ``cost`` maps a result to its cost estimate (PAR-k, quality);
    ``start`` is the configuration key of the starting incumbent (the default), if any.
    """
    if not results:
        return []
    t0 = min(r.started for r in results if r.started > 0) if any(r.started > 0 for r in results) else 0.0
    keys = {r.request.config_key for r in results}
    table: dict[str, dict[Pair, Estimate]] = {}
    incumbent: str | None = None
    points: list[TrajectoryPoint] = []
    cpu = 0.0
    for i, r in enumerate(results, start=1):
        cpu += spent_cpu(r)  # a result shared by the equivalence cache cost nothing
        key = r.request.config_key
        table.setdefault(key, {})[(r.request.instance, int(r.request.seed))] = cost(r)
        if incumbent is None:
            if start in keys and key != start:
                continue  # the starting incumbent has not finished a run yet
            incumbent = key
        challengers = [key] if key != incumbent else [k for k in table if k != incumbent]
        for c in challengers:
            if _beats(table[c], table[incumbent]):
                incumbent = c
        own = table[incumbent]
        estimate = mean_cost(own.values())
        last = points[-1] if points else None
        if last is None or last.config_key != incumbent or last.cost != estimate:
            wall = max(0.0, (r.finished or r.started) - t0) if t0 else 0.0
            points.append(TrajectoryPoint(i, wall, cpu, incumbent, estimate, len(own)))
    return points


def _beats(challenger: dict[Pair, Estimate], incumbent: dict[Pair, Estimate]) -> bool:
    shared = [p for p in incumbent if p in challenger]
    if not shared or len(challenger) < len(incumbent):
        return False
    c = mean_cost(challenger[p] for p in shared)
    i = mean_cost(incumbent[p] for p in shared)
    return c.exact and c.value < i.value
