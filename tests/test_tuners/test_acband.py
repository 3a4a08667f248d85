"""AC-Band: schedule arithmetic and each documented quirk fix."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from algoconf.records import RunResult, Status
from algoconf.testing.tuners import drive
from algoconf.tuners.acband import ACBand, acband_schedule
from algoconf.tuners.sampling import default_config


def test_schedule_matches_the_paper_formulas():
    epochs = acband_schedule(alpha=0.05, delta=0.05, k=2)
    n = math.ceil(math.log(0.05) / math.log(0.95))
    assert n == 59
    assert len(epochs) == math.ceil(math.log2(n + 1)) == 6
    assert [e["arms"] for e in epochs] == [31, 16, 9, 5, 3, 2]
    assert [e["keep_of_k"] for e in acband_schedule(0.05, 0.05, k=16)] == [1, 1, 2, 3, 4, 4]


def test_default_configuration_is_raced_first_and_every_arm_is_raced(problem):
    tuner = ACBand(replace(problem, max_runs=None), seed=0, k=4, defend=False)
    first = tuner.ask(4)
    assert first[0].config == default_config(problem.space)
    raced = set()
    requests = drive(tuner, 400)
    for r in first + requests:
        raced.add(r.config_key)
    # every configuration of epoch 1 was raced (no unraced promotion)
    epoch1 = {r.config_key for r in first + requests if r.race and r.race.startswith("acb0.1.0.")}
    assert len(epoch1) == acband_schedule(0.05, 0.05, 4, defend=False)[0]["arms"]


def test_defending_incumbent_enters_each_epoch_in_its_final(problem):
    """defend=True: the epoch's new arms race among themselves first; the incumbent joins only
    once the survivors fit into one group with it, and that final runs every arm to the end."""
    tuner = ACBand(replace(problem, max_runs=None), seed=0, k=2)
    default_key = tuner._incumbent
    requests = drive(tuner, 200)
    first = next(i for i, r in enumerate(requests) if r.config_key == default_key)
    before = requests[:first]
    assert before and all(r.race is not None and r.race.startswith("acb0.1.") for r in before)
    assert requests[first].race is None  # the final is not a race: nobody is stopped
    rounds = {int(r.race.split(".")[2]) for r in before}
    assert rounds == set(range(len(rounds))) and len(rounds) >= 2


def test_races_share_one_pair_and_have_at_most_k_arms(problem):
    tuner = ACBand(replace(problem, max_runs=None), seed=1, k=3)
    requests = drive(tuner, 300)
    races = {}
    for r in requests:
        if r.race is not None:  # defended finals run without a race id
            races.setdefault(r.race, set()).add((r.instance, r.seed))
    assert all(len(v) == 1 for v in races.values())
    sizes = {}
    for r in requests:
        if r.race is not None:
            sizes[r.race] = sizes.get(r.race, 0) + 1
    assert max(sizes.values()) <= 3


def test_race_nobody_finishes_gives_no_win(problem):
    tuner = ACBand(replace(problem, max_runs=None), seed=0, k=2)
    batch = tuner.ask(2)
    results = [RunResult(r, Status.TIMEOUT, r.cutoff) for r in batch]
    tuner.tell(results)
    assert all(n_wins == 0 for n_wins, _ in tuner._stats.values())


def test_small_instance_pool_is_reused_with_new_seeds(problem):
    small = replace(problem, instances=("a", "b", "c"), deterministic=True, max_runs=None)
    tuner = ACBand(small, seed=0, k=2)
    requests = drive(tuner, 200)
    assert {r.instance for r in requests} == {"a", "b", "c"}
    assert len({r.seed for r in requests}) > 1
    assert len({r.key for r in requests}) == len(requests)


def test_finds_better_than_default_on_synthetic_target(problem):
    from algoconf.testing.tuners import synthetic_runtime
    from algoconf.records import RunRequest

    prob = replace(problem, max_runs=None)

    def score(config):
        return sum(synthetic_runtime(prob, RunRequest(config, i, 0, 3.0)) for i in prob.instances)

    tuner = ACBand(prob, seed=2, k=2)
    drive(tuner, 600)
    assert score(tuner.incumbent) < score(default_config(prob.space))


def test_model_generator_runs_and_stays_valid(problem):
    from algoconf.testing.tuners import check_proposals_valid

    class ModelACBand(ACBand):
        def __init__(self, problem, seed=0):
            super().__init__(problem, seed, generator="model", n_configs=12)

    check_proposals_valid(ModelACBand, replace(problem, max_runs=None), runs=120)


def test_bad_parameters_raise(problem):
    with pytest.raises(ValueError):
        ACBand(problem, alpha=1.5)
    with pytest.raises(ValueError):
        ACBand(problem, k=1)
    with pytest.raises(ValueError):
        ACBand(problem, generator="gga")


def test_defended_final_is_decided_by_mean_cost_not_wins(problem):
    """Where the incumbent defends, every arm runs to the end (no race id) on at least per_match
    pairs and the lower mean PAR-k wins: a challenger that wins as many races but times out loses."""
    def final(challenger_results):
        tuner = ACBand(replace(problem, max_runs=None), seed=0, k=2, n_configs=1, instance_budget=1,
                       capping=False)
        inc = tuner._incumbent
        batch = tuner.ask(4)  # epoch 1 of N=1: one new arm, joined by the incumbent at once
        assert len(batch) == 4 and all(r.race is None for r in batch)
        assert sum(r.config_key == inc for r in batch) == 2
        pairs = sorted({(r.instance, r.seed) for r in batch})
        results = []
        for r in batch:
            i = pairs.index((r.instance, r.seed))
            status, t = (Status.SUCCESS, (0.2, 2.9)[i]) if r.config_key == inc else challenger_results[i]
            results.append(RunResult(r, status, t))
        tuner.tell(results)
        return tuner._incumbent != inc

    cutoff = problem.cutoff
    # one faster win, one timeout: 1-1 in wins, mean PAR10 (0.1 + 30) / 2 > (0.2 + 2.9) / 2
    assert not final([(Status.SUCCESS, 0.1), (Status.TIMEOUT, cutoff)])
    # faster on both: lower mean cost, it takes over
    assert final([(Status.SUCCESS, 0.1), (Status.SUCCESS, 2.0)])


def test_capped_defended_final_runs_the_incumbent_first_and_caps_challengers(problem):
    """With capping (the default for runtime), the final's incumbent runs on all its pairs first;
    then each challenger run is capped at 1.2 × the incumbent's total − the challenger's finished
    costs (not below the incumbent's time on that pair); a capped challenger loses the final."""
    from algoconf.testing.tuners import answer

    def final(challenger_times, n_second=4):
        tuner = ACBand(replace(problem, max_runs=None), seed=0, k=2, n_configs=1, instance_budget=1)
        inc = tuner._incumbent
        first = tuner.ask(4)
        assert [r.config_key for r in first] == [inc, inc] and all(r.bound is None for r in first)
        pairs = [(r.instance, r.seed) for r in first]
        inc_times = dict(zip(pairs, (0.2, 0.5)))
        tuner.tell([RunResult(r, Status.SUCCESS, inc_times[(r.instance, r.seed)]) for r in first])
        times = dict(zip(pairs, challenger_times))
        asked, bounds = [], []
        while len(asked) < 2:
            batch = tuner.ask(n_second)
            assert batch and all(r.config_key != inc and r.race is None for r in batch)
            bounds += [r.bound for r in batch]
            asked += batch
            tuner.tell(answer(tuner.problem, batch, lambda p, r: times[(r.instance, r.seed)]))
        return tuner._incumbent != inc, bounds

    won, bounds = final((0.1, 0.3))
    assert won and bounds == [pytest.approx(1.2 * 0.7)] * 2  # asked together: nothing to subtract yet
    won, bounds = final((0.1, 2.0))  # the second run is stopped at 0.84: dominated, loses
    assert not won
    won, bounds = final((0.3, 2.0), n_second=1)  # one at a time: the second cap subtracts the first cost
    assert not won and bounds == [pytest.approx(0.84), pytest.approx(0.84 - 0.3)]
    # ... but never falls below the incumbent's own time on the pair (0.5 here): its winner stays known
    won, bounds = final((0.6, 2.0), n_second=1)
    assert not won and bounds == [pytest.approx(0.84), pytest.approx(0.5)]


def test_capping_off_runs_the_final_at_once(problem):
    tuner = ACBand(replace(problem, max_runs=None), seed=0, k=2, n_configs=1, instance_budget=1, capping=False)
    batch = tuner.ask(4)
    assert len(batch) == 4 and all(r.bound is None for r in batch)
