"""RLS_k on LeadingOnes: exact theory, simulators against it, learned policies against the optimum."""

import math

import numpy as np
import pytest

from algoconf.dac import evaluate_policy, make_env, named_policy, search_policy
from algoconf.dac.benchmarks.leadingones import (
    best_portfolio_policy,
    expected_evaluations,
    improvement_probability,
    random_policy_evaluations,
    simulate_evaluations,
    theory_policy,
)
from algoconf.dac.evaluate import mean_ci95
from algoconf.errors import DACError

K = (1, 2, 4, 8, 16)


def test_improvement_probability_small_case_by_enumeration():
    # n = 5, fitness 2 (x = 1 1 0 * *), k = 2: improve iff bit 3 flips and bits 1, 2 don't
    n, i, k = 5, 2, 2
    from itertools import combinations

    good = sum(1 for c in combinations(range(n), k) if i in c and all(j >= i for j in c))
    assert improvement_probability(n, i, k) == pytest.approx(good / math.comb(n, k))
    assert improvement_probability(n, n - 1, 2) == 0.0


def test_exact_values_n50():
    assert expected_evaluations(50, best_portfolio_policy(50, K)) == pytest.approx(974.9, abs=0.05)
    assert expected_evaluations(50, theory_policy(50)) == pytest.approx(969.7, abs=0.05)
    assert expected_evaluations(50, [1] * 50) == pytest.approx(1250.0)
    assert random_policy_evaluations(50, K) == pytest.approx(2701.5, abs=0.05)
    assert math.isinf(expected_evaluations(50, [2] * 50))


def test_exact_values_n100_and_unrestricted_optimum_is_floor_rule():
    assert expected_evaluations(100, best_portfolio_policy(100, K)) == pytest.approx(3902.1, abs=0.05)
    assert expected_evaluations(100, theory_policy(100)) == pytest.approx(3881.9, abs=0.05)
    for n in (50, 100, 150):
        assert best_portfolio_policy(n, range(1, n + 1)) == theory_policy(n)


def test_fixed_start_visits_its_level_surely():
    n = 10
    ks = [1] * n
    assert expected_evaluations(n, ks, initial_fitness=0) == pytest.approx(n + 0.5 * n * (n - 1))


def test_vectorised_simulation_agrees_with_exact_value():
    ks = best_portfolio_policy(50, K)
    sims = simulate_evaluations(50, ks, 20000, np.random.default_rng(1))
    mean, (lo, hi) = mean_ci95(sims)
    assert lo <= 974.8846 <= hi


def test_env_level_simulation_agrees_with_exact_value():
    env = make_env("leadingones", n=30)
    result = evaluate_policy(env, named_policy("leadingones", "optimal"), episodes=1000, seed=2)
    exact = -result.exact_return
    assert exact == pytest.approx(expected_evaluations(30, best_portfolio_policy(30, K)))
    lo, hi = result.ci95_evaluations
    assert lo <= exact <= hi
    assert result.normalised_score == pytest.approx(1.0, abs=0.1)


def test_bit_level_simulation_agrees_with_level_simulation():
    n = 12
    env = make_env("leadingones", n=n, portfolio=(1, 2, 4), simulation="bits")
    result = evaluate_policy(env, named_policy("leadingones", "optimal"), episodes=800, seed=5)
    exact = expected_evaluations(n, best_portfolio_policy(n, (1, 2, 4)))
    lo, hi = result.ci95_evaluations
    assert lo <= exact <= hi


def test_theory_policy_in_restricted_portfolio_is_clipped_into_k():
    ks = theory_policy(50, K)
    assert set(ks) <= set(K) and ks[0] == 16 and ks[-1] == 1


@pytest.mark.parametrize("n, optimum", [(50, 974.9), (100, 3902.1)])
def test_learned_threshold_policy_within_one_percent(n, optimum):
    found = search_policy("leadingones", options={"n": n}, tuner="random", budget=300, seed=0)
    assert found.method == "exact"
    env = make_env("leadingones", n=n)
    exact = -env.exact_return(found.policy, env.instances.test[0])
    assert exact <= 1.01 * optimum
    # test episodes from the vectorised simulator (exact in distribution), disjoint seeds
    sims = env.batch_returns(found.policy, env.instances.test[0], 20000, np.random.default_rng(99))
    mean, (lo, hi) = mean_ci95(-sims)
    assert lo <= exact <= hi
    assert mean <= 1.01 * optimum + (hi - lo)


def test_instance_generator_with_fixed_starts_and_exact_values():
    from algoconf.dac.benchmarks.leadingones import leadingones_instances

    split = leadingones_instances(30, count=4)
    assert split.train[0].initial_fitness is None and len(split.train) == len(split.test) == 5
    assert [i.name for i in split.train[1:]] != [i.name for i in split.test[1:]]
    env = make_env("leadingones", n=30, instances=split)
    inst = split.test[2]
    policy = named_policy("leadingones", "optimal")
    exact = -env.exact_return(policy, inst)
    assert exact == pytest.approx(expected_evaluations(30, best_portfolio_policy(30, K), inst.initial_fitness))
    sims = env.batch_returns(policy, inst, 20000, np.random.default_rng(3))
    _, (lo, hi) = mean_ci95(-sims)
    assert lo <= exact <= hi
    obs, info = env.reset(seed=0, options={"instance": inst.name})
    assert info["instance"] == inst.name and obs[1] == inst.initial_fitness


def test_simulator_truncates_stuck_runs_at_the_cutoff():
    ks = [1] * 49 + [2]  # k = 2 can never finish from the last level, reached with probability 1/2
    with pytest.raises(DACError, match="the policy never leaves a visited fitness level"):
        simulate_evaluations(50, ks, 10, np.random.default_rng(0))
    runs = simulate_evaluations(50, ks, 4000, np.random.default_rng(0), cutoff=25000)
    stuck = runs == 25000
    assert 0.45 < stuck.mean() < 0.55 and runs[~stuck].max() < 25000
