"""The shipped large runtime matrix (benchmarks/data/minisat_3sat_matrix_large.npz) is whole and consistent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from algoconf.records import RunRequest, Status, config_key
from algoconf.space import active_config
from algoconf.tuners.simulated import RuntimeMatrix

MATRIX = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "minisat_3sat_matrix_large.npz"


@pytest.fixture(scope="module")
def matrix() -> RuntimeMatrix:
    if not MATRIX.is_file():
        pytest.skip(f"{MATRIX.name} not built (benchmarks/build_matrix.py)")
    return RuntimeMatrix.load(MATRIX)


def test_shape_and_metadata(matrix):
    rows, cols = matrix.shape
    assert rows >= 200 and cols >= 200
    assert len(set(matrix.instances)) == cols
    assert len({config_key(c) for c in matrix.configs}) == rows  # no repeated configuration
    for key in ("solver", "generator", "seed", "cutoff", "workers", "seconds", "nice", "rows", "command"):
        assert key in matrix.meta, key
    assert matrix.meta["cutoff"] == matrix.cutoff
    counts = matrix.meta["rows"]
    assert counts["default"] + counts["uniform"] + counts["local"] == rows
    assert len(counts["local_parents"]) == counts["local"]
    assert MATRIX.stat().st_size < 5_000_000


def test_entries_are_censored_consistently(matrix):
    rt, ok = matrix.runtime, matrix.solved
    assert np.isfinite(rt).all()
    assert (rt[ok] > 0).all() and (rt[ok] <= matrix.cutoff).all()
    assert (rt[~ok] == np.float32(matrix.cutoff)).all()  # unsolved: censored at the cutoff
    assert 0 < ok.mean() < 1


def test_row_zero_is_the_default_and_is_sensible(matrix):
    default = active_config(matrix.space, dict(matrix.space.get_default_configuration()))
    assert matrix.row_of(default) == 0
    assert config_key(matrix.configs[0]) == config_key(default)
    assert matrix.solved[0].mean() >= 0.95
    assert np.median(matrix.runtime[0]) < matrix.cutoff / 5
    par10 = matrix.par()
    assert par10.min() < par10[0] < np.median(par10) * 10  # some row beats the default; bad rows exist
    assert par10.max() > 5 * par10[0]


def test_answers_come_from_the_matrix(matrix):
    j = int(np.flatnonzero(matrix.solved[0])[0])
    result = matrix.answer(RunRequest(matrix.configs[0], matrix.instances[j], 0, matrix.cutoff))
    assert result.status is Status.SUCCESS and result.runtime == pytest.approx(float(matrix.runtime[0, j]))
    i, j = map(int, np.argwhere(~matrix.solved)[0])
    result = matrix.answer(RunRequest(matrix.configs[i], matrix.instances[j], 0, matrix.cutoff))
    assert result.status is Status.TIMEOUT
