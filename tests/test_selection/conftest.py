"""Shared fixtures: where the (GPLv3, never copied) ASlib reference data lives, if anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from algoconf.benchmarking.reference_data import ASLIB_ENV, aslib_root

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "data" / "aslib_mini"


def aslib_scenario_dir(name: str) -> Path:
    """The directory of a reference scenario, or skip the test with the reason."""
    root = aslib_root()
    if root is None:
        pytest.skip(f"ASlib reference data absent: set {ASLIB_ENV} or provide ../shared/data/aslib")
    path = root / name
    if not path.is_dir():
        pytest.skip(f"ASlib scenario {name} absent under {root}")
    return path


@pytest.fixture
def aslib_dir():
    """``aslib_dir("SAT11-INDU")`` -> the scenario's directory, or skip the test with the reason."""
    return aslib_scenario_dir


@pytest.fixture
def mini_dir() -> Path:
    """The project's own small ASlib scenario (always present in the repository)."""
    return MINI
