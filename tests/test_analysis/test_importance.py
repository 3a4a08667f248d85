"""Parameter importance (fANOVA via Optuna) from the configurations a run tried, and its report section."""

from __future__ import annotations

import sys

import pytest
from ConfigSpace import ConfigurationSpace

from algoconf.analysis.importance import MIN_CONFIGURATIONS, parameter_importance
from algoconf.errors import MissingExtraError

pytest.importorskip("optuna", reason="parameter importance needs Optuna (extra [optuna])")


def _sampled(n: int, cost):
    space = ConfigurationSpace({"x": (0.0, 1.0), "y": (0.0, 1.0), "mode": ["a", "b"]}, seed=1)
    configs = {str(i): dict(c) for i, c in enumerate(space.sample_configuration(n))}
    return space, configs, {k: cost(c) for k, c in configs.items()}


def test_the_parameter_that_drives_the_cost_gets_the_importance():
    space, configs, costs = _sampled(40, lambda c: 10 * c["x"] + 0.1 * c["y"])
    found = parameter_importance(space, configs, costs, seed=0)
    assert list(found.importances)[0] == "x" and found.importances["x"] > 0.9
    assert sum(found.importances.values()) == pytest.approx(1.0)
    assert found.n_configurations == 40 and found.left_out == ()


def test_too_few_configurations_give_none():
    space, configs, costs = _sampled(MIN_CONFIGURATIONS - 1, lambda c: c["x"])
    assert parameter_importance(space, configs, costs) is None


def test_without_optuna_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)
    space, configs, costs = _sampled(20, lambda c: c["x"])
    with pytest.raises(MissingExtraError, match=r'pip install "algoconf\[optuna\]"'):
        parameter_importance(space, configs, costs)


def test_the_report_of_a_run_shows_importance_and_every_configuration(tmp_path):
    from algoconf.analysis.report import build_report
    from algoconf.testing.tuners import synthetic_run

    synthetic_run(str(tmp_path / "run"), str(tmp_path / "scenario"), "random", runs=60)
    report = build_report(tmp_path / "run", tmp_path / "report.html")
    html = report.html.read_text()
    assert 'id="importance"' in html and 'id="configurations"' in html
    shares = report.summary["importance"]
    assert shares and sum(shares.values()) == pytest.approx(1.0)
    assert report.summary["configurations"] >= MIN_CONFIGURATIONS
    assert any(p.name == "report-importance.png" for p in report.figures)
