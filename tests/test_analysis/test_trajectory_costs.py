"""Incumbents on a fixed instance set (algoconf/analysis/trajectory_costs.py), runs answered by a
virtual executor: which configurations are evaluated, where they sit in time, resuming, sharing runs
with the ablation, and the report's figure and table."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from algoconf.analysis.ablation import run_ablation
from algoconf.analysis.trajectory_costs import load_trajectory_costs, run_trajectory_costs
from algoconf.errors import InputError
from algoconf.execution.virtual import VirtualExecutor
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.scenario import load_scenario
from algoconf.space import active_config, default_config, read_space

REPO = Path(__file__).resolve().parents[2]
MINISAT = read_space(REPO / "runners" / "minisat" / "params.pcs")
SCENARIO = """
name: fake-trajectory
target:
  runner: minisat
space: {space}
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: 6
  seed: 1
  kwargs: {{variables: 20, ratio: 4.26}}
objective: runtime
cutoff: 5
par_factor: 10
seed: 4
"""


def _minisat(**changes):
    values = dict(default_config(MINISAT))
    values.update(changes)
    return active_config(MINISAT, values)


DEFAULT = _minisat()
BETTER = _minisat(luby="off")
BEST = _minisat(luby="off", rfirst=50)
FIXED = {config_key(DEFAULT): 2.0, config_key(BETTER): 1.0, config_key(BEST): 0.5}


def virtual(log: list | None = None) -> VirtualExecutor:
    def answer(request):
        if log is not None:
            log.append(request.key)
        t = FIXED.get(request.config_key, 1.5)  # the ablation's intermediate configurations
        return RunResult(request, Status.SUCCESS, t, t)
    return VirtualExecutor(answer, n_workers=2)


def make_run(tmp_path: Path, returned) -> Path:
    """A tuning history in which BETTER beats the default on an easy instance and then looks worse on
    a hard one (its estimate rises), and a run.json returning ``returned``."""
    scenario_path = tmp_path / "scenario.yaml"
    scenario_path.write_text(SCENARIO.format(space=REPO / "runners" / "minisat" / "params.pcs"))
    scenario = load_scenario(scenario_path)
    easy, hard = scenario.train.names[:2]
    run_dir = tmp_path / "run"
    t0 = time.time() - 100
    rows = [(DEFAULT, easy, 0.4), (BETTER, easy, 0.2), (BETTER, hard, 3.0), (DEFAULT, hard, 4.0)]
    with RunHistory.open(run_dir, scenario) as history:
        for k, (config, inst, t) in enumerate(rows):
            history.commit([RunResult(RunRequest(config, inst, 1, 5.0), Status.SUCCESS, t, t,
                                      started=t0 + 10 * k, finished=t0 + 10 * k + t)])
    (run_dir / "run.json").write_text(json.dumps({"scenario": str(scenario_path), "tuner": "random", "seed": 4,
                                                  "outcome": {"incumbent": returned}}))
    return run_dir


def test_every_incumbent_is_run_on_the_same_pairs_and_placed_when_it_became_incumbent(tmp_path):
    run_dir = make_run(tmp_path, BETTER)
    log: list = []
    tc = run_trajectory_costs(run_dir, 3, executor=virtual(log))
    assert tc.complete and len(tc.pairs) == 3
    assert [p.config_key for p in tc.points] == [config_key(DEFAULT), config_key(BETTER)]
    assert [p.cost for p in tc.points] == [2.0, 1.0]  # the fixed-pair costs, not the tuner's estimates
    assert tc.default_cost == 2.0
    became = tc.points[1]
    assert became.run == 2 and became.tuner_cost == pytest.approx(0.2)
    assert became.wallclock == pytest.approx(10.2, abs=0.01) and became.cpu_time == pytest.approx(0.6)
    assert len(log) == 2 * 3 and tc.runs["new"] == 6  # the default once, though it is also the first incumbent
    assert load_trajectory_costs(run_dir).to_dict() == tc.to_dict()
    # a rerun is answered from the analyses' history
    again_log: list = []
    again = run_trajectory_costs(run_dir, 3, executor=virtual(again_log))
    assert again_log == [] and again.runs["new"] == 0 and [p.cost for p in again.points] == [2.0, 1.0]


def test_a_returned_incumbent_the_replay_never_chose_comes_last_at_the_end_of_the_run(tmp_path):
    run_dir = make_run(tmp_path, BEST)  # BEST never ran in the tuning history
    tc = run_trajectory_costs(run_dir, 2, executor=virtual())
    assert [p.config_key for p in tc.points] == [config_key(DEFAULT), config_key(BETTER), config_key(BEST)]
    last = tc.points[-1]
    assert last.returned and math.isnan(last.tuner_cost) and last.cost == 0.5
    assert last.wallclock == pytest.approx(tc.end_wallclock) and last.run == 4
    # the stored file is strict JSON (no NaN for the missing tuner estimate) and reads back the same
    text = (run_dir / "trajectory_costs.json").read_text()
    stored = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in trajectory_costs.json"))
    assert stored["points"][-1]["tuner_cost"] is None
    assert math.isnan(load_trajectory_costs(run_dir).points[-1].tuner_cost)


def test_the_ablation_and_the_trajectory_share_their_runs(tmp_path):
    run_dir = make_run(tmp_path, BEST)
    run_trajectory_costs(run_dir, 3, executor=virtual())
    log: list = []
    ab = run_ablation(run_dir, 3, executor=virtual(log))
    # default, BETTER (= the luby step) and BEST ran already: only the rfirst-first candidate is new
    assert ab.runs["new"] == len(log) == 3
    assert [s.parameter for s in ab.steps] == [None, "luby", "rfirst"]


def test_bad_sizes_are_refused_before_any_run(tmp_path):
    run_dir = make_run(tmp_path, BETTER)
    log: list = []
    for n in (0, -3):
        with pytest.raises(InputError):
            run_trajectory_costs(run_dir, n, executor=virtual(log))
    assert log == []


def test_the_report_draws_the_fixed_set_convergence(tmp_path):
    pytest.importorskip("matplotlib")
    from algoconf.analysis.report import build_report

    run_dir = make_run(tmp_path, BETTER)
    run_trajectory_costs(run_dir, 3, executor=virtual())
    report = build_report(run_dir, tmp_path / "report.html")
    html = report.html.read_text()
    assert any(p.name == "report-convergence-fixed.png" for p in report.figures)
    assert 'id="trajectory-fixed"' in html and "3 fixed training pairs" in html
    assert [p["cost"] for p in report.summary["trajectory_costs"]["points"]] == [2.0, 1.0]


def test_the_report_shows_the_ablation_and_warns_when_it_ends_elsewhere(tmp_path):
    pytest.importorskip("matplotlib")
    from algoconf.analysis.report import build_report

    run_dir = make_run(tmp_path, BEST)
    before = build_report(run_dir, tmp_path / "before.html")
    assert "No ablation yet" in before.html.read_text() and "ablation" not in before.summary
    run_ablation(run_dir, 3, executor=virtual())
    report = build_report(run_dir, tmp_path / "report.html")
    html = report.html.read_text()
    table = html.split('id="ablation"')[1].split("</table>")[0]
    assert table.count("<tr") == 1 + 3 and "luby" in table and "rfirst" in table
    assert any(p.name == "report-ablation.png" for p in report.figures)
    steps = report.summary["ablation"]["steps"]
    assert [s["cost"] for s in steps] == [2.0, 1.0, 0.5] and steps[1]["share"] == pytest.approx(2 / 3)
    assert "ends at another configuration" not in html
    info = json.loads((run_dir / "run.json").read_text())
    info["outcome"]["incumbent"] = BETTER  # the run went on after the ablation
    (run_dir / "run.json").write_text(json.dumps(info))
    assert "ends at another configuration" in build_report(run_dir, tmp_path / "after.html").html.read_text()
