"""algoconf.benchmarking.matrix_scenario: a runtime matrix as a scenario (its space, cutoff, split)."""

from __future__ import annotations

from pathlib import Path

import pytest

from algoconf.benchmarking.matrix_scenario import matrix_scenario
from algoconf.scenario import Budget
from algoconf.tuners.simulated import RuntimeMatrix

MATRIX = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "minisat_3sat_matrix.npz"
pytestmark = pytest.mark.skipif(not MATRIX.is_file(), reason="benchmarks/data/minisat_3sat_matrix.npz not shipped")


def test_defaults_are_the_benchmarks_half_split_and_no_budget():
    matrix = RuntimeMatrix.load(MATRIX)
    sc = matrix_scenario(MATRIX, matrix, seed=3)
    train, test = matrix.split(matrix.shape[1] // 2, seed=0)
    assert list(sc.train.names) == list(train) and list(sc.test.names) == list(test)
    assert sc.name == "matrix-minisat_3sat_matrix" and sc.root == MATRIX.parent and sc.seed == 3
    assert sc.cutoff == matrix.cutoff and sc.space == matrix.space and sc.par_factor == 10.0
    assert sc.budget == Budget() and sc.deterministic and sc.max_failure_rate is None
    assert sc.target.callable == "algoconf.tuners.simulated:matrix_target"
    assert sc.target.env == {"ALGOCONF_MATRIX": str(MATRIX)}


def test_given_split_budget_and_names_are_kept(tmp_path):
    matrix = RuntimeMatrix.load(MATRIX)
    names = matrix.instances
    sc = matrix_scenario(
        MATRIX,
        matrix,
        train=names[:3],
        test=names[3:5],
        budget=Budget(runs=7),
        name="m",
        root=tmp_path,
        deterministic=False,
    )
    assert list(sc.train.names) == names[:3] and list(sc.test.names) == names[3:5]
    assert (sc.name, sc.root, sc.budget.runs, sc.deterministic) == ("m", tmp_path, 7, False)
