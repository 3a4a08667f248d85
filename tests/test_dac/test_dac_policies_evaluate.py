"""Policies (JSON round trips, binned and threshold families), evaluation statistics and traces."""

import json

import numpy as np
import pytest

from algoconf.dac import evaluate_policy, make_env, named_policy
from algoconf.dac.evaluate import episode_seed, mean_ci95, run_episode
from algoconf.dac.policies import (
    BinnedFamily,
    BinnedPolicy,
    RandomPolicy,
    SchedulePolicy,
    StaticPolicy,
    TablePolicy,
    ThresholdFamily,
    load_policy,
    policy_from_dict,
    save_policy,
)
from algoconf.errors import DACError, PolicyFileError


@pytest.mark.parametrize(
    "policy",
    [
        StaticPolicy({"k": 4}),
        RandomPolicy(7),
        SchedulePolicy([{"k": 16}, {"k": 1}]),
        BinnedPolicy("fitness", [10.0, 30.0], [16, 4, 1]),
        TablePolicy({0: {"k": 16}, 1: {"k": 8}}, {"k": 1}),
        named_policy("leadingones", "optimal"),
    ],
)
def test_policies_round_trip_through_json(tmp_path, policy):
    path = tmp_path / "p.json"
    save_policy(policy, path, benchmark="leadingones-v1")
    again = load_policy(path, benchmark="leadingones-v1")
    assert again.to_dict() == policy.to_dict()
    env = make_env("leadingones", n=40)
    a, _, _ = run_episode(env, policy, seed=3)
    b, _, _ = run_episode(env, again, seed=3)
    assert a == b


def test_policy_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"benchmark": "luby-v1",\n "policy": }')
    with pytest.raises(PolicyFileError, match="bad.json:2"):
        load_policy(bad)
    other = tmp_path / "other.json"
    save_policy(StaticPolicy({"exponent": 0}), other, benchmark="luby-v1")
    with pytest.raises(PolicyFileError, match="luby-v1"):
        load_policy(other, benchmark="leadingones-v1")
    with pytest.raises(PolicyFileError):
        policy_from_dict({"kind": "nosuch"})
    with pytest.raises(DACError):
        BinnedPolicy("fitness", [3.0, 1.0], [1, 2, 3])


def test_binned_policy_bins_and_per_dimension_features():
    env = make_env("leadingones", n=50)
    policy = BinnedPolicy("fitness", [10.0, 30.0], [16, 4, 1])
    policy.reset(env)
    assert [env.codec.decode(policy.act(np.array([50, f], dtype=np.float32)))["k"] for f in (0, 9, 10, 29, 30, 49)] == [16, 16, 4, 4, 1, 1]
    sig = make_env("sigmoid", dim=2)
    obs, _ = sig.reset(seed=0)
    policy = BinnedPolicy("logit", [-1.0, 1.0], [0, 1, 2])
    policy.reset(sig)
    z = sig.feature("logit", obs)
    expected = [int(np.searchsorted([-1.0, 1.0], v, side="right")) for v in z]
    assert policy.act(obs).tolist() == expected


def test_threshold_family_sorts_cut_points():
    fam = ThresholdFamily("fitness", [16, 8, 1], 0.0, 50.0)
    policy = fam.build({"cut_1": 30.0, "cut_2": 10.0})
    assert policy.edges == [10.0, 30.0] and policy.values == [16, 8, 1]
    fam = BinnedFamily("fitness", [5.0], value_range=(0.5, 2.0, True), base=[1.0, 4.0], clip=(1.0, 6.0))
    assert fam.build({"bin_00": 0.5, "bin_01": 2.0}).values == [1.0, 6.0]


def test_mean_ci95_uses_t_quantiles():
    mean, (lo, hi) = mean_ci95([1.0, 2.0, 3.0])
    assert mean == 2.0 and hi - mean == pytest.approx(4.303 * 1.0 / np.sqrt(3), rel=1e-4)
    assert mean_ci95([5.0]) == (5.0, (5.0, 5.0))


def test_train_and_test_seeds_are_disjoint():
    train = {episode_seed(0, "train", j) for j in range(500)}
    test = {episode_seed(0, "test", j) for j in range(500)}
    assert not train & test


def test_evaluation_uses_returns_not_last_rewards_and_writes_traces(tmp_path):
    env = make_env("luby")
    trace = tmp_path / "trace.jsonl"
    result = evaluate_policy(env, StaticPolicy({"exponent": 0}), episodes=2, trace=trace)
    assert result.mean_return == -3.0  # the last step's reward alone would be 0
    lines = [json.loads(line) for line in trace.read_text().splitlines()]
    steps = [l for l in lines if "t" in l]
    ends = [l for l in lines if "episode_end" in l]
    assert len(steps) == 16 and len(ends) == 2
    assert steps[2]["action"] == {"exponent": 0} and steps[2]["reward"] == -1.0
    assert ends[0]["return"] == -3.0


def test_evaluation_is_reproducible_and_splits_differ():
    env = make_env("leadingones", n=30)
    policy = named_policy("leadingones", "optimal")
    a = evaluate_policy(env, policy, episodes=20, seed=4)
    b = evaluate_policy(env, policy, episodes=20, seed=4)
    c = evaluate_policy(env, policy, episodes=20, seed=4, split="train")
    assert a.returns == b.returns and a.returns != c.returns
