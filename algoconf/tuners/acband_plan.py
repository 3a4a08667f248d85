"""Sizing AC-Band to the budget the engine knows: how many configurations, how many races.

The paper fixes ``N`` from ``(α, δ)`` and assumes an instance budget large enough for every epoch.
Under a short budget (a few minutes of wall-clock, a few hundred runs) that schedule never gets past
its first epoch, and the incumbent stays the default. Here the budget is converted into *races*
(one race = ``k`` runs on one instance-seed pair, ending when the first arm finishes):

* runs: ``(max_runs − asked) // k``;
* wall-clock: ``(n_workers · max_wallclock − worker-seconds used) / worker-seconds per race``
  (AC-Band's brackets keep the workers busy, so the wall-clock budget is ``n_workers ×`` as many
  worker-seconds; a race occupies its arms' workers until it is decided);
* target CPU time: ``(max_cpu_time − used) / CPU per race``;

whichever is smallest. "Used" counts every run told (races and intensification). Before any race
has finished the cost of a race is estimated by the cutoff (``k`` arms up to the cutoff); after
that by the measured mean of the finished races.

:func:`plan_cycle` then picks the largest ``N ≤ N(α, δ)`` whose schedule, with at least
``per_match`` instances for every group in every round on average, fits the races left, and the
largest instance budget ``B`` whose exact race count (as the tuner will lay races out, counting a
sparring lone arm as a survivor, i.e. an upper bound) still fits. A budget is *short* when the
paper's ``N`` does not fit; ACBand then proposes half of every later epoch's arms from its model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["RaceMeasure", "races_left", "schedule_races", "plan_cycle", "fit_instance_budget", "N_MIN"]

N_MIN = 3  # fewer new configurations than this is not a search any more


@dataclass
class RaceMeasure:
    """What AC-Band has measured of its runs so far, updated as results are told.

    ``races`` finished, their ``race_worker_seconds`` (wall time summed over arms) and ``race_cpu``
    seconds, the ``worker_seconds`` and ``cpu`` seconds of every run told (races and
    intensification), and the ``arms`` of the races finished. Stored in a tuner's state as the list
    :meth:`to_list` (that order).
    """

    races: int = 0
    race_worker_seconds: float = 0.0
    race_cpu: float = 0.0
    worker_seconds: float = 0.0
    cpu: float = 0.0
    arms: int = 0

    def to_list(self) -> list[float]:
        return [self.races, self.race_worker_seconds, self.race_cpu, self.worker_seconds, self.cpu, self.arms]

    @classmethod
    def from_list(cls, values: Sequence[float]) -> "RaceMeasure":
        """Read :meth:`to_list` back. An older list of three (races and their times only) counts the
        races' times as every run's and no arms (a race then counts as two arms wide)."""
        if len(values) == 3:
            races, ws, cpu = values
            return cls(int(races), ws, cpu, ws, cpu, 0)
        if len(values) != 6:
            raise ValueError(f"AC-Band's measured runs: expected 6 numbers, got {list(values)!r}")
        races, race_ws, race_cpu, ws, cpu, arms = values
        return cls(int(races), race_ws, race_cpu, ws, cpu, int(arms))


def _balanced_sizes(n: int, k: int) -> list[int]:
    p = math.ceil(n / k)
    base, extra = divmod(n, p)
    return [base + (1 if g < extra else 0) for g in range(p)]


def _keep(m: int, e: int, k: int) -> int:
    return max(1, (m * e) // (e + k - 1))


def epoch_rounds(arms: int, epoch: int, k: int, defend: bool = True) -> list[tuple[int, bool]]:
    """``(groups, incumbent defending)`` of each round of an epoch with ``arms`` arms, the
    incumbent among them (a lone arm spars and is counted as surviving, so this is an upper bound).
    With ``defend`` the incumbent joins only when the new arms left fit into one group with it."""
    out, a, joined = [], arms - 1 if defend else arms, not defend
    while True:
        if not joined and a + 1 <= k:
            a, joined = a + 1, True
        if a <= 1 and joined:
            break
        sizes = _balanced_sizes(a, k)
        out.append((len(sizes), defend and joined))
        a = sum(_keep(s, epoch, k) if s > 1 else 1 for s in sizes)
    return out or [(1, defend)]


def epoch_groups(arms: int, epoch: int, k: int, defend: bool = True) -> list[int]:
    """Number of groups of each round of an epoch (see :func:`epoch_rounds`)."""
    return [g for g, _ in epoch_rounds(arms, epoch, k, defend)]


def round_instances(instances: int, rounds: int, groups: int, defending: bool, per_match: int) -> int:
    """Instances per group in one round (ACBand._start_round): the epoch's instances split evenly
    over rounds and groups, at least one, at least ``per_match`` where the incumbent defends."""
    return max(per_match if defending else 1, instances // max(1, rounds) // groups)


def epoch_races(arms: int, epoch: int, k: int, rounds: int, instances: int, defend: bool = True,
                per_match: int = 2) -> int:
    """Races of one epoch given its instance budget, laid out as ACBand._start_round does."""
    return sum(g * round_instances(instances, rounds, g, d, per_match)
               for g, d in epoch_rounds(arms, epoch, k, defend))


def schedule_races(schedule: Sequence[Mapping[str, int]], k: int, instance_budget: int,
                   first: int = 0, per_match: int = 2) -> int:
    """Races of epochs ``first..`` of ``schedule`` when the instance budget is spread over all its
    epochs in proportion to their arms (the tuner's allocation)."""
    total = sum(s["arms"] for s in schedule)
    # every round is a plain CSE round (the incumbent defends by intensification, outside the races)
    return sum(epoch_races(s["arms"], s["epoch"], k, s["rounds"], int(instance_budget * s["arms"] / total),
                           False, per_match) for s in schedule[first:])


def min_races(schedule: Sequence[Mapping[str, int]], k: int, per_match: int = 2) -> int:
    """Races of a schedule with the fewest instances per group and round (one; ``per_match``
    where the incumbent defends)."""
    return schedule_races(schedule, k, 0, 0, per_match)


def fit_instance_budget(schedule: Sequence[Mapping[str, int]], k: int, races: float, cap: int,
                        first: int = 0, per_match: int = 2) -> int:
    """Largest instance budget ``B ≤ cap`` whose epochs ``first..`` take at most ``races`` races
    (at least 1)."""
    lo, hi = 1, max(1, int(cap))
    if schedule_races(schedule, k, hi, first, per_match) <= races:
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if schedule_races(schedule, k, mid, first, per_match) <= races:
            lo = mid
        else:
            hi = mid - 1
    return lo


def races_left(problem: Any, k: float, asked: int, measured: RaceMeasure) -> float:
    """Races the remaining budget affords (``math.inf`` without any budget), a race priced at the
    mean of the races ``measured`` so far (before any: ``k`` arms up to the cutoff), every run told
    counted as used."""
    n, race_ws, race_cpu = measured.races, measured.race_worker_seconds, measured.race_cpu
    total_ws, total_cpu = measured.worker_seconds, measured.cpu
    cutoff = problem.cutoff
    ws = race_ws / n if n else (k * float(cutoff) if cutoff else None)
    cpu = race_cpu / n if n else (k * float(cutoff) if cutoff else None)
    left = math.inf
    if problem.max_runs is not None:
        left = min(left, max(0, problem.max_runs - asked) // k)  # k: runs of one race
    if problem.max_wallclock is not None and ws:
        workers = max(1, int(problem.n_workers))
        left = min(left, max(0.0, workers * problem.max_wallclock - total_ws) / ws)
    if problem.max_cpu_time is not None and cpu:
        left = min(left, max(0.0, problem.max_cpu_time - total_cpu) / cpu)
    return left


def plan_cycle(schedule_of: Any, n_paper: int, k: int, races: float, pool: int,
               per_match: int = 2, pool_cap: int | None = None) -> tuple[int, int, bool]:
    """``(N, instance budget, short)`` for a new AC-Band schedule under ``races`` races.

    ``schedule_of(n)`` gives the schedule of ``n`` configurations. Without a finite budget: the
    paper's ``N`` and one pass over the instances. Otherwise the largest ``N ≤ n_paper`` (at least
    :data:`N_MIN`) with ``per_match · min_races ≤ races``, and the largest instance budget (at most
    ``min(races, pool_cap)`` when ``n_paper`` fits, ``pool_cap`` defaulting to ``4 · pool`` — more
    comes from a repeated schedule) whose race count fits.
    """
    if not math.isfinite(races):
        return n_paper, max(1, pool), False
    n = n_paper
    while n > N_MIN and per_match * min_races(schedule_of(n), k, per_match) > races:
        n -= 1
    short = n < n_paper
    cap = int(races) if short else min(int(races), 4 * pool if pool_cap is None else int(pool_cap))
    budget = fit_instance_budget(schedule_of(n), k, races, max(1, cap), 0, per_match)
    return n, budget, short
