"""A meta-policy: follow the leader, or the feature model, whichever has cost less where they disagreed.

Two experts propose an algorithm for every instance:

* **leader** -- follow-the-leader on observed PAR10: the algorithm whose runs so far (every run the
  meta-policy made, whichever expert chose it) cost least on average; a timeout or failure counts
  10 x C, a solved run its runtime. An algorithm not yet run starts at the mean of all runs so far
  (weight ``prior_runs``), so it is neither favoured nor shunned.
* **model** -- the hurdle model (:class:`~algoconf.selection.online.hurdle.HurdleSelector`), which
  learns from every run as well.

When they agree, that algorithm runs. When they disagree, the meta-policy follows the expert whose
*observed* cost on earlier disagreement steps where it was followed is lower -- prequential,
on-policy: no counterfactual is invented -- drawing each expert's mean from a Gaussian around its
discounted running mean (Thompson sampling over the two experts; ``discount`` lets the choice move
as the model learns). Early in a stream the leader, which settles on a good single solver within a
few runs, carries the meta-policy; the model takes over where, and once, it proves cheaper.

Per step: one hurdle choice and update (O(d^2) per block) plus O(K) bookkeeping; nothing grows
with the stream; no look-ahead (only runs already made are used).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from algoconf.selection.online.contract import OnlineObservation, OnlineSelector
from algoconf.selection.online.hurdle import HurdleSelector

__all__ = ["LeaderOrModelSelector"]


class LeaderOrModelSelector(OnlineSelector):
    """Follow-the-leader on observed PAR10 or the hurdle model, by their cost where they disagreed."""

    def __init__(
        self,
        algorithms: Sequence[str],
        n_features: int,
        cutoff: float,
        seed: int | None = 0,
        *,
        discount: float = 0.99,
        prior_runs: float = 1.0,
        explore: float = 0.3,
        expert_explore: float = 1.0,
        par_factor: float = 10.0,
    ):
        super().__init__(algorithms, n_features, cutoff, seed)
        self.model = HurdleSelector(algorithms, n_features, cutoff, seed, explore=explore, par_factor=par_factor)
        self.model.rng = self.rng  # one random stream for the whole policy
        self.par_factor = float(par_factor)
        self.discount = float(discount)
        self.prior_runs = float(prior_runs)
        self.expert_explore = float(expert_explore)
        k = self.n_arms
        self.arm_cost = np.zeros(k)  # summed observed PAR10 per algorithm
        self.arm_runs = np.zeros(k)
        self.expert_cost = np.zeros(2)  # discounted summed cost on disagreement steps: [leader, model]
        self.expert_steps = np.zeros(2)
        self.expert_sq = np.zeros(2)
        self._last: tuple[int, int, int] | None = None  # (leader arm, model arm, expert followed or -1)

    def _leader(self) -> int:
        runs = self.arm_runs.sum()
        overall = self.arm_cost.sum() / runs if runs else 0.0
        mean = (self.arm_cost + self.prior_runs * overall) / (self.arm_runs + self.prior_runs)
        return int(np.argmin(mean))

    def _pick_expert(self) -> int:
        n = self.expert_steps
        if (n < 1).any():  # try each expert once where they disagree
            return int(np.argmin(n))
        mean = self.expert_cost / n
        var = np.maximum(self.expert_sq / n - mean**2, (0.01 * self.cutoff) ** 2)
        draw = mean + self.expert_explore * np.sqrt(var / n) * self.rng.standard_normal(2)
        return int(np.argmin(draw))

    def _choose(self, x: np.ndarray) -> int:
        leader = self._leader()
        model = self.model._choose(x)
        if leader == model:
            self._last = (leader, model, -1)
            return leader
        expert = self._pick_expert()
        self._last = (leader, model, expert)
        return (leader, model)[expert]

    def _learn(self, x: np.ndarray, arm: int, obs: OnlineObservation) -> None:
        cost: float | None = float(obs.runtime) if not obs.censored else self.par_factor * self.cutoff
        if obs.censored and obs.runtime < obs.cutoff * (1 - 1e-9):
            cost = None  # stopped early: whether it would have solved is unknown
        self.model._learn(x, arm, obs)
        if cost is None:
            return
        self.arm_cost[arm] += cost
        self.arm_runs[arm] += 1
        last, self._last = self._last, None
        if last is not None and last[2] >= 0 and arm == (last[0], last[1])[last[2]]:
            e = last[2]
            self.expert_cost *= self.discount
            self.expert_steps *= self.discount
            self.expert_sq *= self.discount
            self.expert_cost[e] += cost
            self.expert_sq[e] += cost * cost
            self.expert_steps[e] += 1
