"""The SMAC wrapper's random forest fits and predicts in the calling thread: its CPU is the caller's
(charged to a virtual clock that counts thread CPU time) and its sums do not depend on thread order."""

from __future__ import annotations

import pytest

from algoconf.testing.tuners import drive


def test_smac_forest_runs_in_one_thread(problem):
    smac = pytest.importorskip("algoconf.tuners.smac")
    tuner = smac.SMACTuner(problem, seed=0)
    drive(tuner, 14)  # past SMAC's initial design: the forest has been fitted and asked
    forest = tuner.smac._model._rf
    assert forest is not None, "SMAC never fitted its model in 14 runs"
    assert forest.n_jobs == 1
