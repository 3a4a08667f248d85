"""algoconf.benchmarking.paired_validation: configurations validated one run at a time, pair by pair,
kept by configuration and resumed after the last pair saved."""

from __future__ import annotations

import concurrent.futures as cf

import pytest

from algoconf.benchmarking.paired_validation import PairedValidator
from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.space import default_config, sample_configs
from algoconf.testing.tuners import synthetic_scenario


def test_validation_is_interleaved_one_run_at_a_time_and_kept_by_configuration(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=10)
    test = list(scenario.test.names)
    calls: list[tuple[str, str]] = []
    default = default_config(scenario.space)
    other = next(c for c in sample_configs(scenario.space, 5, seed=3) if c != default)

    class OneAtATime:
        def __init__(self) -> None:
            self.running = 0

        def submit(self, request: RunRequest) -> cf.Future:
            assert self.running == 0
            calls.append((request.instance, str(sorted(request.config.items()))))
            f: cf.Future = cf.Future()
            f.set_result(RunResult(request, Status.SUCCESS, 1.0 if request.config == default else 0.5))
            return f

        def close(self) -> None:
            pass

    def validator(store: dict) -> PairedValidator:
        return PairedValidator(scenario, store, seed=1000, executor=OneAtATime)

    store: dict = {}
    validator(store).validate([default, other], save=lambda: None)
    n = len(test)
    assert len(calls) == 2 * n
    assert [c[0] for c in calls[::2]] == [c[0] for c in calls[1::2]] == test  # pair by pair, both configs
    assert store[config_key(default)]["test_par10"] == pytest.approx(1.0)
    assert store[config_key(other)]["test_par10"] == pytest.approx(0.5)
    calls.clear()
    validator(store).validate([default, other], save=lambda: None)
    assert calls == []  # validated before: kept, not run again
    # a validation killed after two pairs resumes at the third, saving after every pair
    key = config_key(other)
    partial = {key: {"config": other, "pairs": store[key]["pairs"][:2]}}
    saves = []
    validator(partial).validate([other], save=lambda: saves.append(len(partial[key]["pairs"])))
    assert [c[0] for c in calls] == test[2:]
    assert saves[:-1] == list(range(3, n + 1)) and partial[key]["test_par10"] == pytest.approx(0.5)


def test_the_pairs_seeds_are_the_same_for_every_validator_of_a_seed(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=10)
    assert PairedValidator(scenario, {}, seed=7).seeds == PairedValidator(scenario, {}, seed=7).seeds
    assert len(PairedValidator(scenario, {}, seed=7).seeds) == len(scenario.test.names)
