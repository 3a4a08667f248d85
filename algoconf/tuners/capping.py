"""Adaptive capping (ParamILS/SMAC, Hutter et al., JAIR 2009): stop a challenger's run once it can
no longer beat the incumbent.

A challenger compared with the incumbent on instance-seed pairs loses as soon as its summed cost
exceeds the incumbent's on the same pairs. So its run on a new pair needs at most

    bound = slack × (Σ incumbent cost over the pairs compared, this one included)
            − (Σ challenger cost over its finished pairs)

seconds: a run still going at ``bound`` makes the challenger's sum at least ``slack`` times the
incumbent's, whatever it would have cost in the end. The run is stopped there and comes back
CAPPED, a censored lower bound (never an exact runtime); a challenger with a CAPPED run is
dominated on the pairs it has run and is dropped, never promoted.

Contract of :class:`CappingRule`
--------------------------------
* Only for plain runtime objectives (PAR-k costs, where a run's cost is at least its runtime); off
  for quality and utility objectives (``for_problem`` returns None there, and raises when capping
  is asked for explicitly).
* ``slack ≥ 1`` (default 1.2, SMAC's): with slack ≥ 1 a stopped challenger could not have won, so
  capping never changes which challenger wins; larger slack stops later.
* An incumbent cost that is not known exactly yet (in flight, or censored) counts as the largest
  cost a run can have (``par_factor × cutoff``): the bound only ever errs towards running longer.
  A challenger's censored cost counts at its lower bound (same direction).
* The bound is clamped to ``[floor, cutoff]`` (floor 1 % of the cutoff: a run is never given a
  non-positive limit); a bound at or above the cutoff is no cap (``None``).

:class:`CappingSummary` counts what capping saved in a run: the CAPPED runs outside races and
``Σ (cutoff − runtime)`` over them, an upper bound of the CPU they would have used beyond their cap
(each would have stopped at the cutoff at the latest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from algoconf.records import Estimate, RunResult, Status
from algoconf.tuners.base import TuningProblem

__all__ = ["CappingRule", "CappingSummary", "capping_applies", "DEFAULT_SLACK"]

DEFAULT_SLACK = 1.2
FLOOR_FRACTION = 0.01


def capping_applies(problem: TuningProblem) -> bool:
    """True for plain runtime objectives with a cutoff (a run's cost is at least its runtime)."""
    utility = problem.extra.get("utility") if problem.extra else None
    return problem.objective == "runtime" and problem.cutoff is not None and utility is None


@dataclass(frozen=True)
class CappingRule:
    """The adaptive-capping bound of one problem (see the module docstring)."""

    slack: float
    cutoff: float
    worst_cost: float  # the largest cost one run can have: par_factor × cutoff
    floor: float

    def __post_init__(self) -> None:
        if not (self.slack >= 1.0) or not math.isfinite(self.slack):
            raise ValueError(f"capping_slack must be a finite number >= 1, got {self.slack}")
        if not (self.cutoff > 0):
            raise ValueError(f"capping needs a positive cutoff, got {self.cutoff}")

    @classmethod
    def for_problem(cls, problem: TuningProblem, capping: bool | None = None,
                    slack: float = DEFAULT_SLACK) -> "CappingRule | None":
        """The rule for ``problem``, or None when capping is off. ``capping=None`` means: on for
        plain runtime objectives, off otherwise; ``True`` on anything else raises ValueError."""
        applies = capping_applies(problem)
        if capping and not applies:
            raise ValueError("adaptive capping needs a runtime objective with a cutoff (PAR-k costs, no utility)")
        if capping is False or not applies:
            return None
        cutoff = float(problem.cutoff)  # type: ignore[arg-type]
        return cls(float(slack), cutoff, max(1.0, float(problem.par_factor)) * cutoff, FLOOR_FRACTION * cutoff)

    def ceiling(self, cost: Estimate | None) -> float:
        """An upper bound of an incumbent's cost on one pair: its exact cost, else the worst cost."""
        return cost.value if cost is not None and cost.exact else self.worst_cost

    def bound(self, incumbent: Iterable[Estimate | None], challenger: Iterable[Estimate]) -> float | None:
        """The cap of a challenger's run: ``incumbent`` are the incumbent's costs on every pair the
        comparison covers (this run's pair included; None = not known yet), ``challenger`` the
        challenger's costs on its finished pairs. None when the bound reaches the cutoff."""
        inc = math.fsum(self.ceiling(c) for c in incumbent)
        own = math.fsum(c.value for c in challenger)
        return self.clamp(self.slack * inc - own)

    def clamp(self, bound: float) -> float | None:
        """``bound`` within ``[floor, cutoff)``; None (no cap) at or above the cutoff."""
        if not bound < self.cutoff:
            return None
        return max(self.floor, bound)

    def to_state(self) -> dict[str, Any]:
        return {"slack": self.slack}


@dataclass(frozen=True)
class CappingSummary:
    """What adaptive capping saved: ``capped_runs`` CAPPED runs outside races, and
    ``cpu_saved_at_most`` = Σ (cutoff − runtime) over them (an upper bound: each would have run to
    the cutoff at the latest)."""

    capped_runs: int = 0
    cpu_saved_at_most: float = 0.0

    @classmethod
    def of(cls, results: Iterable[RunResult]) -> "CappingSummary":
        n, saved = 0, []
        for r in results:
            if r.status is Status.CAPPED and r.request.race is None and r.request.bound is not None:
                n += 1
                if r.request.cutoff is not None:
                    saved.append(max(0.0, float(r.request.cutoff) - r.runtime))
        return cls(n, math.fsum(saved))
