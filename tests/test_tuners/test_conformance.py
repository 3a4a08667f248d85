"""The conformance suite on every registered tuner (skipping those whose optional backend is absent)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from algoconf.testing import tuners as suite
from algoconf.tuners import TUNERS, TuningProblem, get_tuner


def _runs(cls, base: int) -> int:
    """Model-based tuners refit a surrogate per proposal: the same checks on fewer runs."""
    return max(10, base // 4) if cls.needs_model else base


def _available(name: str):
    try:
        return get_tuner(name)
    except ImportError as err:  # optional backend (extra) missing
        pytest.skip(f"{name}: optional dependency not installed ({err})")


@pytest.mark.parametrize("name", sorted(TUNERS))
def test_proposals_valid(name, problem):
    cls = _available(name)
    suite.check_proposals_valid(cls, replace(problem, max_runs=None), runs=_runs(cls, 60))


@pytest.mark.parametrize("name", sorted(TUNERS))
def test_budget_respected_and_ask_after_budget_is_empty(name, problem):
    cls = _available(name)
    suite.check_budget(cls, replace(problem, max_runs=_runs(cls, problem.max_runs)))


@pytest.mark.parametrize("name", sorted(TUNERS))
def test_a_settled_tuner_asks_nothing(name, problem):
    cls = _available(name)
    suite.check_settled(cls, replace(problem, max_runs=_runs(cls, problem.max_runs)))


def test_acband_settles_when_its_run_budget_is_used(problem):
    tuner = get_tuner("acband")(replace(problem, max_runs=80), seed=0)
    assert not tuner.settled
    suite.drive(tuner, 10_000)
    assert tuner.settled and tuner.ask(8) == []


@pytest.mark.parametrize("name", sorted(TUNERS))
def test_state_roundtrip_continues_exactly(name, problem):
    cls = _available(name)
    suite.check_state_roundtrip(cls, replace(problem, max_runs=None), runs=_runs(cls, 60))


@pytest.mark.parametrize("name", sorted(TUNERS))
def test_capping_for_runtime_off_for_quality_and_by_option(name, problem):
    cls = _available(name)
    # few instances, so that model-based tuners (fewer runs) reach a comparison with an incumbent;
    # a cutoff well above the synthetic runtimes, so that a cap over several pairs stays below it
    suite.check_capping(cls, replace(problem, instances=problem.instances[:4], max_runs=None, cutoff=30.0),
                        runs=_runs(cls, 60))


@pytest.mark.parametrize("name", sorted(TUNERS))
def test_deterministic_problem_never_repeats_a_run(name, problem):
    cls = _available(name)
    det = replace(problem, instances=problem.instances[:5], deterministic=True, max_runs=None)
    suite.check_proposals_valid(cls, det, runs=_runs(cls, 50))


def _corpus() -> list[Path]:
    root = Path(__file__).resolve().parents[1] / "data" / "pcs"
    return sorted(p for p in root.glob("*") if p.suffix in (".pcs", ".txt", ".json")) if root.is_dir() else []


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TUNERS))
def test_proposals_valid_on_real_solver_spaces(name):
    """Every proposal on the space helper's corpus of real solver spaces is valid."""
    files = _corpus()
    if not files:
        pytest.skip("tests/data/pcs/ (space helper's corpus) not present")
    space_module = pytest.importorskip("algoconf.space")
    cls = _available(name)
    checked = 0
    if cls.needs_model:  # a surrogate per space is costly: the three largest spaces only
        files = sorted(files, key=lambda p: p.stat().st_size)[-3:]
    for path in files:
        try:
            space = space_module.read_space(path)
        except Exception:  # noqa: BLE001 - corpus files meant to be rejected are the space helper's business
            continue
        prob = TuningProblem(space=space, instances=("a", "b", "c", "d"), cutoff=5.0)
        suite.check_proposals_valid(cls, prob, runs=_runs(cls, 24) // (2 if cls.needs_model else 1))
        checked += 1
    assert checked > 0
