"""``algoconf.select`` / ``algoconf.evaluate_selector`` on an ASlib folder: the same numbers as the
library calls they stand for."""

from __future__ import annotations

from pathlib import Path

import pytest

import algoconf
from algoconf.errors import SelectionInputError
from algoconf.selection.data.aslib import load_aslib
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.evaluation import evaluate
from algoconf.selection.offline.registry import make_selector

MINI = Path(__file__).resolve().parents[1] / "data" / "aslib_mini"


def test_evaluate_selector_matches_the_library_evaluation():
    report = algoconf.evaluate_selector(MINI, "regression", seed=1)
    data = PerformanceData.from_aslib(load_aslib(MINI))
    expected = evaluate(lambda: make_selector("regression", random_state=1), data)
    assert report.selector == expected.selector
    assert report.par10 == pytest.approx(expected.par10) and report.gap_closed == pytest.approx(expected.gap_closed)


def test_select_returns_a_fitted_selector():
    selector = algoconf.select(MINI, "single-best")
    data = PerformanceData.from_aslib(load_aslib(MINI))
    assert selector.algorithms_ == data.algorithms
    plans = selector.predict(data.features[:3])
    assert len(plans) == 3 and all(plan[0][0] in data.algorithms for plan in plans)


def test_a_folder_that_is_not_aslib_is_one_line_of_bad_input(tmp_path):
    with pytest.raises(SelectionInputError, match="ASlib scenario folder"):
        algoconf.evaluate_selector(tmp_path)
