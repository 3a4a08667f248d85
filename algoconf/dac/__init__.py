"""algoconf.dac: dynamic algorithm configuration — environments, benchmarks, policies, search, evaluation.

The core needs only numpy and gymnasium (extra ``[dac]``); the CMA-ES benchmark also needs ``cma``.

    from algoconf.dac import make_env, named_policy, evaluate_policy, search_policy
    env = make_env("leadingones", n=50, portfolio=(1, 2, 4, 8, 16))
    evaluate_policy(env, named_policy("leadingones", "optimal"), episodes=1000).mean_evaluations
    found = search_policy("leadingones", options={"n": 50}, tuner="random", budget=300)
"""

from algoconf.extras import require

require("gymnasium", "dynamic algorithm configuration (algoconf.dac)")

from algoconf.dac.benchmarks import BENCHMARKS, get_benchmark, make_env, named_policy
from algoconf.dac.env import ActionCodec, DACEnv, DACInstance, InstanceSplit
from algoconf.dac.evaluate import EvaluationResult, evaluate_policy, run_episode
from algoconf.dac.policies import (
    BinnedPolicy,
    Policy,
    PolicyFamily,
    RandomPolicy,
    SchedulePolicy,
    StaticPolicy,
    TablePolicy,
    load_policy,
    save_policy,
)
from algoconf.dac.qlearning import q_learning
from algoconf.dac.search import EpisodeObjective, SearchResult, search_objective, search_policy

__all__ = [
    "BENCHMARKS",
    "get_benchmark",
    "make_env",
    "named_policy",
    "ActionCodec",
    "DACEnv",
    "DACInstance",
    "InstanceSplit",
    "EvaluationResult",
    "evaluate_policy",
    "run_episode",
    "Policy",
    "PolicyFamily",
    "StaticPolicy",
    "RandomPolicy",
    "SchedulePolicy",
    "BinnedPolicy",
    "TablePolicy",
    "load_policy",
    "save_policy",
    "q_learning",
    "EpisodeObjective",
    "SearchResult",
    "search_policy",
    "search_objective",
]
