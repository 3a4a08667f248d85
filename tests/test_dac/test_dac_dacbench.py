"""The DACBench adapter (skips when dacbench is not installed: it is an optional ~1 GB install)."""

import pytest

dacbench = pytest.importorskip("dacbench")

from algoconf.dac.dacbench import from_dacbench  # noqa: E402
from algoconf.dac.evaluate import evaluate_policy  # noqa: E402
from algoconf.dac.policies import RandomPolicy, ScheduleFamily, SchedulePolicy, StaticFamily, StaticPolicy  # noqa: E402
from algoconf.dac.search import EpisodeObjective, search_objective  # noqa: E402


def _luby():
    from dacbench.benchmarks import LubyBenchmark

    return from_dacbench(LubyBenchmark().get_environment())


def test_adapter_evaluates_returns_not_last_rewards():
    env = _luby()
    assert env.codec.decode(3) == {"action": 3}
    static = evaluate_policy(env, StaticPolicy({"action": 0}), episodes=4, split="train")
    assert static.mean_return == -3.0  # 8-step episode, "1" wrong at steps 3, 6, 7
    optimal = SchedulePolicy([{"action": a} for a in (0, 0, 1, 0, 0, 1, 2, 0)])
    assert evaluate_policy(env, optimal, episodes=2, split="train").mean_return == 0.0
    assert evaluate_policy(env, RandomPolicy(0), episodes=30, split="train").mean_return < -3.0


def test_adapter_pins_instances():
    from dacbench.benchmarks import FunctionApproximationBenchmark

    env = from_dacbench(FunctionApproximationBenchmark().get_benchmark(dimension=1))
    names = [i.name for i in env.instances.train[:3]]
    for name in reversed(names):
        _, info = env.reset(seed=0, options={"instance": name})
        assert info["instance"] == name
    test_name = env.instances.test[2].name
    assert env.reset(seed=0, options={"instance": test_name})[1]["instance"] == test_name


def test_policy_search_on_a_dacbench_env():
    env = _luby()
    objective = EpisodeObjective.from_env(env, ScheduleFamily("action", list(range(7)), 8), method="episodes")
    found = search_objective(objective, tuner="random", budget=40, seed=0)
    assert found.runs <= 40 and found.train_cost <= 6.0
    static = search_objective(EpisodeObjective.from_env(env, StaticFamily(env.codec.space), method="episodes"),
                              tuner="random", budget=100, seed=0)
    assert static.config == {"action": 0} and static.train_cost == 3.0
