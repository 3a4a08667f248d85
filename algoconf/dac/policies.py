"""Control policies for DAC environments, and families of them parameterised by a ConfigSpace space.

Contracts
---------
* A :class:`Policy` is reset at the start of every episode with the environment (``reset(env)``)
  and then maps each observation to a gym action of that environment (``act(obs)``). Policies that
  read the current instance (oracles) say so with ``oracle = True``; every other policy sees only
  observations and the environment's constants.
* ``markov = True`` means the action is a deterministic function of the current observation, so a
  benchmark with an exact calculator may evaluate the policy exactly.
* ``to_dict()`` is JSON; :func:`policy_from_dict` / :func:`load_policy` rebuild a policy, and
  :func:`save_policy` writes ``{"benchmark": id, "policy": {...}}``.
* A :class:`PolicyFamily` turns a configuration of its ``space`` into a policy (``build``): this is
  what policy search tunes. Every configuration of the space gives a valid policy (cut points are
  sorted by the family, so no forbiddens are needed).
"""

from __future__ import annotations

import abc
import json
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping, Sequence

import gymnasium as gym
import numpy as np
from ConfigSpace import (
    CategoricalHyperparameter,
    ConfigurationSpace,
    UniformFloatHyperparameter,
)

from algoconf.errors import DACError, PolicyFileError

__all__ = [
    "Policy",
    "StaticPolicy",
    "RandomPolicy",
    "SchedulePolicy",
    "BinnedPolicy",
    "TablePolicy",
    "PolicyFamily",
    "StaticFamily",
    "ScheduleFamily",
    "ThresholdFamily",
    "BinnedFamily",
    "sample_action",
    "policy_from_dict",
    "save_policy",
    "load_policy",
    "register_named_policy",
    "register_policy_kind",
]


def sample_action(space: gym.Space, rng: np.random.Generator) -> Any:
    """A uniformly random action of ``space`` drawn from ``rng`` (the space's own RNG is untouched)."""
    if isinstance(space, gym.spaces.Discrete):
        return int(space.start) + int(rng.integers(space.n))
    if isinstance(space, gym.spaces.MultiDiscrete):
        return (rng.random(space.nvec.shape) * space.nvec).astype(np.int64)
    if isinstance(space, gym.spaces.Box):
        return rng.uniform(space.low, space.high).astype(space.dtype)
    if isinstance(space, gym.spaces.Dict):
        return {k: sample_action(s, rng) for k, s in space.spaces.items()}
    raise DACError(f"cannot sample actions of {space!r}")


class Policy(abc.ABC):
    """Maps observations of one environment to its actions."""

    kind: ClassVar[str] = ""
    markov: ClassVar[bool] = True
    oracle: ClassVar[bool] = False

    def reset(self, env: Any) -> None:
        """Called at the start of every episode, after ``env.reset``."""
        self.env = env

    @abc.abstractmethod
    def act(self, obs: Any) -> Any:
        """The action for observation ``obs``."""

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """JSON form (``{"kind": ..., ...}``) that :func:`policy_from_dict` rebuilds."""


class StaticPolicy(Policy):
    """The same configuration at every step (static algorithm configuration)."""

    kind = "static"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = dict(config)

    def reset(self, env: Any) -> None:
        super().reset(env)
        self._action = env.codec.encode(self.config)

    def act(self, obs: Any) -> Any:
        return self._action

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "config": self.config}


class RandomPolicy(Policy):
    """Uniformly random actions from its own seeded generator."""

    kind = "random"
    markov = False

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)

    def act(self, obs: Any) -> Any:
        return sample_action(self.env.action_space, self.rng)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "seed": self.seed}


class SchedulePolicy(Policy):
    """A fixed sequence of configurations, one per step (the last one repeats after the end)."""

    kind = "schedule"
    markov = False

    def __init__(self, configs: Sequence[Mapping[str, Any]]) -> None:
        if not configs:
            raise DACError("a schedule needs at least one step")
        self.configs = [dict(c) for c in configs]

    def reset(self, env: Any) -> None:
        super().reset(env)
        self._actions = [env.codec.encode(c) for c in self.configs]
        self._t = 0

    def act(self, obs: Any) -> Any:
        action = self._actions[min(self._t, len(self._actions) - 1)]
        self._t += 1
        return action

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "configs": self.configs}


class BinnedPolicy(Policy):
    """Bins a state feature and plays the value of its bin.

    ``feature`` names a feature of the environment (``env.feature(name, obs)``); ``edges`` are
    increasing cut points (bin ``b`` holds ``edges[b-1] <= x < edges[b]``); ``values`` has one value
    per bin (``len(edges) + 1``). When the feature is a vector with one entry per action parameter,
    each parameter gets the value of its own entry's bin (e.g. one sigmoid per action dimension).
    """

    kind = "binned"

    def __init__(self, feature: str, edges: Sequence[float], values: Sequence[Any]) -> None:
        self.feature = str(feature)
        self.edges = [float(e) for e in edges]
        self.values = [v.item() if hasattr(v, "item") else v for v in values]
        if len(self.values) != len(self.edges) + 1:
            raise DACError(f"a binned policy needs len(edges)+1 values, got {len(self.values)} for {len(self.edges)} edges")
        if any(b < a for a, b in zip(self.edges, self.edges[1:])):
            raise DACError("bin edges must be increasing")
        self._edges = np.asarray(self.edges, dtype=np.float64)

    def reset(self, env: Any) -> None:
        super().reset(env)
        self._names = [p.name for p in env.codec.params]
        self._cache: dict[Any, Any] = {}

    def act(self, obs: Any) -> Any:
        x = self.env.feature(self.feature, obs)
        bins = np.searchsorted(self._edges, x, side="right")
        if np.ndim(bins) == 0:
            key: Any = int(bins)
            config = {name: self.values[key] for name in self._names}
        else:
            key = tuple(int(b) for b in bins)
            config = {name: self.values[b] for name, b in zip(self._names, key)}
        action = self._cache.get(key)
        if action is None:
            action = self._cache[key] = self.env.codec.encode(config)
        return action

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "feature": self.feature, "edges": self.edges, "values": self.values}


class TablePolicy(Policy):
    """A lookup table from the environment's tabular state to a configuration (learned by Q-learning)."""

    kind = "table"

    def __init__(self, table: Mapping[Any, Mapping[str, Any]], default: Mapping[str, Any]) -> None:
        self.table = {_freeze(k): dict(v) for k, v in table.items()}
        self.default = dict(default)

    def reset(self, env: Any) -> None:
        super().reset(env)
        self._actions = {k: env.codec.encode(v) for k, v in self.table.items()}
        self._default = env.codec.encode(self.default)

    def act(self, obs: Any) -> Any:
        return self._actions.get(self.env.tabular_state(obs), self._default)

    def to_dict(self) -> dict[str, Any]:
        rows = [[_thaw(k), v] for k, v in sorted(self.table.items(), key=lambda kv: repr(kv[0]))]
        return {"kind": self.kind, "table": rows, "default": self.default}


def _freeze(key: Any) -> Any:
    return tuple(_freeze(k) for k in key) if isinstance(key, (list, tuple)) else key


def _thaw(key: Any) -> Any:
    return [_thaw(k) for k in key] if isinstance(key, tuple) else key


# --- named policies defined by benchmarks (optimal, theory, csa, ...) -------------------------------
_NAMED: dict[tuple[str, str], Callable[[], Policy]] = {}
_KINDS: dict[str, Callable[[Mapping[str, Any]], Policy]] = {}


def register_policy_kind(kind: str, from_dict: Callable[[Mapping[str, Any]], Policy]) -> None:
    """Register a benchmark-specific parameterised policy kind so that saved files of it load."""
    _KINDS[kind] = from_dict


def register_named_policy(benchmark: str, name: str, factory: Callable[[], Policy]) -> None:
    """Register a benchmark's named policy so that saved files naming it can be loaded."""
    _NAMED[(benchmark, name)] = factory


class NamedPolicy(Policy):
    """Wraps a benchmark-defined policy so that it serialises by name."""

    kind = "named"

    def __init__(self, benchmark: str, name: str, inner: Policy) -> None:
        self.benchmark, self.name, self.inner = benchmark, name, inner
        self.markov = inner.markov  # type: ignore[misc]
        self.oracle = inner.oracle  # type: ignore[misc]

    def reset(self, env: Any) -> None:
        super().reset(env)
        self.inner.reset(env)

    def act(self, obs: Any) -> Any:
        return self.inner.act(obs)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "benchmark": self.benchmark, "name": self.name}


def policy_from_dict(data: Mapping[str, Any], *, file: str | None = None) -> Policy:
    """Rebuild a policy from :meth:`Policy.to_dict` output."""
    try:
        kind = data["kind"]
        if kind == "static":
            return StaticPolicy(data["config"])
        if kind == "random":
            return RandomPolicy(int(data.get("seed", 0)))
        if kind == "schedule":
            return SchedulePolicy(data["configs"])
        if kind == "binned":
            return BinnedPolicy(data["feature"], data["edges"], data["values"])
        if kind == "table":
            return TablePolicy({_freeze(k): v for k, v in data["table"]}, data["default"])
        if kind in _KINDS:
            return _KINDS[kind](data)
        if kind == "named":
            factory = _NAMED.get((data["benchmark"], data["name"]))
            if factory is None:
                raise PolicyFileError(f"unknown named policy {data['name']!r} of {data['benchmark']!r}", file=file)
            return NamedPolicy(data["benchmark"], data["name"], factory())
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, DACError):
            raise
        raise PolicyFileError(f"invalid policy: {err!r}", file=file) from err
    raise PolicyFileError(f"unknown policy kind {kind!r}", file=file)


def save_policy(policy: Policy, path: str | Path, *, benchmark: str, meta: Mapping[str, Any] | None = None) -> None:
    """Write ``{"benchmark": id, "policy": ..., "meta": ...}`` as JSON."""
    blob = {"benchmark": benchmark, "policy": policy.to_dict(), "meta": dict(meta or {})}
    Path(path).write_text(json.dumps(blob, indent=1, sort_keys=True) + "\n")


def load_policy(path: str | Path, *, benchmark: str | None = None) -> Policy:
    """Read a policy saved by :func:`save_policy`; ``benchmark`` (an id) must match when given."""
    path = Path(path)
    try:
        blob = json.loads(path.read_text())
    except OSError as err:
        raise PolicyFileError(f"cannot read policy file: {err.strerror}", file=path) from err
    except json.JSONDecodeError as err:
        raise PolicyFileError(f"not JSON: {err.msg}", file=path, line=err.lineno) from err
    if not isinstance(blob, dict) or "policy" not in blob or "benchmark" not in blob:
        raise PolicyFileError('expected an object with "benchmark" and "policy"', file=path)
    if benchmark is not None and blob["benchmark"] != benchmark:
        raise PolicyFileError(f"policy is for {blob['benchmark']!r}, not {benchmark!r}", file=path)
    return policy_from_dict(blob["policy"], file=str(path))


# --- families: configuration space -> policy ---------------------------------------------------------
class PolicyFamily(abc.ABC):
    """A configuration space whose configurations are policies (what policy search tunes)."""

    name: ClassVar[str] = ""

    @property
    @abc.abstractmethod
    def space(self) -> ConfigurationSpace:
        """The space of policy parameters."""

    @abc.abstractmethod
    def build(self, config: Mapping[str, Any]) -> Policy:
        """The policy of a configuration of :attr:`space`."""


class StaticFamily(PolicyFamily):
    """Static policies: the action space itself (static AC as a special case of DAC)."""

    name = "static"

    def __init__(self, action_space: ConfigurationSpace) -> None:
        self._space = action_space

    @property
    def space(self) -> ConfigurationSpace:
        return self._space

    def build(self, config: Mapping[str, Any]) -> Policy:
        return StaticPolicy({k: (v.item() if hasattr(v, "item") else v) for k, v in config.items()})


class ScheduleFamily(PolicyFamily):
    """One choice per step for a single action parameter (``step_00``, ``step_01``, ...)."""

    name = "schedule"

    def __init__(self, parameter: str, choices: Sequence[Any], steps: int, seed: int = 0) -> None:
        self.parameter, self.choices, self.steps = parameter, list(choices), int(steps)
        self._space = ConfigurationSpace(seed=seed)
        self._space.add([CategoricalHyperparameter(f"step_{t:02d}", self.choices) for t in range(self.steps)])

    @property
    def space(self) -> ConfigurationSpace:
        return self._space

    def build(self, config: Mapping[str, Any]) -> Policy:
        return SchedulePolicy([{self.parameter: _py(config[f"step_{t:02d}"])} for t in range(self.steps)])


class ThresholdFamily(PolicyFamily):
    """Ordered values switched at learned cut points of a feature (``cut_1`` .. ``cut_{m-1}``).

    ``values`` are played in order as the feature grows; the cut points are sorted when the policy is
    built, so every configuration is a valid policy.
    """

    name = "threshold"

    def __init__(self, feature: str, values: Sequence[Any], low: float, high: float, seed: int = 0) -> None:
        self.feature, self.values = feature, list(values)
        if len(self.values) < 2:
            raise DACError("a threshold policy needs at least two values")
        self._space = ConfigurationSpace(seed=seed)
        self._space.add([UniformFloatHyperparameter(f"cut_{j + 1}", low, high) for j in range(len(self.values) - 1)])

    @property
    def space(self) -> ConfigurationSpace:
        return self._space

    def build(self, config: Mapping[str, Any]) -> Policy:
        cuts = sorted(float(config[f"cut_{j + 1}"]) for j in range(len(self.values) - 1))
        return BinnedPolicy(self.feature, cuts, self.values)


class BinnedFamily(PolicyFamily):
    """Fixed bins of a feature with one tuned value per bin (``bin_00`` ..).

    ``choices`` gives a categorical value per bin; ``value_range=(low, high, log)`` a float per bin.
    With ``base`` (one positive number per bin) a float parameter is a multiplier of its bin's base
    value (e.g. a theory value at the bin's centre): the policy plays ``base[b] * bin_b``; ``clip``
    bounds the played values to the action's range.
    """

    name = "binned"

    def __init__(
        self,
        feature: str,
        edges: Sequence[float],
        *,
        choices: Sequence[Any] | None = None,
        value_range: tuple[float, float, bool] | None = None,
        base: Sequence[float] | None = None,
        clip: tuple[float, float] | None = None,
        seed: int = 0,
    ) -> None:
        if (choices is None) == (value_range is None):
            raise DACError("give exactly one of choices or value_range")
        self.feature, self.edges = feature, [float(e) for e in edges]
        if base is not None and (choices is not None or len(base) != len(self.edges) + 1):
            raise DACError("base needs value_range and one value per bin")
        self.base = [float(b) for b in base] if base is not None else None
        self.clip = clip
        self._space = ConfigurationSpace(seed=seed)
        nbins = len(self.edges) + 1
        if choices is not None:
            self._space.add([CategoricalHyperparameter(f"bin_{b:02d}", list(choices)) for b in range(nbins)])
        else:
            low, high, log = value_range  # type: ignore[misc]
            self._space.add([UniformFloatHyperparameter(f"bin_{b:02d}", low, high, log=log) for b in range(nbins)])

    @property
    def space(self) -> ConfigurationSpace:
        return self._space

    def build(self, config: Mapping[str, Any]) -> Policy:
        values = [_py(config[f"bin_{b:02d}"]) for b in range(len(self.edges) + 1)]
        if self.base is not None:
            values = [v * m for v, m in zip(values, self.base)]
        if self.clip is not None:
            values = [min(max(v, self.clip[0]), self.clip[1]) for v in values]
        return BinnedPolicy(self.feature, self.edges, values)


def _py(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
