"""The DAC environment API: a ``gymnasium.Env`` with typed instances, splits, and versioned rewards.

Contracts
---------
* A benchmark is named ``"<benchmark>-v<version>"`` (``DACEnv.id``). The reward of a version never
  changes; a new reward is a new version (``sigmoid-v1`` is DACBench's original product reward,
  ``sigmoid-v2`` the mean-exp reward of DACBench 0.5.6). ``reward_semantics`` documents it.
* Instances are frozen dataclasses (subclasses of :class:`DACInstance`) with a unique ``name``; an
  :class:`InstanceSplit` holds a train and a test tuple, usually made by a seeded generator.
* ``reset(seed=..., options={"instance": name | index | DACInstance})`` pins the instance; without
  a pin the next one comes from the active split in ``order`` ("round_robin" or "random").
  ``reset(seed=s)`` restarts that stream (the round-robin cursor goes back to the first instance and
  the random order is re-seeded with ``s``), so a seeded reset is fully reproducible; later resets
  without a seed walk on. ``info["instance"]`` names the instance.
* The action space is generated from a ConfigSpace space (:class:`ActionCodec`): one parameter gives
  its own space (``Discrete`` for categorical/ordinal/integer, ``Box(0, 1)`` of shape (1,) for a
  float: the unit interval mapped linearly, or logarithmically for a log-scaled parameter, onto the
  parameter's range), several discrete ones a ``MultiDiscrete``, mixed ones a ``Dict``.
  ``decode``/``encode`` map between gym actions and configurations.
* All randomness of an episode comes from ``self.np_random`` (seeded through ``reset(seed=...)``),
  so the same seed and the same actions give the same trajectory.
"""

from __future__ import annotations

import abc
import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Generic, Mapping, TypeVar

import gymnasium as gym
import numpy as np
from ConfigSpace import (
    CategoricalHyperparameter,
    ConfigurationSpace,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from algoconf.errors import DACError

__all__ = ["DACInstance", "InstanceSplit", "ActionCodec", "DACEnv", "INSTANCE_ORDERS", "SPLITS"]

INSTANCE_ORDERS = ("round_robin", "random")
SPLITS = ("train", "test")


@dataclass(frozen=True)
class DACInstance:
    """One instance of a benchmark (a context of the contextual MDP); subclasses add typed fields."""

    name: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


InstanceT = TypeVar("InstanceT", bound=DACInstance)


@dataclass(frozen=True)
class InstanceSplit(Generic[InstanceT]):
    """Train and test instances of one benchmark; names are unique within each split."""

    train: tuple[InstanceT, ...]
    test: tuple[InstanceT, ...]

    def __post_init__(self) -> None:
        for split in SPLITS:
            items = getattr(self, split)
            if not items:
                raise DACError(f"the {split} instance set is empty")
            names = [inst.name for inst in items]
            if len(set(names)) != len(names):
                raise DACError(f"the {split} instance set has duplicate names")

    def get(self, split: str) -> tuple[InstanceT, ...]:
        if split not in SPLITS:
            raise DACError(f"unknown instance split {split!r}; expected one of {SPLITS}")
        return getattr(self, split)


class ActionCodec:
    """Maps a ConfigSpace space (no conditions) to a gymnasium space and back."""

    def __init__(self, space: ConfigurationSpace) -> None:
        if len(list(space.conditions)) > 0 or len(list(space.forbidden_clauses)) > 0:
            raise DACError("action spaces with conditions or forbiddens are not supported")
        self.space = space
        self.params = list(space.values())
        if not self.params:
            raise DACError("an action space needs at least one parameter")
        self._subspaces = [self._subspace(p) for p in self.params]
        discrete = [s for s in self._subspaces if isinstance(s, gym.spaces.Discrete)]
        self.discrete = len(discrete) == len(self._subspaces)
        if len(self.params) == 1:
            self.gym_space: gym.Space = self._subspaces[0]
        elif self.discrete:
            self.gym_space = gym.spaces.MultiDiscrete([s.n for s in discrete])
        else:
            self.gym_space = gym.spaces.Dict({p.name: s for p, s in zip(self.params, self._subspaces)})

    @staticmethod
    def _subspace(param: Any) -> gym.Space:
        if isinstance(param, CategoricalHyperparameter):
            return gym.spaces.Discrete(len(param.choices))
        if isinstance(param, OrdinalHyperparameter):
            return gym.spaces.Discrete(len(param.sequence))
        if isinstance(param, UniformIntegerHyperparameter):
            return gym.spaces.Discrete(int(param.upper) - int(param.lower) + 1)
        if isinstance(param, UniformFloatHyperparameter):
            return gym.spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32)
        raise DACError(f"parameter {param.name!r} of type {type(param).__name__} cannot be an action")

    @staticmethod
    def _value(param: Any, part: Any) -> Any:
        if isinstance(param, CategoricalHyperparameter):
            return _plain(param.choices[int(part)])
        if isinstance(param, OrdinalHyperparameter):
            return _plain(param.sequence[int(part)])
        if isinstance(param, UniformIntegerHyperparameter):
            return int(param.lower) + int(part)
        u = min(max(float(np.asarray(part, dtype=np.float64).reshape(-1)[0]), 0.0), 1.0)
        low, high = float(param.lower), float(param.upper)
        if param.log:
            return float(min(max(low * (high / low) ** u, low), high))
        return low + u * (high - low)

    @staticmethod
    def _part(param: Any, value: Any) -> Any:
        if isinstance(param, CategoricalHyperparameter):
            return list(map(_plain, param.choices)).index(_plain(value))
        if isinstance(param, OrdinalHyperparameter):
            return list(map(_plain, param.sequence)).index(_plain(value))
        if isinstance(param, UniformIntegerHyperparameter):
            return int(value) - int(param.lower)
        low, high, x = float(param.lower), float(param.upper), float(value)
        if not low <= x <= high:
            raise ValueError(f"{param.name}={x} outside [{low}, {high}]")
        u = math.log(x / low) / math.log(high / low) if param.log else (x - low) / (high - low)
        return np.array([u], dtype=np.float32)

    def decode(self, action: Any) -> dict[str, Any]:
        """The configuration (parameter name -> value) a gym action stands for."""
        if len(self.params) == 1:
            return {self.params[0].name: self._value(self.params[0], action)}
        if self.discrete:
            parts = np.asarray(action).reshape(-1)
            return {p.name: self._value(p, parts[i]) for i, p in enumerate(self.params)}
        return {p.name: self._value(p, action[p.name]) for p in self.params}

    def encode(self, config: Mapping[str, Any]) -> Any:
        """The gym action of a configuration (inverse of :meth:`decode`)."""
        try:
            parts = [self._part(p, config[p.name]) for p in self.params]
        except (KeyError, ValueError) as err:
            raise DACError(f"configuration {dict(config)!r} is not an action of this space: {err}") from err
        if len(self.params) == 1:
            return parts[0]
        if self.discrete:
            return np.array(parts, dtype=np.int64)
        return {p.name: part for p, part in zip(self.params, parts)}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


class DACEnv(gym.Env, abc.ABC):
    """Base of every algoconf DAC environment.

    Subclasses set the class attributes, build the action space from a ConfigSpace space, and
    implement :meth:`_start` (begin an episode on an instance, return the first observation) and
    :meth:`_advance` (one step: ``obs, reward, terminated, truncated, info``).

    Capabilities (class attributes): ``counts_evaluations`` (``info["evaluations"]`` holds the
    target algorithm's function evaluations so far), ``tabular`` (``tabular_state(obs)`` gives a small
    hashable state for tabular learners), ``deterministic`` (transitions and rewards do not depend on
    the seed, so one episode of a deterministic policy on an instance gives its exact return).
    Optional methods: ``reference_returns(instance)`` (exact expected returns of the random and the
    optimal policy), ``exact_return(policy, instance)`` (exact expected return of a Markov policy),
    ``batch_returns(policy, instance, episodes, rng)`` (a fast vectorised simulator, exact in
    distribution).
    """

    benchmark: ClassVar[str] = ""
    version: ClassVar[int] = 1
    reward_semantics: ClassVar[str] = ""
    counts_evaluations: ClassVar[bool] = False
    tabular: ClassVar[bool] = False
    deterministic: ClassVar[bool] = False
    metadata: dict[str, Any] = {"render_modes": []}  # gymnasium.Env declares it an instance attribute

    def __init__(
        self,
        instances: InstanceSplit,
        action_config_space: ConfigurationSpace,
        observation_space: gym.Space,
        *,
        split: str = "train",
        order: str = "round_robin",
    ) -> None:
        if order not in INSTANCE_ORDERS:
            raise DACError(f"unknown instance order {order!r}; expected one of {INSTANCE_ORDERS}")
        self.instances = instances
        self.codec = ActionCodec(action_config_space)
        self.action_space = self.codec.gym_space
        self.observation_space = observation_space
        self.order = order
        self._split = "train"
        self.use_split(split)
        self._order_rng = np.random.default_rng(0)
        self.instance: DACInstance | None = None
        self._done = True

    # --- identity ---------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return f"{self.benchmark}-v{self.version}"

    @property
    def split(self) -> str:
        return self._split

    def use_split(self, split: str) -> None:
        """Draw the following episodes' instances from ``split`` ("train" or "test")."""
        self._active = self.instances.get(split)
        self._split = split
        self._cursor = 0

    @property
    def active_instances(self) -> tuple[DACInstance, ...]:
        return self._active

    # --- gymnasium API ----------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: Mapping[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None:  # a seed restarts the instance stream too, so seeded resets are reproducible
            self._order_rng = np.random.default_rng(seed)
            self._cursor = 0
        pin = (options or {}).get("instance")
        if pin is not None:
            instance = self.find_instance(pin)
        elif self.order == "random":
            instance = self._active[int(self._order_rng.integers(len(self._active)))]
        else:
            instance = self._active[self._cursor % len(self._active)]
            self._cursor += 1
        self.instance = instance
        self._done = False
        obs = self._start(instance)
        return obs, {"instance": instance.name}

    def step(self, action: Any):
        if self._done:
            raise DACError("step() called on a finished episode; call reset() first")
        obs, reward, terminated, truncated, info = self._advance(action)
        if terminated or truncated:
            self._done = True
        return obs, reward, terminated, truncated, info

    def find_instance(self, pin: Any) -> DACInstance:
        """The instance named ``pin`` (searched in the active split first), or at index ``pin``."""
        if isinstance(pin, DACInstance):
            return pin
        if isinstance(pin, (int, np.integer)) and not isinstance(pin, bool):
            if not 0 <= int(pin) < len(self._active):
                raise DACError(f"instance index {pin} out of range 0..{len(self._active) - 1}")
            return self._active[int(pin)]
        for split in (self._split, *[s for s in SPLITS if s != self._split]):
            for inst in self.instances.get(split):
                if inst.name == pin:
                    return inst
        raise DACError(f"unknown instance {pin!r} of benchmark {self.id}")

    # --- subclass hooks ---------------------------------------------------------------------------
    @abc.abstractmethod
    def _start(self, instance: DACInstance) -> Any:
        """Begin an episode on ``instance`` (randomness from ``self.np_random``); the first observation."""

    @abc.abstractmethod
    def _advance(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """One step of the target algorithm under ``action``."""

    features: ClassVar[tuple[str, ...]] = ()

    def tabular_state(self, obs: Any) -> Any:
        """A small hashable state for tabular learners (envs with ``tabular = True``)."""
        raise DACError(f"{self.id} has no tabular state")

    def potential(self, obs: Any) -> float:
        """Progress of a state, for reward shaping of tabular learners (bonus Φ(s') − Φ(s))."""
        raise DACError(f"{self.id} has no potential for reward shaping")

    def feature(self, name: str, obs: Any) -> Any:
        """A named state feature computed from an observation (for binned/threshold policies).

        Returns a float, or an array with one entry per action parameter. ``features`` lists the names.
        """
        raise DACError(f"{self.id} has no feature {name!r}; it has {list(self.features)}")

    def describe(self) -> dict[str, Any]:
        """A JSON-serialisable description (id, reward semantics, spaces, instance counts)."""
        return {
            "id": self.id,
            "reward": self.reward_semantics,
            "action_space": repr(self.action_space),
            "observation_space": repr(self.observation_space),
            "train_instances": len(self.instances.train),
            "test_instances": len(self.instances.test),
        }
