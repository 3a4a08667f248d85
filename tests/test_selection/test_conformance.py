"""Every registered selector passes the conformance suite on the project's own ASlib scenario."""

from __future__ import annotations

import pytest

from algoconf.selection.data.aslib import load_aslib
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.registry import SELECTORS, make_selector
from algoconf.selection.offline.survival import survival_available
from algoconf.testing.selectors import check_selector

FAST = {
    "regression": {"n_estimators": 20},
    "pairwise": {"n_estimators": 10, "max_algorithms": 4},
    "survival-forest": {"n_estimators": 10, "max_algorithms": 3},
    "auto": {"max_runs": 3, "inner_folds": 2, "families": ("sunny",)},
    "pairwise-regression": {"n_estimators": 8, "max_algorithms": 4},
    "stack": {"member_params": {"regression": {"n_estimators": 10}, "pairwise": {"n_estimators": 8, "max_algorithms": 4},
                                "pairwise-regression": {"n_estimators": 8, "max_algorithms": 4}}},
}


@pytest.fixture(scope="module")
def mini_data(request):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "aslib_mini"
    return PerformanceData.from_aslib(load_aslib(path))


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n == "auto" else n for n in sorted(SELECTORS)]
)
def test_selector_conforms(name, mini_data):
    if name == "survival-forest" and not survival_available():
        pytest.skip("scikit-survival is not installed")
    params = dict(FAST.get(name, {}), random_state=3)
    check_selector(lambda: make_selector(name, **params), mini_data)


@pytest.mark.parametrize("name", ["regression", "sunny"])
def test_selector_with_presolving_conforms(name, mini_data):
    params = dict(FAST.get(name, {}), random_state=1, presolve=0.1)
    check_selector(lambda: make_selector(name, **params), mini_data)
