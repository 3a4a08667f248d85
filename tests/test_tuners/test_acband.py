"""AC-Band: schedule arithmetic and each documented quirk fix."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from algoconf.records import RunResult, Status
from algoconf.testing.tuners import drive
from algoconf.tuners.acband import ACBand, acband_schedule
from algoconf.tuners.evidence import CostTable
from algoconf.tuners.sampling import default_config


def test_schedule_matches_the_paper_formulas():
    epochs = acband_schedule(alpha=0.05, delta=0.05, k=2)
    n = math.ceil(math.log(0.05) / math.log(0.95))
    assert n == 59
    assert len(epochs) == math.ceil(math.log2(n + 1)) == 6
    assert [e["arms"] for e in epochs] == [31, 16, 9, 5, 3, 2]
    assert [e["keep_of_k"] for e in acband_schedule(0.05, 0.05, k=16)] == [1, 1, 2, 3, 4, 4]


def test_paper_order_races_the_default_first_and_every_arm(problem):
    """defend=False, grow=False: the paper's order, one bracket of N(alpha, delta) configurations,
    the incumbent (the default) racing from the first round."""
    tuner = ACBand(replace(problem, max_runs=None), seed=0, k=4, defend=False, grow=False)
    first = tuner.ask(4)
    assert first[0].config == default_config(problem.space)
    requests = drive(tuner, 400)
    # every configuration of epoch 1 was raced (no unraced promotion)
    epoch1 = {r.config_key for r in first + requests if r.race and r.race.startswith("acb0.1.0.")}
    assert len(epoch1) == acband_schedule(0.05, 0.05, 4, defend=False)[0]["arms"]


def test_brackets_grow_from_four_configurations_to_the_papers_n(problem):
    tuner = ACBand(replace(problem, max_runs=None), seed=0, k=2)
    sizes: dict[int, int] = {}

    def seen(_step):
        for bracket in tuner.snapshot().brackets:
            sizes.setdefault(bracket["id"], bracket["n_configs"])

    seen(0)
    drive(tuner, 1500, on_batch=seen)
    assert [sizes[i] for i in range(5)] == [4, 8, 16, 32, 59]
    assert len(sizes) > 6 and all(sizes[i] == 59 for i in range(4, len(sizes)))


def test_the_incumbent_changes_only_by_intensification_on_its_pairs(problem):
    """defend=True: the default never races; epoch champions become challengers, run without a
    race id on the incumbent's own pairs, and replace it only after running all of them with a
    strictly lower mean cost (races alone never make an incumbent)."""
    tuner = ACBand(replace(problem, max_runs=None), seed=2, k=2)
    default_key = tuner.snapshot().intensifier.incumbent
    changes = []
    state = {"inc": default_key}

    def check(_step):
        snapshot = tuner.snapshot()
        inten = snapshot.intensifier
        table = CostTable.from_state(inten.table)
        new = inten.incumbent
        if new != state["inc"]:
            old_pairs = {tuple(p) for p in inten.requested[state["inc"]]}
            assert old_pairs <= set(table.pairs(new)), "promoted before running the incumbent's pairs"
            assert table.compare(new, state["inc"]) == "better"
            assert new in snapshot.tried  # it was an epoch champion
            changes.append(new)
            state["inc"] = new

    requests = drive(tuner, 800, on_batch=check)
    raced = {r.config_key for r in requests if r.race is not None}
    assert raced and default_key not in raced
    plain = [r for r in requests if r.race is None]
    assert plain and all(r.seed == 0 or not problem.deterministic for r in plain)
    # every challenger came out of the races: a configuration runs on the incumbent's pairs only after racing
    first_raced = {}
    for i, r in enumerate(requests):
        if r.race is not None:
            first_raced.setdefault(r.config_key, i)
    challengers = [(i, r.config_key) for i, r in enumerate(requests) if r.race is None and r.config_key != default_key]
    assert challengers and all(key in first_raced and first_raced[key] < i for i, key in challengers)
    assert changes, "no challenger beat the default in 800 runs of the synthetic target"


def test_several_brackets_fill_many_workers_and_one_worker_keeps_one(problem):
    many = ACBand(replace(problem, max_runs=None, n_workers=64), seed=0, k=64)
    batch = []
    while len(batch) < 64:
        got = many.ask(64 - len(batch))
        if not got:
            break
        batch += got
    assert len(batch) > 64 - many.race_size  # as full as whole races allow
    brackets = {r.race.split(".")[0] for r in batch if r.race is not None}
    assert len(brackets) >= 3, brackets  # the first bracket alone has a few races of 3 arms
    assert max(sum(1 for r in batch if r.race == rid) for rid in {r.race for r in batch if r.race}) <= many.race_size
    one = ACBand(replace(problem, max_runs=None), seed=0, k=2)
    seen = []
    drive(one, 600, batch=1, on_batch=lambda _: seen.append(len(one.snapshot().brackets)))
    assert max(seen) == 1 and one.snapshot().started > 3


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
    batch = [r for r in tuner.ask(8) if r.race is not None]
    assert batch
    results = [RunResult(r, Status.TIMEOUT, r.cutoff) for r in batch]
    tuner.tell(results)
    stats = tuner.snapshot().stats
    assert stats and all(n_wins == 0 for n_wins, _ in stats.values())


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


def test_intensification_is_capped_by_default_and_not_with_capping_off(problem):
    def bounds(**options):
        tuner = ACBand(replace(problem, max_runs=None), seed=1, k=2, **options)
        return [r.bound for r in drive(tuner, 400) if r.race is None and r.bound is not None]

    capped = bounds()
    assert capped and all(0 < b < problem.cutoff for b in capped)
    assert not bounds(capping=False)


def test_state_from_the_synchronous_version_is_refused(problem):
    with pytest.raises(ValueError, match="older version"):
        ACBand.from_state(problem, {"seed": 0, "params": {}})


def test_races_are_capped_at_twice_the_incumbents_time_on_their_instance(problem):
    """race_cap: an arm slower than 2 x the incumbent on the race's instance is stopped there; the
    incumbent's own arm and races on instances it has not run (exactly) carry no race cap."""
    det = replace(problem, max_runs=None, deterministic=True)
    tuner = ACBand(det, seed=1, k=2)
    requests = drive(tuner, 600)
    bounds = [r.bound for r in requests if r.race is not None and r.bound is not None]
    assert bounds and all(0 < b < det.cutoff for b in bounds)
    it = tuner.snapshot().intensifier
    times = {inst: c.value for (inst, _), c in CostTable.from_state(it.table).pairs(it.incumbent).items() if c.exact}
    later = [r for r in requests[-100:] if r.race is not None and r.bound is not None and r.instance in times
             and r.config_key != it.incumbent]
    assert later and all(r.bound == pytest.approx(2.0 * max(times[r.instance], 1e-3)) for r in later[-5:])
    off = ACBand(det, seed=1, k=2, race_cap=0)
    assert not [r for r in drive(off, 600) if r.race is not None and r.bound is not None]
    with pytest.raises(ValueError):
        ACBand(det, race_cap=0.5)
