"""Sigmoid: follow d sigmoid curves with discrete actions (Biedenkapp et al., ECAI 2020; DACBench).

An instance has, per dimension i, a shift s_i and a slope a_i; the target at step t (1-based, after
the step counter advances, t = 1..T) is ``sig_i(t) = 1 / (1 + exp(-a_i (t - s_i)))``. The action
holds one index per dimension in 0..M-1, standing for the value ``v_i = index / (M - 1)``.

Rewards (a version never changes):

* ``sigmoid-v1`` (DACBench's original): ``prod_i (1 - |sig_i(t) - v_i|)`` — in [0, 1];
* ``sigmoid-v2`` (DACBench 0.5.6 FunctionApproximation): ``mean_i exp(-|sig_i(t) - v_i|)`` (all
  importance weights 1).

Observation (float32): remaining steps, then (shift, slope) per dimension, then the last action per
dimension (-1 before the first step). Episodes have T steps (default 10). Instances: shifts uniform in
[0, T], slopes ±U(0.25, 2) (sign uniform), drawn by a seeded generator (train seed 0, test seed 1),
rounded to float32 so the observation holds them exactly.

Both rewards are maximised step by step by the nearest value to the target (the optimal policy);
the expected return of the uniformly random policy is exact too (dimensions are independent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from ConfigSpace import ConfigurationSpace, UniformIntegerHyperparameter

from algoconf.dac.env import DACEnv, DACInstance, InstanceSplit
from algoconf.dac.policies import Policy
from algoconf.errors import DACError

__all__ = ["SigmoidInstance", "SigmoidEnv", "SigmoidEnvV2", "sigmoid_instances", "SigmoidOptimalPolicy"]

SLOPE_MAX = 2.0


@dataclass(frozen=True)
class SigmoidInstance(DACInstance):
    """Shifts and slopes, one per dimension."""

    shifts: tuple[float, ...]
    slopes: tuple[float, ...]


def sigmoid_instances(dim: int = 1, steps: int = 10, count: int = 300, seeds: tuple[int, int] = (0, 1)) -> InstanceSplit:
    """Seeded train and test sets of ``count`` instances each."""
    sets = []
    for split, seed in zip(("train", "test"), seeds):
        rng = np.random.default_rng([seed, dim, steps])
        shifts = rng.uniform(0.0, steps, size=(count, dim)).astype(np.float32)
        slopes = (rng.choice([-1.0, 1.0], size=(count, dim)) * rng.uniform(0.25, SLOPE_MAX, size=(count, dim))).astype(np.float32)
        sets.append(
            tuple(
                SigmoidInstance(f"sig{dim}d-{split}-{j:03d}", tuple(map(float, shifts[j])), tuple(map(float, slopes[j])))
                for j in range(count)
            )
        )
    return InstanceSplit(*sets)


def _targets(instance: SigmoidInstance, steps: int) -> np.ndarray:
    t = np.arange(1, steps + 1, dtype=np.float64)[:, None]
    shifts = np.asarray(instance.shifts)[None, :]
    slopes = np.asarray(instance.slopes)[None, :]
    return 1.0 / (1.0 + np.exp(-slopes * (t - shifts)))


class SigmoidEnv(DACEnv):
    """Sigmoid with the product reward (``sigmoid-v1``); see the module docstring."""

    benchmark = "sigmoid"
    version = 1
    reward_semantics = "prod_i (1 - |sig_i(t) - a_i/(M-1)|) per step, t = 1..T; return = sum over the T steps"
    features = ("logit",)
    deterministic = True

    def __init__(
        self,
        dim: int = 1,
        actions: int = 3,
        steps: int = 10,
        *,
        instances: InstanceSplit | None = None,
        split: str = "train",
        order: str = "round_robin",
    ) -> None:
        if dim < 1 or actions < 2 or steps < 1:
            raise DACError(f"need dim >= 1, actions >= 2, steps >= 1; got {dim}, {actions}, {steps}")
        self.dim, self.n_actions, self.steps = int(dim), int(actions), int(steps)
        instances = instances or sigmoid_instances(self.dim, self.steps)
        for inst in instances.train + instances.test:
            if len(getattr(inst, "shifts", ())) != self.dim:
                raise DACError(f"instance {inst.name} is not a {self.dim}-D sigmoid instance")
        space = ConfigurationSpace(seed=0)
        width = len(str(self.dim))
        space.add([UniformIntegerHyperparameter(f"a{i:0{width}d}", 0, self.n_actions - 1) for i in range(self.dim)])
        low = np.array([0.0] + [0.0, -SLOPE_MAX] * self.dim + [-1.0] * self.dim, dtype=np.float32)
        high = np.array([float(self.steps)] + [float(self.steps), SLOPE_MAX] * self.dim + [self.n_actions - 1.0] * self.dim, dtype=np.float32)
        super().__init__(instances, space, gym.spaces.Box(low, high, dtype=np.float32), split=split, order=order)
        self._scale = 1.0 / (self.n_actions - 1)
        self._cache: dict[str, list[list[float]]] = {}

    def _start(self, instance: DACInstance) -> Any:
        assert isinstance(instance, SigmoidInstance)
        table = self._cache.get(instance.name)
        if table is None:
            table = self._cache[instance.name] = _targets(instance, self.steps).tolist()
        self._table = table
        self._t = 0
        head = [float(self.steps)]
        for s, a in zip(instance.shifts, instance.slopes):
            head += [s, a]
        self._head = head
        return np.array(head + [-1.0] * self.dim, dtype=np.float32)

    def _reward(self, target: list[float], values: list[float]) -> float:
        r = 1.0
        for y, v in zip(target, values):
            r *= 1.0 - abs(y - v)
        return r

    def _advance(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        if self.dim == 1:
            idx = [float(int(action))]
        else:
            idx = [float(a) for a in np.asarray(action).reshape(-1)]
        scale = self._scale
        t = self._t
        reward = self._reward(self._table[t], [a * scale for a in idx])
        t += 1
        self._t = t
        head = self._head
        head[0] = float(self.steps - t)
        return np.array(head + idx, dtype=np.float32), reward, t >= self.steps, False, {}

    def feature(self, name: str, obs: Any) -> Any:
        if name == "logit":
            t = self.steps - float(obs[0]) + 1.0
            d = self.dim
            shifts = np.asarray(obs[1 : 1 + 2 * d : 2], dtype=np.float64)
            slopes = np.asarray(obs[2 : 2 + 2 * d : 2], dtype=np.float64)
            z = slopes * (t - shifts)
            return float(z[0]) if d == 1 else z
        return super().feature(name, obs)

    # --- exact references -------------------------------------------------------------------------
    def _per_step(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = np.arange(self.n_actions) * self._scale
        dist = np.abs(targets[:, :, None] - values[None, None, :])  # (T, d, M)
        factor = self._reward_terms(dist)
        best = factor.max(axis=2)
        mean = factor.mean(axis=2)
        return self._combine(best), self._combine(mean)

    def _reward_terms(self, dist: np.ndarray) -> np.ndarray:
        return 1.0 - dist

    def _combine(self, terms: np.ndarray) -> np.ndarray:
        return terms.prod(axis=1)

    def reference_returns(self, instance: DACInstance) -> dict[str, float]:
        """Exact returns of the optimal policy and expected return of the uniformly random one."""
        assert isinstance(instance, SigmoidInstance)
        best, mean = self._per_step(_targets(instance, self.steps))
        return {"random": float(mean.sum()), "optimal": float(best.sum())}


class SigmoidEnvV2(SigmoidEnv):
    """Sigmoid with the mean-exp reward of DACBench 0.5.6 (``sigmoid-v2``)."""

    version = 2
    reward_semantics = "mean_i exp(-|sig_i(t) - a_i/(M-1)|) per step, t = 1..T; return = sum over the T steps"

    def _reward(self, target: list[float], values: list[float]) -> float:
        return sum(math.exp(-abs(y - v)) for y, v in zip(target, values)) / len(values)

    def _reward_terms(self, dist: np.ndarray) -> np.ndarray:
        return np.exp(-dist)

    def _combine(self, terms: np.ndarray) -> np.ndarray:
        return terms.mean(axis=1)


class SigmoidOptimalPolicy(Policy):
    """The value nearest to each dimension's target (optimal for both rewards; reads only observations)."""

    kind = "sigmoid_optimal"

    def reset(self, env: Any) -> None:
        super().reset(env)
        self._m = env.n_actions - 1

    def act(self, obs: Any) -> Any:
        z = np.atleast_1d(self.env.feature("logit", obs))
        target = 1.0 / (1.0 + np.exp(-z))
        idx = np.clip(np.rint(target * self._m), 0, self._m).astype(np.int64)
        return int(idx[0]) if self.env.dim == 1 else idx

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "named", "benchmark": "sigmoid", "name": "optimal"}
