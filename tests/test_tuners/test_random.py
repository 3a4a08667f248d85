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


def test_challenger_is_not_dropped_before_first_test_pairs_unless_hopeless(problem):
    """A slightly worse challenger is dropped only after min(first_test, incumbent's pairs) pairs;
    a hopeless one (its excess already exceeds what the incumbent spends on the remaining pairs)
    goes after one run. The default is the fastest configuration everywhere here."""
    from algoconf.records import config_key

    prob = replace(problem, max_runs=None)
    default_key = config_key(default_config(prob.space))

    def min_runs(first_test, challenger_time):
        def runtime(p, request):
            return 0.1 if request.config_key == default_key else challenger_time

        tuner = RandomTuner(prob, seed=0, first_test=first_test)
        requests = drive(tuner, 150, runtime=runtime)
        order, runs = [], {}
        for r in requests:
            if r.config_key != default_key:
                if r.config_key not in runs:
                    order.append(r.config_key)
                runs[r.config_key] = runs.get(r.config_key, 0) + 1
        settled = order[3:-tuner.max_challengers]  # the incumbent had >= 3 pairs; no longer racing
        assert settled and tuner.incumbent == default_config(prob.space)
        return min(runs[k] for k in settled)

    assert min_runs(3, 0.12) == 3  # close: judged on 3 pairs
    assert min_runs(1, 0.12) == 1
    assert min_runs(3, 5.0) == 1  # hopeless: 4.9 s behind, the incumbent spends 0.2 s on 2 more pairs
