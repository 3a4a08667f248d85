"""The selector over a Hydra portfolio: features, the complete censored matrix, the model select run plays."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from algoconf.errors import InputError, SelectionInputError
from algoconf.records import RunRequest, RunResult, Status

FAMILIES = ("[{generator: random_ksat, kwargs: {variables: 20, ratio: 4.26}}, "
            "{generator: pigeonhole, kwargs: {holes: 3}}]")


def _family(instance: str) -> str:
    return "b" if "pigeonhole" in instance else "a"


def _answer(request: RunRequest) -> RunResult:
    """Mode a is fast on random 3-SAT and times out on pigeonhole; b the reverse; c mediocre."""
    from algoconf.testing.portfolio_target import family_target

    out = family_target(dict(request.config), request.instance, request.seed, request.cutoff)
    return RunResult(request, Status(out["status"]), out["runtime"])


def _mixed_scenario(root: Path, *, features: str | None = "{extractor: cnf, groups: [base]}", runs: int = 40):
    from algoconf.scenario import load_scenario
    from algoconf.testing.portfolio_target import COMPLEMENTARY_PCS

    root.mkdir(parents=True, exist_ok=True)
    (root / "space.pcs").write_text(COMPLEMENTARY_PCS)
    gen = "generator: \"algoconf.instances.generators.mixed:mixed_families\"\n  kwargs: {families: " + FAMILIES + "}\n"
    (root / "scenario.yaml").write_text(
        "name: mixed-fake\n"
        "target:\n  callable: \"algoconf.testing.portfolio_target:family_target\"\n"
        f"space: space.pcs\ntrain:\n  {gen}  n: 10\n  seed: 1\ntest:\n  {gen}  n: 6\n  seed: 2\n"
        + (f"features: {features}\n" if features else "")
        + f"objective: runtime\ncutoff: 5.0\nbudget: {{runs: {runs}}}\nseed: 3\ninstance_cache: inst\n")
    return load_scenario(root / "scenario.yaml")


@pytest.fixture(autouse=True)
def _feature_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ALGOCONF_CACHE", str(tmp_path / "cache"))


def _portfolio(scenario, out: Path):
    from algoconf.portfolio.hydra import build_portfolio
    from algoconf.tuners.simulated import SimulatedExecutor

    executor = SimulatedExecutor(_answer)
    try:
        return build_portfolio(scenario, out, 3, "random", executor)
    finally:
        executor.close()


def test_selector_picks_the_member_of_each_family(tmp_path):
    from algoconf.selection.model_io import load_model
    from algoconf.features import compute_features
    from algoconf.portfolio.selector import MODEL_FILE, train_portfolio_selector
    from algoconf.tuners.simulated import SimulatedExecutor

    scenario = _mixed_scenario(tmp_path / "scen")
    result = _portfolio(scenario, tmp_path / "out")
    # iteration 1 finds the mediocre all-rounder c, then the specialists join
    assert {m.config["mode"] for m in result.members} == {"a", "b", "c"}
    assert all(len(m.train_runs) == 10 for m in result.members)  # Hydra kept its evaluation runs
    executor = SimulatedExecutor(_answer)
    try:
        training = train_portfolio_selector(scenario, result.members, executor, tmp_path / "out",
                                            selector="regression", params={"n_estimators": 10})
    finally:
        executor.close()
    assert training.rerun_pairs == 0 and training.selector == "regression" and not training.playable
    assert training.features.extractor == "cnf" and training.used_steps == ["base"]
    cv = training.cv
    # the families are told apart by the base features: CV PAR10 far below the single best member's
    assert cv["n_instances"] == 10 and cv["solved"] == 1.0 and cv["feature_cost"] == "charge"
    assert cv["vbs_par10"] <= cv["par10"] < 0.5 * cv["sbs_par10"]
    model = load_model(tmp_path / "out" / MODEL_FILE)
    assert model["extractor"] == "cnf" and set(model["configurations"]) == set(training.members)
    # on the test instances (never seen) the model picks mode a for 3-SAT, mode b for pigeonhole
    paths = [str(i.path) for i in scenario.test]
    comp = compute_features(paths, extractor="cnf", groups=["base"])
    plans = model["selector"].predict(comp.values.to_numpy(dtype=float))
    picked = [model["configurations"][p[0][0]]["config"]["mode"] for p in plans]
    assert picked == [_family(i.name) for i in scenario.test]
    saved = json.loads((tmp_path / "out" / "selector.json").read_text())
    assert saved["members"] == training.members
    # a callable target cannot be played by select run: it says so instead of guessing
    from algoconf.selection.run import resolve_algorithms

    with pytest.raises(SelectionInputError, match="not a runner"):
        resolve_algorithms(model)


def test_recommended_selector_must_beat_the_single_best_member_in_cv(tmp_path):
    from algoconf.portfolio.selector import train_portfolio_selector
    from algoconf.selection.offline.registry import RECOMMENDED
    from algoconf.tuners.simulated import SimulatedExecutor

    scenario = _mixed_scenario(tmp_path / "scen")
    result = _portfolio(scenario, tmp_path / "out")
    executor = SimulatedExecutor(_answer)
    try:
        # specialists told apart by features: the recommended selector wins and is kept
        mixed = train_portfolio_selector(scenario, result.members, executor, tmp_path / "mixed")
        # one member: nothing to select; the single best is as good and costs no features
        alone = train_portfolio_selector(scenario, result.members[:1], executor, tmp_path / "alone")
        # a named selector is kept even then, with the single best's figure beside it
        named = train_portfolio_selector(scenario, result.members[:1], executor, tmp_path / "named",
                                         selector="regression", params={"n_estimators": 5})
    finally:
        executor.close()
    assert mixed.requested == RECOMMENDED and mixed.selector == RECOMMENDED
    assert mixed.cv_par10_by_selector[RECOMMENDED] < mixed.cv_par10_by_selector["single-best"]
    assert alone.requested == RECOMMENDED and alone.selector == "single-best"
    assert alone.cv["par10"] == alone.cv_par10_by_selector["single-best"] and alone.used_steps == []
    assert named.selector == "regression" and set(named.cv_par10_by_selector) == {"regression", "single-best"}
    saved = json.loads((tmp_path / "alone" / "selector.json").read_text())
    assert saved["selector"] == "single-best" and saved["requested"] == RECOMMENDED


def test_missing_runs_are_run_and_censoring_kept(tmp_path):
    from algoconf.portfolio.selector import FeatureSource, portfolio_data
    from algoconf.tuners.simulated import SimulatedExecutor

    scenario = _mixed_scenario(tmp_path / "scen")
    result = _portfolio(scenario, tmp_path / "out")
    stripped = [dataclasses.replace(result.members[0], train_runs={}), *result.members[1:]]
    executor = SimulatedExecutor(_answer)
    try:
        full, rerun_full = portfolio_data(scenario, result.members, executor, FeatureSource("cnf", ("base",)), seed=3)
        again, rerun = portfolio_data(scenario, stripped, executor, FeatureSource("cnf", ("base",)), seed=3)
    finally:
        executor.close()
    assert (rerun_full, rerun) == (0, 10)
    assert np.array_equal(full.time, again.time, equal_nan=True) and np.array_equal(full.event, again.event)
    assert full.observed.all()
    # a timeout stays a censored run at the cutoff, never an exact runtime
    assert (~full.event).any() and np.all(full.time[~full.event] == pytest.approx(5.0))
    assert list(full.feature_steps) == ["base"] and full.feature_costs.shape == (10, 1)


def test_feature_source_rules(tmp_path):
    from algoconf.portfolio.selector import feature_source

    plain = _mixed_scenario(tmp_path / "plain", features=None)
    default = feature_source(plain)
    assert default.extractor == "cnf" and default.origin == "default"
    assert "base" in default.groups and "ls" not in default.groups  # structure, not the solver probes
    spec = _mixed_scenario(tmp_path / "spec", features="{extractor: cnf, groups: [base], caps: {base: 3}}")
    src = feature_source(spec)
    assert (src.groups, dict(src.caps), src.origin) == (("base",), {"base": 3}, "scenario")
    from tests.test_portfolio.test_hydra import _scenario

    names_only = _scenario(tmp_path / "names")
    with pytest.raises(InputError, match="features"):
        feature_source(names_only)


@pytest.mark.slow  # the recommended selector's 10-fold CV
def test_cli_build_with_selector_json(tmp_path, capsys):
    from algoconf.cli.main import main

    _mixed_scenario(tmp_path / "scen", runs=30)
    code = main(["portfolio", "build", str(tmp_path / "scen" / "scenario.yaml"), "--size", "2",
                 "--tuner", "random", "--out", str(tmp_path / "out"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    from algoconf.selection.offline.registry import RECOMMENDED

    assert data["selector"]["selector"] == RECOMMENDED  # the registry's recommended selector by default
    assert math.isfinite(data["selector_cv_par10"]) and data["member_names"] == data["selector"]["members"]
    assert (tmp_path / "out" / "selector.model").is_file()


def test_cli_rejects_scenario_without_usable_features(tmp_path, capsys):
    from algoconf.cli.main import main
    from tests.test_portfolio.test_hydra import _scenario

    _scenario(tmp_path / "scen")
    code = main(["portfolio", "build", str(tmp_path / "scen" / "scenario.yaml"), "--size", "1",
                 "--tuner", "random", "--out", str(tmp_path / "out")])
    assert code == 2
    assert "features" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # rejected before any run


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")
def test_build_and_select_run_on_real_minisat(tmp_path, capsys):
    """portfolio build on the real solver, then select run plays the model on new instances."""
    from algoconf.cli.main import main

    pcs = Path(__file__).resolve().parents[2] / "runners" / "minisat" / "params.pcs"
    fams = ("[{generator: random_ksat, kwargs: {variables: 120, ratio: 4.26}}, "
            "{generator: pigeonhole, kwargs: {holes: 6}}]")
    gen = "generator: \"algoconf.instances.generators.mixed:mixed_families\"\n  kwargs: {families: " + fams + "}\n"
    (tmp_path / "scenario.yaml").write_text(
        f"name: minisat-mixed-tiny\ntarget:\n  runner: minisat\nspace: {pcs}\n"
        f"train:\n  {gen}  n: 6\n  seed: 1\ntest:\n  {gen}  n: 4\n  seed: 2\n"
        "objective: runtime\ncutoff: 2\ntime_kind: cpu\nbudget: {runs: 8}\nseed: 1\ninstance_cache: inst\n")
    code = main(["portfolio", "build", str(tmp_path / "scenario.yaml"), "--size", "2", "--tuner", "random",
                 "--workers", "2", "--out", str(tmp_path / "out"), "--selector", "pairwise", "--param", "n_estimators=10", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["selector"]["playable"] and data["selector"]["features"]["extractor"] == "cnf"
    tests = sorted(str(p) for p in (tmp_path / "inst").rglob("*.cnf") if "-2-" in p.name)[:2]
    assert len(tests) == 2
    code = main(["select", "run", data["selector"]["model"], *tests, "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["status"] for o in out["instances"]] == ["SUCCESS", "SUCCESS"]
    assert all(o["chosen"] in data["member_names"] and o["feature_cost"] > 0 for o in out["instances"])


def test_portfolio_building_reports_progress_of_every_phase(tmp_path):
    from algoconf.portfolio.hydra import build_portfolio
    from algoconf.portfolio.selector import train_portfolio_selector
    from algoconf.tuners.simulated import SimulatedExecutor

    scenario = _mixed_scenario(tmp_path / "scen", runs=20)
    updates = []
    executor = SimulatedExecutor(_answer)
    try:
        result = build_portfolio(scenario, tmp_path / "out", 2, "random", executor, progress=updates.append)
        train_portfolio_selector(scenario, result.members, executor, tmp_path / "out", selector="single-best",
                                 progress=updates.append)
    finally:
        executor.close()
    finals = {u.phase: u for u in updates if u.final}
    for phase in ("iteration 1: tuning", "iteration 1: train runs", "iteration 2: tuning", "test runs",
                  "selector: features"):
        assert phase in finals, (phase, sorted(finals))
    assert finals["iteration 1: tuning"].unit == "runs" and finals["iteration 1: tuning"].total == 20
    assert finals["test runs"].done == finals["test runs"].total == 6 * len(result.members)
    assert finals["selector: features"].done == 10  # 10 training instances x the base group
