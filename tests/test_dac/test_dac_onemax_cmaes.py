"""(1+(λ,λ)) GA on OneMax and CMA-ES step-size control."""

import numpy as np
import pytest

from algoconf.dac import evaluate_policy, make_env, named_policy, search_policy
from algoconf.dac.benchmarks.onemax import simulate_evaluations, theory_lambda
from algoconf.dac.evaluate import mean_ci95
from algoconf.dac.policies import StaticPolicy


def test_theory_lambda():
    assert theory_lambda(100, 0) == pytest.approx(1.0)
    assert theory_lambda(100, 99) == pytest.approx(10.0)
    assert theory_lambda(100, 100) == pytest.approx(10.0)  # clipped distance 1


def test_env_and_vectorised_simulator_agree():
    n = 60
    env = make_env("onemax", n=n)
    theory = named_policy("onemax", "theory")
    result = evaluate_policy(env, theory, episodes=300, seed=1)
    sims = simulate_evaluations(n, env.policy_lambdas(theory), 3000, np.random.default_rng(2))
    mean_sim, (lo_sim, hi_sim) = mean_ci95(sims["evaluations"])
    lo, hi = result.ci95_evaluations
    assert lo <= hi_sim and lo_sim <= hi  # the two 95% intervals overlap
    # the return counts every evaluation after the initial one
    assert result.mean_return == pytest.approx(-(result.mean_evaluations - 1.0))


def test_practice_aware_counting_never_exceeds_two_lambda_count():
    sims = simulate_evaluations(80, np.full(81, 4.0), 50, np.random.default_rng(0))
    assert np.all(sims["evaluations"] <= sims["evaluations_2lambda"])
    assert np.all(sims["evaluations"] > sims["iterations"])


def test_theory_beats_best_small_static_lambda():
    n = 150
    env = make_env("onemax", n=n)
    lam_theory = env.policy_lambdas(named_policy("onemax", "theory"))
    theory = simulate_evaluations(n, lam_theory, 300, np.random.default_rng(0))["evaluations"].mean()
    static = min(simulate_evaluations(n, np.full(n + 1, float(k)), 300, np.random.default_rng(0))["evaluations"].mean()
                 for k in (2, 4, 8))
    assert theory < 0.9 * static
    assert 5.0 * n < theory < 7.5 * n


@pytest.mark.slow
def test_learned_binned_policy_within_two_percent_of_theory():
    n = 100
    found = search_policy("onemax", options={"n": n}, tuner="random", budget=40, episodes=15, seed=0)
    assert found.method == "batch"
    env = make_env("onemax", n=n)
    theory = simulate_evaluations(n, env.policy_lambdas(named_policy("onemax", "theory")), 4000, np.random.default_rng(11))
    learned = simulate_evaluations(n, env.policy_lambdas(found.policy), 4000, np.random.default_rng(12))
    assert learned["evaluations"].mean() <= 1.02 * theory["evaluations"].mean()


def test_cmaes_csa_gains_orders_of_magnitude_on_sphere():
    pytest.importorskip("cma")
    env = make_env("cmaes", dim=5, generations=40)
    sphere = [i for i in env.instances.test if i.function == "sphere"][0]
    env.reset(seed=0, options={"instance": sphere.name})
    csa = named_policy("cmaes", "csa")
    from algoconf.dac.evaluate import run_episode

    total, info, steps = run_episode(env, csa, seed=0, instance=sphere)
    assert steps == 40 and info["evaluations"] == 1 + 40 * 8
    assert total > 3.0  # at least three orders of magnitude of regret
    bad, _, _ = run_episode(env, StaticPolicy({"sigma": 1e-5}), seed=0, instance=sphere)
    assert bad < total


def test_cmaes_evaluate_reports_evaluations():
    pytest.importorskip("cma")
    env = make_env("cmaes", dim=3, generations=10)
    result = evaluate_policy(env, named_policy("cmaes", "csa"), episodes=3)
    assert result.mean_evaluations == 1 + 10 * 7
    assert result.normalised_score is None
