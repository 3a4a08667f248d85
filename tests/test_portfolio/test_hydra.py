"""Hydra portfolios: the marginal cost in cost_of, and a portfolio that beats the single best."""

from __future__ import annotations

import json
import shutil
import math
from pathlib import Path

import pytest

from algoconf.records import RunRequest, RunResult, Status
from algoconf.tuners.base import TuningProblem
from algoconf.tuners.evidence import cost_of


def _problem(portfolio=None) -> TuningProblem:
    from ConfigSpace import ConfigurationSpace

    return TuningProblem(space=ConfigurationSpace(), instances=("i0", "i1"), cutoff=10.0, par_factor=10.0,
                         extra={} if portfolio is None else {"portfolio_costs": portfolio})


def _result(status: Status, runtime: float, instance: str = "i0") -> RunResult:
    return RunResult(RunRequest({"mode": "a"}, instance, 1, 10.0), status, runtime)


def test_cost_of_takes_min_with_portfolio_and_keeps_censoring():
    problem = _problem({"i0": 2.0})
    fast = cost_of(problem, _result(Status.SUCCESS, 0.5))
    assert (fast.value, fast.exact) == (0.5, True)
    slow = cost_of(problem, _result(Status.SUCCESS, 5.0))
    assert (slow.value, slow.exact) == (2.0, True)
    timeout = cost_of(problem, _result(Status.TIMEOUT, 10.0))
    assert (timeout.value, timeout.exact) == (2.0, True)
    # capped below the portfolio: min(c, 2) >= 1 is all we know -> lower bound 1
    capped_low = cost_of(problem, _result(Status.CAPPED, 1.0))
    assert (capped_low.value, capped_low.exact) == (1.0, False)
    # capped at or above the portfolio: min(c, 2) = 2 exactly
    capped_high = cost_of(problem, _result(Status.CAPPED, 3.0))
    assert (capped_high.value, capped_high.exact) == (2.0, True)
    # instances without a portfolio cost, and problems without a portfolio, keep the own cost
    other = cost_of(problem, _result(Status.TIMEOUT, 10.0, instance="i1"))
    assert (other.value, other.exact) == (100.0, True)
    plain = cost_of(_problem(), _result(Status.SUCCESS, 5.0))
    assert (plain.value, plain.exact) == (5.0, True)


def _scenario(root: Path, runs: int = 40):
    from algoconf.scenario import load_scenario
    from algoconf.testing.portfolio_target import COMPLEMENTARY_PCS

    root.mkdir(parents=True, exist_ok=True)
    (root / "space.pcs").write_text(COMPLEMENTARY_PCS)
    train = ", ".join(f"i{j}" for j in range(10))
    test = ", ".join(f"t{j}" for j in range(6))
    (root / "scenario.yaml").write_text(
        "name: complementary\n"
        "target:\n  callable: \"algoconf.testing.portfolio_target:complementary_target\"\n"
        f"space: space.pcs\ntrain: {{names: [{train}]}}\ntest: {{names: [{test}]}}\n"
        f"objective: runtime\ncutoff: 5.0\nbudget: {{runs: {runs}}}\nseed: 3\n")
    return load_scenario(root / "scenario.yaml")


def _answer(request: RunRequest) -> RunResult:
    from algoconf.testing.portfolio_target import complementary_target

    out = complementary_target(dict(request.config), request.instance, request.seed, request.cutoff)
    if out["status"] == "SUCCESS" and request.limit is not None and out["runtime"] > request.limit:
        return RunResult(request, Status.CAPPED, request.limit)
    return RunResult(request, Status(out["status"]), out["runtime"])


def test_hydra_two_members_beat_single_best(tmp_path):
    tuner = "random"
    from algoconf.portfolio.hydra import build_portfolio
    from algoconf.tuners.simulated import SimulatedExecutor

    scenario = _scenario(tmp_path / "scen")
    executor = SimulatedExecutor(_answer)
    try:
        result = build_portfolio(scenario, tmp_path / "out", 2, tuner, executor)
    finally:
        executor.close()
    assert len(result.members) == 2
    modes = {m.config["mode"] for m in result.members}
    assert len(modes) == 2, modes
    # the portfolio's virtual best is strictly better than its single best member, on train and test
    assert result.train.vbs < 0.8 * result.train.sbs
    assert result.test is not None and result.test.vbs < 0.8 * result.test.sbs
    its = result.iterations
    assert its[1]["portfolio_train_cost_after"] < its[1]["portfolio_train_cost_before"]
    saved = json.loads((tmp_path / "out" / "portfolio.json").read_text())
    assert saved["test"]["vbs"] == pytest.approx(result.test.vbs)
    # resuming reads the finished iterations back and gives the same portfolio
    executor = SimulatedExecutor(_answer)
    try:
        again = build_portfolio(scenario, tmp_path / "out", 2, tuner, executor)
    finally:
        executor.close()
    assert [m.key for m in again.members] == [m.key for m in result.members]
    assert again.train == result.train


def test_cli_portfolio_build_json(tmp_path, capsys):
    from algoconf.cli.main import main

    _scenario(tmp_path / "scen", runs=30)
    code = main(["portfolio", "build", str(tmp_path / "scen" / "scenario.yaml"), "--size", "2",
                 "--tuner", "random", "--out", str(tmp_path / "out"), "--no-selector", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["members"]) >= 1
    assert data["vbs_train"] <= data["sbs_train"] and math.isfinite(data["vbs_test"])
    assert (tmp_path / "out" / "iter-1" / "member.json").is_file()


def test_cli_rejects_bad_size(tmp_path, capsys):
    from algoconf.cli.main import main

    _scenario(tmp_path / "scen")
    code = main(["portfolio", "build", str(tmp_path / "scen" / "scenario.yaml"), "--size", "0",
                 "--tuner", "random", "--out", str(tmp_path / "out")])
    assert code == 2


@pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")
def test_hydra_on_real_minisat(tmp_path):
    """A tiny Hydra run on the real solver: members are real configurations, every cost is exact,
    and the portfolio's virtual best is never worse than its single best member."""
    from algoconf.portfolio.hydra import build_portfolio
    from algoconf.scenario import load_scenario
    from algoconf.run.session import build_executor

    pcs = Path(__file__).resolve().parents[2] / "runners" / "minisat" / "params.pcs"
    gen = "generator: \"algoconf.instances.generators:random_ksat\"\n  kwargs: {variables: 150, ratio: 4.26}\n"
    (tmp_path / "scenario.yaml").write_text(
        f"name: minisat-tiny\ntarget:\n  runner: minisat\nspace: {pcs}\n"
        f"train:\n  {gen}  n: 5\n  seed: 1\ntest:\n  {gen}  n: 5\n  seed: 2\n"
        "objective: runtime\ncutoff: 2\ntime_kind: cpu\nbudget: {runs: 12}\nseed: 1\n")
    scenario = load_scenario(tmp_path / "scenario.yaml")
    executor = build_executor(scenario, 2)
    try:
        result = build_portfolio(scenario, tmp_path / "out", 2, "random", executor, workers=2)
    finally:
        executor.close()
    assert 1 <= len(result.members) <= 2
    assert result.train.vbs <= result.train.sbs and result.test.vbs <= result.test.sbs
    assert all(len(m.train_costs) == 5 for m in result.members)
    assert result.test.vbs_solved is not None and result.test.n == 5
