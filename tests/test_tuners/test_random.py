"""ROAR: intensification mechanics."""

from __future__ import annotations

from dataclasses import replace

from algoconf.records import RunRequest
from algoconf.testing.tuners import drive, synthetic_runtime
from algoconf.tuners.random import RandomTuner
from algoconf.tuners.sampling import default_config


def test_challengers_run_on_the_incumbents_pairs(problem):
    tuner = RandomTuner(replace(problem, max_runs=None), seed=0)
    requests = drive(tuner, 200)
    inc_key = requests[0].config_key
    assert requests[0].config == default_config(problem.space)
    pairs_of = {}
    for r in requests:
        pairs_of.setdefault(r.config_key, []).append((r.instance, r.seed))
    # every challenger's first pair is the incumbent's first pair
    first = pairs_of[inc_key][0]
    assert all(p[0] == first for k, p in pairs_of.items() if k != inc_key and p and p[0] in pairs_of[inc_key][:1])


def test_improves_over_default(problem):
    prob = replace(problem, max_runs=None)

    def score(config):
        return sum(synthetic_runtime(prob, RunRequest(config, i, 0, 3.0)) for i in prob.instances)

    tuner = RandomTuner(prob, seed=4)
    drive(tuner, 500)
    assert score(tuner.incumbent) < score(default_config(prob.space))


def test_incumbent_is_none_before_evidence(problem):
    tuner = RandomTuner(problem, seed=0)
    assert tuner.incumbent is None
    tuner.ask(1)
    assert tuner.incumbent is None
