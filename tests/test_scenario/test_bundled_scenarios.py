"""Every ready-to-run scenario shipped in scenarios/ passes `algoconf scenario check`.

Generated instances are cached in each scenario's .algoconf/ folder (git-ignored), as in real use.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from algoconf.cli.scenario_cmd import check_summary

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted(REPO.glob("scenarios/*/scenario.yaml")) + sorted(REPO.glob("scenarios/*/scenario.txt"))


@pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios in scenarios/")
@pytest.mark.parametrize("path", BUNDLED, ids=[p.parent.name for p in BUNDLED])
def test_bundled_scenario_is_valid(path):
    summary = check_summary(path)
    assert summary["valid"] and summary["train"]["count"] > 0
    assert summary["space"]["parameters"] > 0
    if summary["objective"] == "runtime":
        assert summary["cutoff"] > 0
    assert summary["warnings"] == []
