"""AC-Band sized to the budget: N, instance budget and generator follow runs / wall-clock / CPU."""

from __future__ import annotations

import math
from dataclasses import replace

from algoconf.records import RunResult, Status
from algoconf.testing.tuners import drive
from algoconf.tuners.acband import ACBand, acband_schedule, paper_n
from algoconf.tuners.acband_plan import RaceMeasure, races_left, schedule_races


def test_without_budget_the_paper_schedule_is_kept(problem):
    tuner = ACBand(replace(problem, max_runs=None), seed=0, k=2, grow=False)
    assert tuner.plan == {"n_configs": paper_n(0.05, 0.05), "instance_budget": len(problem.instances),
                          "short": False, "generator": "random"}
    # growing brackets: the first has 4 configurations and a share of the instances to match
    grown = ACBand(replace(problem, max_runs=None), seed=0, k=2)
    assert grown.plan["n_configs"] == 4 and grown.plan["instance_budget"] == math.ceil(24 * 4 / 59)


def test_short_run_budget_shrinks_n_and_uses_the_model(problem):
    tuner = ACBand(replace(problem, max_runs=60), seed=0, k=2, grow=False)
    plan = tuner.plan
    assert plan["short"] and plan["generator"] == "model"
    assert 3 <= plan["n_configs"] < paper_n(0.05, 0.05)
    assert schedule_races(tuner.schedule, 2, plan["instance_budget"]) <= 60 // 2
    # an explicit generator wins over the rule
    assert ACBand(replace(problem, max_runs=60), seed=0, k=2, generator="random").plan["generator"] == "random"
    # growing brackets: the first (N = 4) fits, but the run is short, so every bracket uses the model
    grown = ACBand(replace(problem, max_runs=60), seed=0, k=2)
    assert grown.plan["n_configs"] == 4 and grown.plan["generator"] == "model"
    # ... and a long budget does not, even for its last brackets (which meet the end of the budget)
    assert ACBand(replace(problem, max_runs=100000), seed=0, k=2).plan["generator"] == "random"


def test_every_epoch_of_the_first_schedule_completes_within_the_run_budget(problem):
    for runs in (40, 90, 200):
        tuner = ACBand(replace(problem, max_runs=runs), seed=1, k=2)
        epochs = len(tuner.schedule)
        requests = drive(tuner, runs)
        assert len(requests) <= runs
        raced = {int(r.race.split(".")[1]) for r in requests if r.race and r.race.startswith("acb0.")}
        assert raced == set(range(1, epochs + 1)), f"runs={runs}: epochs raced {sorted(raced)} of {epochs}"
        state = tuner.snapshot()
        assert state.started >= 2 and all(b["id"] > 0 for b in state.brackets), \
            f"runs={runs}: the first bracket ({epochs} epochs) did not end"


def test_wallclock_and_cpu_budgets_are_converted_into_races(problem):
    p = replace(problem, max_runs=None, cutoff=3.0, max_wallclock=120.0, n_workers=2)
    assert races_left(p, 2, 0, RaceMeasure()) == 40  # prior: a race holds k workers up to the cutoff
    # measured: 1.5 worker-seconds per race, 15 used of 2 workers x 120 s
    ten = RaceMeasure(races=10, race_worker_seconds=15.0, race_cpu=20.0, worker_seconds=15.0, cpu=20.0, arms=20)
    assert races_left(p, 2, 0, ten) == (2 * 120 - 15) / 1.5
    p4 = replace(p, n_workers=4)  # twice the worker-seconds
    assert races_left(p4, 2, 0, ten) == (4 * 120 - 15) / 1.5
    # every run told counts as used (the intensification's too), races price a race
    assert races_left(p4, 2, 0, replace(ten, worker_seconds=115.0)) == (4 * 120 - 115) / 1.5
    c = replace(problem, max_runs=None, cutoff=3.0, max_cpu_time=60.0)
    assert races_left(c, 2, 0, RaceMeasure()) == 10  # prior: k arms up to the cutoff
    assert math.isinf(races_left(replace(problem, max_runs=None), 2, 0, RaceMeasure()))
    tuner = ACBand(p, seed=0, k=2, grow=False)
    assert tuner.plan["short"] and schedule_races(tuner.schedule, 2, tuner.instance_budget) <= 40


def test_later_epochs_shrink_when_races_cost_more_than_planned(problem):
    """The plan prices a race at k arms × the cutoff (6 worker-seconds); when the first epoch's races
    hold their workers longer (start-up overhead), the next epochs are shrunk to the races left."""
    p = replace(problem, max_runs=None, cutoff=3.0, max_wallclock=120.0, n_workers=2)

    def second_epoch(wallclock: float):
        tuner = ACBand(p, seed=0, k=2, grow=False, defend=False)
        planned = tuner.snapshot().brackets[0]["instance_budget"]
        while True:
            state = tuner.snapshot()
            bracket = next(b for b in state.brackets if b["id"] == 0)
            if bracket["epoch"] >= 2:
                left = races_left(p, 2, state.asked, RaceMeasure.from_list(state.measured))
                return planned, bracket, left
            requests = tuner.ask(2)
            assert requests, "the first epoch did not end"
            # the first arm wins after 1 s of CPU; both arms held their worker ``wallclock`` seconds
            tuner.tell([RunResult(r, Status.SUCCESS if i == 0 else Status.CAPPED, 1.0, wallclock=wallclock)
                        for i, r in enumerate(requests)])

    planned, bracket, left = second_epoch(4.0)  # 8 worker-seconds a race: the rest still fits
    assert bracket["instance_budget"] == planned
    assert schedule_races(bracket["schedule"], 2, planned, first=1) <= left
    planned, bracket, left = second_epoch(5.0)  # 10 worker-seconds a race: it does not
    assert schedule_races(bracket["schedule"], 2, planned, first=1) > left
    assert bracket["instance_budget"] < planned
    assert schedule_races(bracket["schedule"], 2, bracket["instance_budget"], first=1) <= left


def test_races_are_counted_as_plain_rounds():
    """The incumbent defends outside the races, so a schedule's rounds are plain CSE rounds."""
    with_defence = acband_schedule(0.05, 0.05, 2, 15, defend=True)
    without = acband_schedule(0.05, 0.05, 2, 15, defend=False)
    assert [e["arms"] for e in with_defence] == [e["arms"] for e in without]
    assert [e["rounds"] for e in with_defence] == [e["rounds"] for e in without]
    assert schedule_races(with_defence, 2, 0) == schedule_races(without, 2, 0)
