"""The environment API: action codec, instance splits, order, pinning, seeding."""

import gymnasium as gym
import numpy as np
import pytest
from ConfigSpace import (
    CategoricalHyperparameter,
    ConfigurationSpace,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from algoconf.dac import make_env
from algoconf.dac.env import ActionCodec, DACInstance, InstanceSplit
from algoconf.errors import DACError, InputError


def _space(*params):
    cs = ConfigurationSpace(seed=0)
    cs.add(list(params))
    return cs


def test_codec_single_parameters_give_their_own_space():
    codec = ActionCodec(_space(OrdinalHyperparameter("k", [1, 2, 4, 8])))
    assert codec.gym_space == gym.spaces.Discrete(4)
    assert codec.decode(2) == {"k": 4} and codec.encode({"k": 8}) == 3
    codec = ActionCodec(_space(CategoricalHyperparameter("op", ["a", "b"])))
    assert codec.decode(1) == {"op": "b"}
    codec = ActionCodec(_space(UniformIntegerHyperparameter("e", 2, 6)))
    assert codec.gym_space.n == 5 and codec.decode(0) == {"e": 2} and codec.encode({"e": 6}) == 4


def test_codec_float_is_unit_box_log_scaled():
    codec = ActionCodec(_space(UniformFloatHyperparameter("lam", 1.0, 100.0, log=True)))
    assert isinstance(codec.gym_space, gym.spaces.Box)
    assert codec.gym_space.low.tolist() == [0.0] and codec.gym_space.high.tolist() == [1.0]
    assert codec.decode(np.array([0.5], dtype=np.float32))["lam"] == pytest.approx(10.0, rel=1e-6)
    assert codec.encode({"lam": 100.0})[0] == pytest.approx(1.0)
    with pytest.raises(DACError):
        codec.encode({"lam": 1000.0})
    lin = ActionCodec(_space(UniformFloatHyperparameter("x", -1.0, 3.0)))
    assert lin.decode(np.array([0.25]))["x"] == pytest.approx(0.0)


def test_codec_several_discrete_give_multidiscrete_and_mixed_give_dict():
    codec = ActionCodec(_space(UniformIntegerHyperparameter("a0", 0, 2), UniformIntegerHyperparameter("a1", 0, 2)))
    assert isinstance(codec.gym_space, gym.spaces.MultiDiscrete)
    assert codec.decode(np.array([2, 0])) == {"a0": 2, "a1": 0}
    assert codec.encode({"a0": 1, "a1": 2}).tolist() == [1, 2]
    mixed = ActionCodec(_space(OrdinalHyperparameter("k", [1, 2]), UniformFloatHyperparameter("s", 0.0, 1.0)))
    assert isinstance(mixed.gym_space, gym.spaces.Dict)
    action = mixed.encode({"k": 2, "s": 0.5})
    assert mixed.decode(action) == pytest.approx({"k": 2, "s": 0.5})


def test_instance_split_rejects_duplicates_and_empty_sets():
    a = DACInstance("a")
    with pytest.raises(DACError):
        InstanceSplit((a, DACInstance("a")), (a,))
    with pytest.raises(DACError):
        InstanceSplit((), (a,))
    assert issubclass(DACError, InputError)


def test_round_robin_pinning_and_splits():
    env = make_env("sigmoid", dim=1)
    train = env.instances.train
    names = [env.reset(seed=3)[1]["instance"]] + [env.reset()[1]["instance"] for _ in range(3)]
    assert names == [i.name for i in train[:4]]
    _, info = env.reset(options={"instance": env.instances.test[7].name})
    assert info["instance"] == env.instances.test[7].name
    _, info = env.reset(options={"instance": 5})
    assert info["instance"] == train[5].name
    with pytest.raises(DACError):
        env.reset(options={"instance": "nope"})
    env.use_split("test")
    assert env.reset(seed=0)[1]["instance"] == env.instances.test[0].name
    with pytest.raises(DACError):
        env.use_split("validation")


def test_random_order_is_seeded():
    a = make_env("sigmoid", order="random")
    b = make_env("sigmoid", order="random")

    def seq(env):
        return [env.reset(seed=11)[1]["instance"]] + [env.reset()[1]["instance"] for _ in range(5)]

    first = seq(a)
    assert first == seq(b)
    assert len(set(first)) > 1


def test_step_after_end_raises_and_unknown_options_rejected():
    env = make_env("luby")
    env.reset(seed=0)
    for _ in range(8):
        *_, terminated, truncated, _ = env.step(0)
    assert terminated
    with pytest.raises(DACError):
        env.step(0)
    with pytest.raises(DACError):
        make_env("luby", n=3)
    with pytest.raises(DACError):
        make_env("sigmoid-v9")
    with pytest.raises(DACError):
        make_env("nosuchbench")


def test_ids_carry_versions():
    assert make_env("sigmoid").id == "sigmoid-v1"
    assert make_env("sigmoid-v2").id == "sigmoid-v2"
    assert make_env("sigmoid-v1").reward_semantics != make_env("sigmoid-v2").reward_semantics
