"""The shipped runtime matrix of scenario cadical-colouring-suite (benchmarks/data/cadical_colouring_suite_matrix.npz):
present (a shipped file is never skipped), the shape and censoring its README claims, and it fits the scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from algoconf.records import config_key
from algoconf.scenario import load_scenario
from algoconf.space import default_config
from algoconf.tuners.simulated import RuntimeMatrix

REPO = Path(__file__).resolve().parents[2]
MATRIX = REPO / "benchmarks" / "data" / "cadical_colouring_suite_matrix.npz"
SCENARIO = REPO / "scenarios" / "cadical-colouring-suite" / "scenario.yaml"


def test_matrix_shape_metadata_and_fit():
    matrix = RuntimeMatrix.load(MATRIX)
    rows, cols = matrix.shape
    assert rows >= 150 and cols >= 100
    assert MATRIX.stat().st_size < 5_000_000
    counts = matrix.meta["rows"]
    keys = [config_key(c) for c in matrix.configs]
    first_extra = rows - counts["extra"]
    assert len(set(keys[:first_extra])) == first_extra  # the sampled rows are distinct
    repeated = [i for i in range(first_extra, rows) if keys[i] in keys[:i]]
    assert repeated == [147] and keys.index(keys[147]) == 135  # one hand setting was also a local row: measured twice
    assert counts["default"] == 1 and counts["default_neighbours"] > 0 and counts["uniform"] > 0
    assert counts["local"] > 0 and counts["extra"] > 0  # random, default-neighbourhood, local and tuner/hand rows
    assert sum(counts[k] for k in ("default", "default_neighbours", "uniform", "local", "extra")) == rows
    for key in ("solver", "generator", "cutoff", "workers", "nice", "seconds", "cpu_seconds", "command",
                "loadavg_start"):
        assert key in matrix.meta, key
    scenario = load_scenario(SCENARIO)
    matrix.check_fits(scenario, MATRIX)  # configure --simulate accepts it for the real scenario
    assert matrix.instances == list(scenario.train.names) + list(scenario.test.names)
    assert config_key(matrix.configs[0]) == config_key(default_config(scenario.space))


def test_matrix_entries_are_censored_at_the_cutoff():
    matrix = RuntimeMatrix.load(MATRIX)
    rt, ok = matrix.runtime, matrix.solved
    assert matrix.cutoff == 1.0
    assert (rt[ok] > 0).all() and (rt[ok] <= matrix.cutoff).all()
    assert (rt[~ok] == np.float32(matrix.cutoff)).all()  # unsolved: a lower bound, stored as the cutoff
    assert 0.005 < 1 - ok.mean() < 0.5


def test_matrix_discriminates_on_the_test_half():
    matrix = RuntimeMatrix.load(MATRIX)
    test = slice(50, 100)
    cost = np.where(matrix.solved[:, test], matrix.runtime[:, test], 10 * matrix.cutoff)
    par10 = cost.mean(axis=1)
    assert par10[0] >= 2 * par10.min()  # the default is at least twice the best row's test PAR10


def test_the_matrix_keeps_its_scenarios_split():
    matrix = RuntimeMatrix.load(MATRIX)
    scenario = load_scenario(SCENARIO)
    train, test = matrix.scenario_split()
    assert train == list(scenario.train.names) and test == list(scenario.test.names)


def test_a_matrix_without_a_recorded_split_has_none_and_a_wrong_one_is_refused():
    matrix = RuntimeMatrix.load(MATRIX)
    matrix.meta.pop("split")
    assert matrix.scenario_split() is None
    matrix.meta["split"] = {"train": 50, "test": 49}
    with pytest.raises(ValueError, match="does not cover"):
        matrix.scenario_split()
