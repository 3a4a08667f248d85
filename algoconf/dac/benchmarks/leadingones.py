"""RLS_k on LeadingOnes with a portfolio K of k values (Biedenkapp, Dang, Krejca, Hutter, Doerr, GECCO 2022).

The target algorithm keeps one bit string x (LeadingOnes fitness f(x) = number of leading ones);
each step flips exactly k distinct uniformly chosen bits of x (k chosen by the policy from the
portfolio K) and keeps the result when its fitness is not worse. The episode ends at the optimum
f = n (terminated) or at ``cutoff`` evaluations (truncated).

Reward ``leadingones-v1``: -1 per step (one step is one evaluation); the return is minus the number
of evaluations after the initial one. Observation: ``[n, f(x)]`` (float32). Action: index into K.

Exact theory (used as ground truth): from fitness i, a k-flip improves iff bit i+1 flips and none of
bits 1..i flips, ``q(i, k) = C(n-i-1, k-1) / C(n, k)``. The bits after the leading block stay uniform
at every moment, so after an improvement the new fitness is i+1 plus the leading ones of a uniform
tail and, from a uniform random start, every level i < n is visited with probability 1/2 (the
starting level with probability 1 when the start is fixed). Hence for a policy π(i):
``E[T] = sum_i P(visit i) / q(i, π(i))`` and the best K-restricted policy takes argmax_k q(i, k) per
level; the unrestricted optimum is ``k*(i) = floor(n / (i + 1))``.

Simulation: ``simulation="levels"`` (default) draws exactly these events (one Bernoulli(q) per step,
geometric tail on improvement) and is exact in distribution; ``simulation="bits"`` flips real bits
(slow; for validating the level simulator).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from ConfigSpace import ConfigurationSpace, OrdinalHyperparameter

from algoconf.dac.env import DACEnv, DACInstance, InstanceSplit
from algoconf.dac.policies import Policy
from algoconf.errors import DACError

__all__ = [
    "LeadingOnesInstance",
    "LeadingOnesEnv",
    "improvement_probability",
    "expected_evaluations",
    "best_portfolio_policy",
    "theory_policy",
    "random_policy_evaluations",
    "simulate_evaluations",
    "LeadingOnesTablePolicy",
    "leadingones_instances",
]


@dataclass(frozen=True)
class LeadingOnesInstance(DACInstance):
    """Problem size ``n`` and the initial fitness (None: a uniformly random initial bit string)."""

    n: int
    initial_fitness: int | None = None


def leadingones_instances(n: int, count: int = 0, seeds: tuple[int, int] = (0, 1)) -> InstanceSplit:
    """Train/test sets: the uniformly random start, plus ``count`` fixed starts per split.

    The fixed initial fitness values are drawn uniformly from 0..n-1 by a generator seeded with
    ``(seed, n)`` (train seed 0, test seed 1), like DACBench's ``lo_rls_<n>_random`` sets.
    """
    sets = []
    for split, seed in zip(("train", "test"), seeds):
        rng = np.random.default_rng([seed, n])
        items = [LeadingOnesInstance(f"lo{n}-random", n, None)]
        items += [LeadingOnesInstance(f"lo{n}-{split}-f{int(f0)}-{j}", n, int(f0)) for j, f0 in enumerate(rng.integers(0, n, size=count))]
        sets.append(tuple(items))
    return InstanceSplit(*sets)


def improvement_probability(n: int, i: int, k: int) -> float:
    """q(i, k) = C(n-i-1, k-1) / C(n, k): probability that flipping k bits improves fitness i."""
    if not 1 <= k <= n or not 0 <= i < n:
        return 0.0
    if k - 1 > n - i - 1:
        return 0.0
    return math.comb(n - i - 1, k - 1) / math.comb(n, k)


def _visit_weights(n: int, initial_fitness: int | None) -> list[float]:
    if initial_fitness is None:
        return [0.5] * n
    return [0.0] * initial_fitness + [1.0] + [0.5] * (n - initial_fitness - 1)


def expected_evaluations(n: int, ks: Sequence[int], initial_fitness: int | None = None) -> float:
    """Exact E[T] of the policy playing ``ks[i]`` at fitness i (``inf`` if some visited level can't improve)."""
    if len(ks) != n:
        raise DACError(f"need one k per fitness level 0..{n - 1}, got {len(ks)}")
    total = 0.0
    for i, w in enumerate(_visit_weights(n, initial_fitness)):
        if w == 0.0:
            continue
        q = improvement_probability(n, i, int(ks[i]))
        if q == 0.0:
            return math.inf
        total += w / q
    return total


def best_portfolio_policy(n: int, portfolio: Sequence[int]) -> list[int]:
    """The optimal K-restricted policy: argmax over K of q(i, k) per level (ties: the smaller k)."""
    ks = sorted(set(int(k) for k in portfolio))
    return [max(ks, key=lambda k: (improvement_probability(n, i, k), -k)) for i in range(n)]


def theory_policy(n: int, portfolio: Sequence[int] | None = None) -> list[int]:
    """k(i) = floor(n / (i + 1)); with a portfolio, the largest k in K not above it (else min K)."""
    ks = [n // (i + 1) for i in range(n)]
    if portfolio is None:
        return ks
    allowed = sorted(set(int(k) for k in portfolio))
    return [max([k for k in allowed if k <= want] or [allowed[0]]) for want in ks]


def random_policy_evaluations(n: int, portfolio: Sequence[int], initial_fitness: int | None = None) -> float:
    """Exact E[T] of the policy drawing k uniformly from K at every step."""
    total = 0.0
    for i, w in enumerate(_visit_weights(n, initial_fitness)):
        if w:
            total += w / float(np.mean([improvement_probability(n, i, k) for k in portfolio]))
    return total


def simulate_evaluations(
    n: int,
    ks: Sequence[int],
    episodes: int,
    rng: np.random.Generator,
    initial_fitness: int | None = None,
    cutoff: int | None = None,
) -> np.ndarray:
    """Evaluations of ``episodes`` independent runs of a state policy (vectorised; exact in distribution).

    The visited levels are independent Bernoulli(1/2) events (the starting level is visited surely) and
    the time spent at a visited level i is Geometric(q(i, ks[i])). With ``cutoff`` the counts are
    truncated there (a run that visits a level it can never leave counts ``cutoff``); without, such a
    policy raises DACError.
    """
    q = np.array([improvement_probability(n, i, int(k)) for i, k in enumerate(ks)])
    if initial_fitness is None:
        visits = rng.random((episodes, n)) < 0.5
    else:
        visits = np.zeros((episodes, n), dtype=bool)
        visits[:, initial_fitness] = True
        visits[:, initial_fitness + 1 :] = rng.random((episodes, n - initial_fitness - 1)) < 0.5
    stuck = (visits & (q == 0.0)).any(axis=1)
    if stuck.any() and cutoff is None:
        raise DACError("the policy never leaves a visited fitness level")
    waits = rng.geometric(np.where(q > 0, q, 1.0), size=(episodes, n))
    total = (visits * waits).sum(axis=1).astype(np.float64)
    if cutoff is not None:
        total = np.where(stuck, float(cutoff), np.minimum(total, float(cutoff)))
    return total


class LeadingOnesEnv(DACEnv):
    """RLS_k on LeadingOnes; see the module docstring for the exact semantics."""

    benchmark = "leadingones"
    version = 1
    reward_semantics = (
        "-1 per step (one step = one evaluation of RLS_k); return = -(evaluations until f(x) = n), "
        "the initial evaluation not counted; truncated at `cutoff` evaluations"
    )
    counts_evaluations = True
    tabular = True
    features = ("fitness", "fitness_fraction")

    def __init__(
        self,
        n: int = 50,
        portfolio: Sequence[int] | None = (1, 2, 4, 8, 16),
        *,
        instances: InstanceSplit | None = None,
        cutoff: int | None = None,
        simulation: str = "levels",
        split: str = "train",
        order: str = "round_robin",
    ) -> None:
        if n < 2:
            raise DACError(f"n must be at least 2, got {n}")
        self.n = int(n)
        ks = list(range(1, self.n + 1)) if portfolio is None else [int(k) for k in portfolio]
        if not ks or any(not 1 <= k <= self.n for k in ks) or len(set(ks)) != len(ks):
            raise DACError(f"portfolio must hold distinct k in 1..{self.n}, got {portfolio}")
        self.portfolio = tuple(ks)
        if simulation not in ("levels", "bits"):
            raise DACError(f"simulation must be 'levels' or 'bits', got {simulation!r}")
        self.simulation = simulation
        self.cutoff = int(cutoff) if cutoff is not None else 10 * self.n * self.n
        if instances is None:
            instances = leadingones_instances(self.n)
        for inst in instances.train + instances.test:
            if getattr(inst, "n", None) != self.n:
                raise DACError(f"instance {inst.name} is not a LeadingOnes instance with n={self.n}")
        space = ConfigurationSpace(seed=0)
        space.add(OrdinalHyperparameter("k", list(self.portfolio)))
        obs_space = gym.spaces.Box(0.0, float(self.n), shape=(2,), dtype=np.float32)
        super().__init__(instances, space, obs_space, split=split, order=order)
        self._q = [[improvement_probability(self.n, i, k) for k in self.portfolio] for i in range(self.n)]
        self._buf: list[float] = []
        self._pos = 0
        self._buf_source: Any = None

    def _uniform(self) -> float:
        # uniforms are drawn from np_random in blocks; a re-seeded generator starts a new block
        if self._pos >= len(self._buf):
            self._buf = self.np_random.random(1024).tolist()
            self._pos = 0
        u = self._buf[self._pos]
        self._pos += 1
        return u

    def _start(self, instance: DACInstance) -> Any:
        assert isinstance(instance, LeadingOnesInstance)
        if self._buf_source is not self.np_random:
            self._buf, self._pos, self._buf_source = [], 0, self.np_random
        self.evaluations = 0
        n = self.n
        if self.simulation == "bits":
            rng = self.np_random
            self._x = rng.random(n) < 0.5
            if instance.initial_fitness is not None:
                self._x[: instance.initial_fitness] = True
                if instance.initial_fitness < n:
                    self._x[instance.initial_fitness] = False
            self.f = _leading_ones(self._x)
        elif instance.initial_fitness is not None:
            self.f = int(instance.initial_fitness)
        else:
            f = 0
            while f < n and self._uniform() < 0.5:
                f += 1
            self.f = f
        return np.array((n, self.f), dtype=np.float32)

    def _advance(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        a = int(action)
        n = self.n
        f = self.f
        if f >= n:
            return np.array((n, f), dtype=np.float32), 0.0, True, False, {"evaluations": self.evaluations}
        self.evaluations += 1
        if self.simulation == "bits":
            f = self._bits_step(self.portfolio[a])
        elif self._uniform() < self._q[f][a]:
            f += 1
            while f < n and self._uniform() < 0.5:
                f += 1
        self.f = f
        terminated = f >= n
        truncated = not terminated and self.evaluations >= self.cutoff
        info = {"evaluations": self.evaluations, "fitness": f}
        return np.array((n, f), dtype=np.float32), -1.0, terminated, truncated, info

    def _bits_step(self, k: int) -> int:
        y = self._x.copy()
        y[self.np_random.choice(self.n, size=k, replace=False)] ^= True
        fy = _leading_ones(y)
        if fy >= self.f:
            self._x = y
            return fy
        return self.f

    def tabular_state(self, obs: Any) -> int:
        return int(obs[1])

    def potential(self, obs: Any) -> float:
        """Shaping potential for learners: the fitness f(x)."""
        return float(obs[1])

    def feature(self, name: str, obs: Any) -> Any:
        if name == "fitness":
            return float(obs[1])
        if name == "fitness_fraction":
            return float(obs[1]) / self.n
        return super().feature(name, obs)

    # --- exact evaluation -------------------------------------------------------------------------
    def policy_ks(self, policy: Policy) -> list[int]:
        """The k a Markov policy plays at each fitness level 0..n-1 (queried on synthetic observations)."""
        if not policy.markov or policy.oracle:
            raise DACError("only Markov, non-oracle policies have an exact LeadingOnes evaluation")
        policy.reset(self)
        return [self.portfolio[int(policy.act(np.array((self.n, i), dtype=np.float32)))] for i in range(self.n)]

    def exact_return(self, policy: Policy, instance: DACInstance) -> float:
        """Exact expected return (minus expected evaluations) of a Markov policy on ``instance``."""
        assert isinstance(instance, LeadingOnesInstance)
        return -expected_evaluations(self.n, self.policy_ks(policy), instance.initial_fitness)

    def batch_returns(self, policy: Policy, instance: DACInstance, episodes: int, rng: np.random.Generator) -> np.ndarray:
        """Returns of ``episodes`` runs of a Markov policy from the vectorised simulator (exact in distribution).

        Episodes are truncated at ``cutoff`` evaluations like the env's (an episode that visits a level
        the policy never leaves gets ``-cutoff``).
        """
        assert isinstance(instance, LeadingOnesInstance)
        ks = self.policy_ks(policy)
        return -simulate_evaluations(self.n, ks, episodes, rng, instance.initial_fitness, cutoff=self.cutoff)

    def reference_returns(self, instance: DACInstance) -> dict[str, float]:
        """Exact expected returns of the uniformly random policy and of the optimal K-restricted policy."""
        assert isinstance(instance, LeadingOnesInstance)
        f0 = instance.initial_fitness
        return {
            "random": -random_policy_evaluations(self.n, self.portfolio, f0),
            "optimal": -expected_evaluations(self.n, best_portfolio_policy(self.n, self.portfolio), f0),
        }


def _leading_ones(x: np.ndarray) -> int:
    zeros = np.flatnonzero(~x)
    return int(zeros[0]) if len(zeros) else len(x)


class LeadingOnesTablePolicy(Policy):
    """Plays a fixed k per fitness level (the optimal and theory policies are of this kind)."""

    kind = "leadingones_table"

    def __init__(self, rule: str) -> None:
        self.rule = rule

    def reset(self, env: Any) -> None:
        super().reset(env)
        if self.rule == "optimal":
            ks = best_portfolio_policy(env.n, env.portfolio)
        else:
            ks = theory_policy(env.n, env.portfolio)
        index = {k: a for a, k in enumerate(env.portfolio)}
        self._actions = [index[k] for k in ks] + [0]

    def act(self, obs: Any) -> Any:
        return self._actions[int(obs[1])]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "named", "benchmark": "leadingones", "name": self.rule}
