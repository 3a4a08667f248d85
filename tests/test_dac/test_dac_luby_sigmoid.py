"""Luby and Sigmoid: sequences, rewards of both versions, exact references, learned policies."""

import numpy as np
import pytest

from algoconf.dac import evaluate_policy, make_env, named_policy, q_learning, search_policy
from algoconf.dac.benchmarks.luby import luby
from algoconf.dac.policies import StaticPolicy
from algoconf.errors import DACError


def test_luby_sequence():
    assert [luby(i) for i in range(1, 16)] == [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8]


def test_luby_baselines():
    env = make_env("luby")
    assert evaluate_policy(env, named_policy("luby", "optimal"), episodes=3).mean_return == 0.0
    assert evaluate_policy(env, StaticPolicy({"exponent": 0}), episodes=3).mean_return == -3.0
    assert env.reference_returns(env.instances.test[0]) == {"random": pytest.approx(-48 / 7), "optimal": 0.0}


def test_luby_q_learning_reaches_optimal_return():
    env = make_env("luby")
    learned = q_learning(env, episodes=300, alpha=0.5, seed=0)
    result = evaluate_policy(env, learned.policy, episodes=10)
    assert result.mean_return == 0.0 and result.normalised_score == 1.0


def test_q_learning_with_shaping_needs_a_potential():
    with pytest.raises(DACError, match="luby-v1 has no potential for reward shaping"):
        q_learning(make_env("luby"), episodes=1, shaping=True)


def test_sigmoid_rewards_by_version():
    v1, v2 = make_env("sigmoid-v1"), make_env("sigmoid-v2")
    inst = v1.instances.train[0]
    for env in (v1, v2):
        env.reset(options={"instance": inst.name})
    target = 1.0 / (1.0 + np.exp(-inst.slopes[0] * (1.0 - inst.shifts[0])))
    r1 = v1.step(2)[1]
    r2 = v2.step(2)[1]
    assert r1 == pytest.approx(1.0 - abs(target - 1.0))
    assert r2 == pytest.approx(np.exp(-abs(target - 1.0)))


def test_sigmoid_2d_product_reward():
    env = make_env("sigmoid", dim=2)
    inst = env.instances.train[3]
    env.reset(options={"instance": inst.name})
    t = np.array(inst.slopes) * (1.0 - np.array(inst.shifts))
    y = 1.0 / (1.0 + np.exp(-t))
    reward = env.step(np.array([0, 1]))[1]
    assert reward == pytest.approx((1.0 - abs(y[0] - 0.0)) * (1.0 - abs(y[1] - 0.5)))


@pytest.mark.parametrize("bench", ["sigmoid-v1", "sigmoid-v2"])
def test_sigmoid_optimal_policy_reaches_exact_optimum(bench):
    env = make_env(bench, dim=2)
    result = evaluate_policy(env, named_policy(bench, "optimal"), episodes=60)
    assert result.normalised_score == pytest.approx(1.0, abs=1e-9)


def test_sigmoid_random_policy_matches_exact_random_reference():
    env = make_env("sigmoid", dim=1)
    from algoconf.dac.policies import RandomPolicy

    result = evaluate_policy(env, RandomPolicy(3), episodes=1200)
    lo, hi = result.ci95
    assert lo <= result.references["random"] <= hi


@pytest.mark.parametrize("dim", [1, 2])
def test_sigmoid_learned_threshold_policy_scores_095_on_test(dim):
    found = search_policy("sigmoid", options={"dim": dim}, tuner="random", budget=1000, seed=1, max_instances=30)
    env = make_env("sigmoid", dim=dim)
    result = evaluate_policy(env, found.policy, episodes=300, split="test")
    assert result.normalised_score >= 0.95


def test_q_learning_on_leadingones_with_progress_bonus_learns_the_policy_shape():
    env = make_env("leadingones", n=20)
    learned = q_learning(env, episodes=150, alpha=None, gamma=0.5, epsilon=0.5, epsilon_end=0.3, shaping=True, seed=0)
    from algoconf.dac.benchmarks.leadingones import best_portfolio_policy, expected_evaluations

    exact = -env.exact_return(learned.policy, env.instances.test[0])
    assert exact <= 1.15 * expected_evaluations(20, best_portfolio_policy(20, env.portfolio))
    assert learned.returns and all(r <= 0 for r in learned.returns)  # unshaped returns
