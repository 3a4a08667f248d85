"""Run algoconf policies, evaluation and policy search on DACBench environments (optional).

``from_dacbench(env)`` wraps a DACBench environment (``dacbench`` must be importable; it is not a
dependency of algoconf) so that everything written for :class:`~algoconf.dac.env.DACEnv` works on
it: :func:`~algoconf.dac.evaluate.evaluate_policy` (episode returns with CIs, traces),
static/schedule/random/table policies, and :func:`~algoconf.dac.search.search_objective` with any
algoconf tuner.

What the adapter adds on top of DACBench:

* instances as :class:`DACBenchInstance` (name = DACBench instance id, ``data`` = the instance's
  fields), train/test from ``instance_set``/``test_set``, and pinning through
  ``reset(options={"instance": name})`` — DACBench's own envs ignore ``options`` in ``reset``, so the
  adapter moves the round-robin cursor to the instance before it resets;
* an action codec over the env's ``Discrete``/``MultiDiscrete`` action space (parameters ``action``
  or ``a0``, ``a1``, ...; other action spaces raise :class:`~algoconf.errors.DACError`);
* the id ``dacbench-<EnvClass>`` with the DACBench version in the reward semantics, since DACBench
  changes rewards between releases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import gymnasium as gym
from ConfigSpace import ConfigurationSpace, UniformIntegerHyperparameter

from algoconf.dac.env import ActionCodec, DACInstance, InstanceSplit
from algoconf.errors import DACError

__all__ = ["DACBenchInstance", "DACBenchAdapter", "from_dacbench"]


@dataclass(frozen=True)
class DACBenchInstance(DACInstance):
    """A DACBench instance: its id as the name, its fields as a read-only mapping."""

    key: Any = None
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


def _codec(space: gym.Space) -> ActionCodec:
    cs = ConfigurationSpace(seed=0)
    if isinstance(space, gym.spaces.Discrete):
        cs.add(UniformIntegerHyperparameter("action", 0, int(space.n) - 1))
    elif isinstance(space, gym.spaces.MultiDiscrete) and space.nvec.ndim == 1:
        width = len(str(len(space.nvec)))
        cs.add([UniformIntegerHyperparameter(f"a{i:0{width}d}", 0, int(n) - 1) for i, n in enumerate(space.nvec)])
    else:
        raise DACError(f"the DACBench adapter supports Discrete and MultiDiscrete actions, not {space!r}")
    return ActionCodec(cs)


def _instances(raw: Any, split: str) -> tuple[DACBenchInstance, ...]:
    if not raw:
        return ()
    items = raw.items() if hasattr(raw, "items") else enumerate(raw)
    out = []
    for key, inst in items:
        fields = dict(vars(inst)) if hasattr(inst, "__dict__") else {"value": inst}
        out.append(DACBenchInstance(f"{split}-{key}", key, fields))
    return tuple(out)


class DACBenchAdapter(gym.Env):
    """A DACBench env seen through algoconf's DAC environment interface (see the module doc)."""

    counts_evaluations = False
    tabular = False
    deterministic = False
    features: tuple[str, ...] = ()
    metadata = {"render_modes": []}

    def __init__(self, env: Any) -> None:
        try:
            import dacbench
        except ImportError as err:  # pragma: no cover - the adapter is only built with dacbench present
            raise DACError("the DACBench adapter needs the 'dacbench' package") from err
        self.env = env
        self.codec = _codec(env.action_space)
        self.action_space = env.action_space
        self.observation_space = env.observation_space
        self.benchmark = f"dacbench-{type(env).__name__.lower()}"
        self.version = 0
        self.reward_semantics = f"DACBench {getattr(dacbench, '__version__', '?')} reward of {type(env).__name__}"
        train = _instances(getattr(env, "instance_set", None), "train")
        test = _instances(getattr(env, "test_set", None), "test") or tuple(
            DACBenchInstance(f"test-{i.key}", i.key, i.data) for i in train
        )
        self.instances = InstanceSplit(train, test)
        self._split = "train"
        self._active = train
        self.instance: DACInstance | None = None

    @property
    def id(self) -> str:
        return self.benchmark

    @property
    def active_instances(self) -> tuple[DACInstance, ...]:
        return self._active

    def use_split(self, split: str) -> None:
        if split == self._split:
            return
        if split == "test" and getattr(self.env, "test_set", None):
            self.env.use_test_set()
        elif split == "train" and getattr(self.env, "test", False):
            self.env.use_training_set()
        self._split = split
        self._active = self.instances.get(split)

    def find_instance(self, pin: Any) -> DACBenchInstance:
        if isinstance(pin, DACBenchInstance):
            return pin
        for inst in self.instances.train + self.instances.test:
            if inst.name == pin:
                return inst
        raise DACError(f"unknown instance {pin!r} of {self.id}")

    def reset(self, *, seed: int | None = None, options: Mapping[str, Any] | None = None):
        super().reset(seed=seed)
        pin = (options or {}).get("instance")
        env = self.env
        if pin is not None:
            inst = self.find_instance(pin)
            split = "test" if inst in self.instances.test and inst not in self.instances.train else "train"
            self.use_split(split)
            ids = list(env.instance_id_list)
            env.instance_index = (ids.index(inst.key) - 1) % len(ids)
            scheme, env.instance_updates = env.instance_updates, "round_robin"
            try:
                obs, info = env.reset(seed=seed)
            finally:
                env.instance_updates = scheme
        else:
            obs, info = env.reset(seed=seed)
        key = env.inst_id
        self.instance = next((i for i in self._active if i.key == key), None)
        info = dict(info or {})
        info["instance"] = self.instance.name if self.instance is not None else f"{self._split}-{key}"
        return obs, info

    def step(self, action: Any):
        return self.env.step(action)


def from_dacbench(env: Any) -> DACBenchAdapter:
    """Wrap a DACBench environment (e.g. ``LubyBenchmark().get_environment()``)."""
    return DACBenchAdapter(env)
