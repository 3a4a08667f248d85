"""What a tuner knows about configurations: per-(instance, seed) costs with censoring kept.

:class:`CostTable` holds, per configuration key, the cost :class:`~algoconf.records.Estimate` of
each finished run (exact, or a lower bound for CAPPED runs) and compares two configurations on the
pairs both have run. Comparisons respect censoring: a challenger is only "worse" when its lower
bound already exceeds the incumbent, and only "not worse" when every value involved is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from algoconf.censored.utility import run_utility_cost
from algoconf.records import Estimate, RunResult, mean_cost, result_cost
from algoconf.tuners.base import TuningProblem

__all__ = ["CostTable", "cost_of"]

Pair = tuple[str, int]


def cost_of(problem: TuningProblem, result: RunResult) -> Estimate:
    """The cost of one result under the problem's objective: PAR-k for runtime, or 1 − u(runtime)
    when the problem carries a utility (``problem.extra["utility"]``, censored/utility.py).

    Portfolio (marginal) cost: when ``problem.extra["portfolio_costs"]`` maps instance names to the
    current portfolio's best cost on that instance (a float, same units as the own cost), the cost
    is ``min(own, portfolio)`` — what the run would add to the portfolio's virtual best
    (Hydra, algoconf/portfolio/hydra.py). Censoring stays honest: an own lower bound ``L`` below
    the portfolio's ``p`` gives the lower bound ``L`` (the true ``min(c, p)`` is ≥ L); ``L ≥ p``
    gives ``p``, exact. Instances without a portfolio cost keep the own cost.
    """
    own = _own_cost(problem, result)
    portfolio = problem.extra.get("portfolio_costs") if problem.extra else None
    if portfolio is None or result.request.instance not in portfolio:
        return own
    best = float(portfolio[result.request.instance])
    if own.value >= best:
        return Estimate(best, True, own.n, 0)
    return own


def _own_cost(problem: TuningProblem, result: RunResult) -> Estimate:
    utility = problem.extra.get("utility") if problem.extra else None
    if utility is not None and problem.objective == "runtime":
        return run_utility_cost(result, utility)
    return result_cost(
        result,
        objective=problem.objective,
        cutoff=problem.cutoff,
        par_factor=problem.par_factor,
        maximize=problem.maximize,
        crash_cost=problem.crash_cost if problem.objective == "quality" else math.inf,
    )


@dataclass
class CostTable:
    """Costs per configuration key and (instance, seed) pair. JSON round-trips via to/from_state."""

    costs: dict[str, dict[Pair, Estimate]]

    def __init__(self) -> None:
        self.costs = {}

    def add(self, key: str, pair: Pair, cost: Estimate) -> None:
        self.costs.setdefault(key, {})[pair] = cost

    def pairs(self, key: str) -> dict[Pair, Estimate]:
        return self.costs.get(key, {})

    def mean(self, key: str, pairs: Iterable[Pair] | None = None) -> Estimate:
        own = self.pairs(key)
        chosen = own.values() if pairs is None else [own[p] for p in pairs if p in own]
        return mean_cost(chosen)

    def n_runs(self, key: str) -> int:
        return len(self.pairs(key))

    def compare(self, challenger: str, incumbent: str) -> str:
        """'worse', 'better', 'equal' or 'unknown' on the pairs both configurations have run.

        'worse' needs the challenger's mean (a lower bound when censored) above an *exact*
        incumbent mean; 'better'/'equal' need both means exact. Anything else is 'unknown'.
        """
        inc = self.pairs(incumbent)
        common = [p for p in self.pairs(challenger) if p in inc]
        if not common:
            return "unknown"
        c = self.mean(challenger, common)
        i = self.mean(incumbent, common)
        if i.exact and c.value > i.value:
            return "worse"
        if i.exact and c.exact:
            return "better" if c.value < i.value else "equal"
        return "unknown"

    def to_state(self) -> dict[str, Any]:
        return {
            key: [[p[0], p[1], e.value, e.exact, e.n_censored] for p, e in sorted(pairs.items())]
            for key, pairs in self.costs.items()
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> "CostTable":
        table = cls()
        for key, rows in state.items():
            for inst, seed, value, exact, n_cens in rows:
                table.add(key, (inst, int(seed)), Estimate(float(value), bool(exact), 1, int(n_cens)))
        return table
