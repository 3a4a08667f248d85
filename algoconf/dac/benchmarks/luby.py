"""Luby: learn the Luby restart sequence 1,1,2,1,1,2,4,1,... (Biedenkapp et al., ECAI 2020).

At step t (0-based) of an episode on an instance with ``start_shift`` s, the correct action is
log2 of the Luby element number s + t + 1. Reward ``luby-v1``: 0 for the correct action, -1 for any
other (deterministic, no noise); the episode has ``length`` steps (DACBench's default 8; 64 is its
cutoff). Observation (float32): the last 5 actions (-1 before the first step) and the step t.
Action: the exponent 0..6 (Discrete(7), as DACBench). The optimal return is 0; a uniformly random
policy gets -length·6/7 in expectation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from ConfigSpace import ConfigurationSpace, UniformIntegerHyperparameter

from algoconf.dac.env import DACEnv, DACInstance, InstanceSplit
from algoconf.dac.policies import Policy
from algoconf.errors import DACError

__all__ = ["LubyInstance", "LubyEnv", "luby", "luby_instances", "LubyOptimalPolicy"]

HISTORY = 5
ACTIONS = 7


def luby(i: int) -> int:
    """The i-th element (1-based) of the Luby sequence."""
    if i < 1:
        raise ValueError("the Luby sequence starts at index 1")
    while True:
        k = i.bit_length()
        if i == (1 << k) - 1:
            return 1 << (k - 1)
        i -= (1 << (k - 1)) - 1


@dataclass(frozen=True)
class LubyInstance(DACInstance):
    """An episode of ``length`` steps starting at Luby element ``start_shift + 1``."""

    start_shift: int = 0
    length: int = 8


def luby_instances(length: int = 8, shifts: tuple[int, ...] = (0,)) -> InstanceSplit:
    """Train and test sets of the given start shifts (DACBench's default: one instance, shift 0)."""
    items = tuple(LubyInstance(f"luby-s{s}-l{length}", int(s), int(length)) for s in shifts)
    return InstanceSplit(items, items)


class LubyEnv(DACEnv):
    """The Luby sequence as a control problem; see the module docstring."""

    benchmark = "luby"
    version = 1
    reward_semantics = "0 when the action is log2 of the next Luby element, else -1; return = -(wrong steps)"
    tabular = True
    deterministic = True
    features = ("step",)

    def __init__(
        self,
        length: int = 8,
        *,
        instances: InstanceSplit | None = None,
        split: str = "train",
        order: str = "round_robin",
    ) -> None:
        if not 1 <= length <= 64:
            raise DACError(f"length must be in 1..64, got {length}")
        instances = instances or luby_instances(length)
        self.max_length = max(getattr(i, "length", 0) for i in instances.train + instances.test)
        self._targets: dict[tuple[int, int], list[int]] = {}
        space = ConfigurationSpace(seed=0)
        space.add(UniformIntegerHyperparameter("exponent", 0, ACTIONS - 1))
        low = np.array([-1.0] * HISTORY + [0.0], dtype=np.float32)
        high = np.array([ACTIONS - 1.0] * HISTORY + [float(self.max_length)], dtype=np.float32)
        super().__init__(instances, space, gym.spaces.Box(low, high, dtype=np.float32), split=split, order=order)

    def _start(self, instance: DACInstance) -> Any:
        assert isinstance(instance, LubyInstance)
        key = (instance.start_shift, instance.length)
        targets = self._targets.get(key)
        if targets is None:
            targets = self._targets[key] = [
                luby(instance.start_shift + t + 1).bit_length() - 1 for t in range(instance.length)
            ]
        self._target = targets
        self._t = 0
        self._hist = [-1.0] * HISTORY
        return np.array(self._hist + [0.0], dtype=np.float32)

    def _advance(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        a = int(action)
        t = self._t
        reward = 0.0 if a == self._target[t] else -1.0
        t += 1
        self._t = t
        hist = self._hist
        del hist[0]
        hist.append(float(a))
        terminated = t >= len(self._target)
        return np.array(hist + [float(t)], dtype=np.float32), reward, terminated, False, {}

    def tabular_state(self, obs: Any) -> int:
        return int(obs[-1])

    def feature(self, name: str, obs: Any) -> Any:
        if name == "step":
            return float(obs[-1])
        return super().feature(name, obs)

    def reference_returns(self, instance: DACInstance) -> dict[str, float]:
        assert isinstance(instance, LubyInstance)
        return {"random": -instance.length * (ACTIONS - 1) / ACTIONS, "optimal": 0.0}


class LubyOptimalPolicy(Policy):
    """Plays log2 of the next Luby element; an oracle (reads the instance's start shift)."""

    kind = "luby_optimal"
    markov = False
    oracle = True

    def reset(self, env: Any) -> None:
        super().reset(env)
        self._shift = env.instance.start_shift

    def act(self, obs: Any) -> Any:
        return luby(self._shift + int(obs[-1]) + 1).bit_length() - 1

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "named", "benchmark": "luby", "name": "optimal"}
