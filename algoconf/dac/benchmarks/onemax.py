"""The (1+(λ,λ)) GA on OneMax with control of λ (the former DACBench OneLL benchmark).

One step is one iteration of the GA at the λ chosen by the policy (mutation rate p = λ/n, crossover
bias c = 1/λ, ``round(λ)`` offspring in each phase, λ clipped to [1, n]):

1. mutation: draw ℓ ~ Bin(n, p) conditioned on ℓ > 0 (resampled); create round(λ) mutants, each
   flipping ℓ distinct random bits, all evaluated; x' = a best mutant;
2. crossover: create round(λ) offspring taking each of the ℓ differing bits from x' with probability
   c, else from x; an offspring equal to x or to x' is not evaluated; y = the best of the offspring
   and x' (x' competes);
3. selection: x <- y if f(y) >= f(x).

Evaluation counting ("practice-aware", fixed for ``onemax-v1``): the initial evaluation counts 1,
mutants count 1 each, crossover offspring count 1 unless equal to x or x'. ``info`` also reports
``evaluations_2lambda`` (the theory convention, 2·round(λ) per iteration, initial evaluation 1).

Reward ``onemax-v1``: minus the evaluations spent in the step; the return is minus all evaluations
after the initial one. Observation ``[n, f(x)]`` (float32); action λ in [1, n], log-scaled onto Box(0, 1) of shape (1,).

The simulation works at the level of counts (number of zero bits hit by a mutation is
hypergeometric, the bits taken in crossover binomial), which is exact in distribution because
OneMax is symmetric under bit permutations. The theory policy is λ*(f) = sqrt(n / (n - f)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import gymnasium as gym
import numpy as np
from ConfigSpace import ConfigurationSpace, UniformFloatHyperparameter

from algoconf.dac.env import DACEnv, DACInstance, InstanceSplit
from algoconf.dac.policies import Policy
from algoconf.errors import DACError

__all__ = ["OneMaxInstance", "OneMaxEnv", "theory_lambda", "simulate_evaluations", "OneMaxTheoryPolicy"]


@dataclass(frozen=True)
class OneMaxInstance(DACInstance):
    """Problem size ``n``; the initial bit string is uniformly random."""

    n: int


def theory_lambda(n: int, f: np.ndarray | float) -> np.ndarray | float:
    """λ*(f) = sqrt(n / (n - f)) (fitness-dependent optimal control, Doerr, Doerr and Ebel)."""
    return np.sqrt(n / np.maximum(n - np.asarray(f, dtype=np.float64), 1.0))


def _draw_ell(rng: np.random.Generator, n: int, p: np.ndarray) -> np.ndarray:
    ell = rng.binomial(n, p)
    bad = np.flatnonzero(ell == 0)
    while bad.size:
        ell[bad] = rng.binomial(n, p[bad])
        bad = bad[ell[bad] == 0]
    return ell


def simulate_evaluations(
    n: int,
    lambdas: Callable[[np.ndarray], np.ndarray] | np.ndarray,
    episodes: int,
    rng: np.random.Generator,
    *,
    cutoff: float | None = None,
) -> dict[str, np.ndarray]:
    """Run ``episodes`` GA runs in lock-step (same semantics as :class:`OneMaxEnv`, vectorised).

    ``lambdas`` is an array of λ per fitness 0..n (or a function of the fitness array). Returns the
    practice-aware ``evaluations`` (initial one included), ``evaluations_2lambda`` and ``iterations``.
    """
    table = None if callable(lambdas) else np.asarray(lambdas, dtype=np.float64)
    cutoff = math.inf if cutoff is None else float(cutoff)
    f = rng.binomial(n, 0.5, size=episodes).astype(np.int64)
    evals = np.ones(episodes)
    evals2 = np.ones(episodes)
    iters = np.zeros(episodes)
    idx = np.flatnonzero((f < n) & (evals < cutoff))
    while idx.size:
        fa = f[idx]
        m = idx.size
        lam = table[fa] if table is not None else np.asarray(lambdas(fa), dtype=np.float64)  # type: ignore[operator]
        lam = np.clip(lam, 1.0, n)
        count = np.maximum(1, np.rint(lam)).astype(np.int64)
        ell = _draw_ell(rng, n, lam / n)
        width = int(count.max())
        shape = (m, width)
        live = np.arange(width) < count[:, None]
        good = rng.hypergeometric((n - fa)[:, None], fa[:, None], ell[:, None], size=shape)
        gbest = np.where(live, good, -1).max(axis=1)
        c = (1.0 / lam)[:, None]
        took_good = rng.binomial(gbest[:, None], c, size=shape)
        took_bad = rng.binomial((ell - gbest)[:, None], c, size=shape)
        took = took_good + took_bad
        evaluated = live & (took != 0) & (took != ell[:, None])
        delta = np.where(live, took_good - took_bad, -n).max(axis=1)
        delta = np.maximum(delta, 2 * gbest - ell)
        f[idx] = fa + np.maximum(delta, 0)
        evals[idx] += count + evaluated.sum(axis=1)
        evals2[idx] += 2 * count
        iters[idx] += 1
        idx = idx[(f[idx] < n) & (evals[idx] < cutoff)]
    return {"evaluations": evals, "evaluations_2lambda": evals2, "iterations": iters}


class OneMaxEnv(DACEnv):
    """λ control of the (1+(λ,λ)) GA on OneMax; see the module docstring for the exact semantics."""

    benchmark = "onemax"
    version = 1
    reward_semantics = (
        "minus the practice-aware evaluations of one GA iteration (mutants + crossover offspring that "
        "differ from both parents); return = -(evaluations after the initial one); truncated at `cutoff`"
    )
    counts_evaluations = True
    features = ("fitness", "log2_distance")

    def __init__(
        self,
        n: int = 500,
        *,
        instances: InstanceSplit | None = None,
        cutoff: int | None = None,
        split: str = "train",
        order: str = "round_robin",
    ) -> None:
        if n < 2:
            raise DACError(f"n must be at least 2, got {n}")
        self.n = int(n)
        self.cutoff = int(cutoff) if cutoff is not None else 50 * self.n
        if instances is None:
            inst = OneMaxInstance(f"onemax{self.n}", self.n)
            instances = InstanceSplit((inst,), (inst,))
        space = ConfigurationSpace(seed=0)
        space.add(UniformFloatHyperparameter("lambda", 1.0, float(self.n), log=True))
        obs_space = gym.spaces.Box(0.0, float(self.n), shape=(2,), dtype=np.float32)
        super().__init__(instances, space, obs_space, split=split, order=order)

    def _start(self, instance: DACInstance) -> Any:
        self.f = int(self.np_random.binomial(self.n, 0.5))
        self.evaluations = 1
        self.evaluations_2lambda = 1
        return np.array((self.n, self.f), dtype=np.float32)

    def _advance(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        n, f, rng = self.n, self.f, self.np_random
        lam = self.codec.decode(action)["lambda"]
        if f >= n:
            return np.array((n, f), dtype=np.float32), 0.0, True, False, self._info()
        count = max(1, int(round(lam)))
        ell = 0
        while ell == 0:
            ell = int(rng.binomial(n, lam / n))
        good = rng.hypergeometric(n - f, f, ell, size=count)
        g = int(good.max())
        took_good = rng.binomial(g, 1.0 / lam, size=count)
        took_bad = rng.binomial(ell - g, 1.0 / lam, size=count)
        took = took_good + took_bad
        spent = count + int(np.count_nonzero((took != 0) & (took != ell)))
        delta = max(int((took_good - took_bad).max()), 2 * g - ell)
        if delta > 0:
            self.f = f + delta
        self.evaluations += spent
        self.evaluations_2lambda += 2 * count
        terminated = self.f >= n
        truncated = not terminated and self.evaluations >= self.cutoff
        return np.array((n, self.f), dtype=np.float32), -float(spent), terminated, truncated, self._info()

    def _info(self) -> dict[str, Any]:
        return {"evaluations": self.evaluations, "evaluations_2lambda": self.evaluations_2lambda, "fitness": self.f}

    def feature(self, name: str, obs: Any) -> Any:
        if name == "fitness":
            return float(obs[1])
        if name == "log2_distance":
            return math.log2(max(self.n - float(obs[1]), 1.0))
        return super().feature(name, obs)

    def policy_lambdas(self, policy: Policy) -> np.ndarray:
        """λ a Markov policy plays at each fitness 0..n (for the vectorised simulator)."""
        if not policy.markov or policy.oracle:
            raise DACError("only Markov, non-oracle policies can be tabulated over fitness")
        policy.reset(self)
        decode = self.codec.decode
        return np.array([decode(policy.act(np.array((self.n, f), dtype=np.float32)))["lambda"] for f in range(self.n + 1)])


    def batch_returns(self, policy: Policy, instance: DACInstance, episodes: int, rng: np.random.Generator) -> np.ndarray:
        """Returns of ``episodes`` runs of a Markov policy from the vectorised simulator (exact in distribution)."""
        evals = simulate_evaluations(self.n, self.policy_lambdas(policy), episodes, rng, cutoff=self.cutoff)
        return -(evals["evaluations"] - 1.0)


class OneMaxTheoryPolicy(Policy):
    """λ*(f) = sqrt(n / (n - f))."""

    kind = "onemax_theory"

    def act(self, obs: Any) -> Any:
        n, f = float(obs[0]), float(obs[1])
        return self.env.codec.encode({"lambda": min(math.sqrt(n / max(n - f, 1.0)), n)})

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "named", "benchmark": "onemax", "name": "theory"}
