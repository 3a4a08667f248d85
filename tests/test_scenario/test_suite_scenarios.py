"""The tuner-suite scenarios (issue 21): they load, have >= 50/50 seeded instances, CPU-time cutoffs
and a CPU budget, and their generators are deterministic (the same spec writes the same bytes)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from algoconf.scenario import load_scenario

REPO = Path(__file__).resolve().parents[2]
SUITE = sorted(p.name for p in (REPO / "scenarios").glob("*-suite"))


def test_the_suite_has_scenarios_of_two_solvers_at_least():
    assert len(SUITE) >= 2
    runners = {load_scenario(REPO / "scenarios" / name / "scenario.yaml").target.runner for name in SUITE}
    assert len(runners) >= 2


@pytest.fixture(scope="module", params=SUITE)
def scenario(request):
    return load_scenario(REPO / "scenarios" / request.param / "scenario.yaml")


def test_suite_scenario_shape(scenario):
    assert scenario.objective == "runtime" and scenario.time_kind == "cpu"
    assert len(scenario.train) >= 50 and len(scenario.test) >= 50
    assert not set(scenario.train.names) & set(scenario.test.names)
    assert 0 < scenario.cutoff <= 5
    assert scenario.budget.cpu_time is not None and scenario.budget.cpu_time >= 100 * scenario.cutoff
    readme = scenario.root / "README.md"
    assert readme.is_file(), "every suite scenario documents its measurements in README.md"
    text = readme.read_text()
    assert scenario.name in text and "PAR10" in text


def _generate(spec, out: Path, n: int = 2) -> list[bytes]:
    module, name = spec["generator"].split(":")
    func = getattr(importlib.import_module(module), name)
    paths = func(out, n, spec["seed"], **dict(spec.get("kwargs") or {}))
    return [Path(p).read_bytes() for p in paths]


def test_suite_generators_are_deterministic(scenario, tmp_path):
    train, test = dict(scenario.train.source), dict(scenario.test.source)
    first = _generate(train, tmp_path / "a")
    assert first == _generate(train, tmp_path / "b")  # same spec, same bytes
    assert first[0] != first[1]  # instances of a batch differ
    assert set(first).isdisjoint(_generate(test, tmp_path / "c"))  # the test seed gives other instances
    # the scenario's own (cached) first training instance is the generator's first file
    assert scenario.train.instances[0].path.read_bytes() == first[0]
