"""Typed tuner state (algoconf/tuners/state.py): one record per tuner lists what ``state()`` holds,
``from_dict`` refuses what it cannot continue from and reads older states without newer fields."""

from __future__ import annotations

import dataclasses
import json

import pytest

from algoconf.testing.tuners import drive
from algoconf.tuners.acband import ACBand, ACBandState, IntensifierState
from algoconf.tuners.acband_plan import RaceMeasure
from algoconf.tuners.random import RandomState, RandomTuner


def _field_names(record_cls) -> set[str]:
    return {f.name for f in dataclasses.fields(record_cls)}


def test_state_dicts_hold_exactly_the_fields_of_their_record(problem):
    roar = RandomTuner(problem, seed=1)
    drive(roar, 20)
    assert set(roar.state()) == _field_names(RandomState)
    band = ACBand(problem, seed=1)
    drive(band, 30)
    state = band.state()
    assert set(state) == _field_names(ACBandState)
    assert set(state["intensifier"]) == _field_names(IntensifierState) == _field_names(RandomState) | {"pending"}
    assert isinstance(band.snapshot(), ACBandState) and isinstance(band.snapshot().intensifier, IntensifierState)


def test_a_missing_or_unknown_field_is_refused_by_name(problem):
    state = RandomTuner(problem, seed=0).state()
    with pytest.raises(ValueError, match="'asked' is missing"):
        RandomTuner.from_state(problem, {k: v for k, v in state.items() if k != "asked"})
    with pytest.raises(ValueError, match="unknown field.*'surprise'"):
        RandomTuner.from_state(problem, {**state, "surprise": 1})
    band = ACBand(problem, seed=0).state()
    with pytest.raises(ValueError, match="AC-Band state: field 'brackets' is missing"):
        ACBand.from_state(problem, {k: v for k, v in band.items() if k != "brackets"})


def test_an_older_state_without_the_newer_fields_continues(problem):
    """A ROAR state from before first_test / capping, an AC-Band state from before ``exhausted`` and an
    intensifier state from before ``pending``: read with the documented defaults."""
    roar = RandomTuner(problem, seed=0)
    drive(roar, 10)
    old = json.loads(json.dumps(roar.state()))
    for name in ("first_test", "capping", "capping_slack"):
        del old[name]
    again = RandomTuner.from_state(problem, old)
    assert again.first_test == 1 and again.capping is None
    band = ACBand(problem, seed=0)
    drive(band, 20)
    old = json.loads(json.dumps(band.state()))
    del old["exhausted"], old["intensifier"]["pending"]
    again = ACBand.from_state(problem, old)
    assert again.state()["exhausted"] is False and again.state()["intensifier"]["pending"] == []
    assert again.ask(4)


def test_race_measure_reads_its_list_and_the_older_three_number_one():
    measure = RaceMeasure(races=3, race_worker_seconds=4.5, race_cpu=4.0, worker_seconds=9.0, cpu=8.0, arms=7)
    assert RaceMeasure.from_list(json.loads(json.dumps(measure.to_list()))) == measure
    assert RaceMeasure.from_list([3, 4.5, 4.0]) == RaceMeasure(3, 4.5, 4.0, 4.5, 4.0, 0)
    with pytest.raises(ValueError, match="expected 6 numbers"):
        RaceMeasure.from_list([3, 4.5, 4.0, 1.0])
