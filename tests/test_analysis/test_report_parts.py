"""Parts of the report: the replayed incumbent trajectory, the censoring conventions of the figures,
and DAC outputs (a real Sigmoid evaluation trace and a real engine policy search)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from algoconf.analysis import plots
from algoconf.analysis.report import build_report
from algoconf.analysis.report_run import load_dac_trace
from algoconf.analysis.report_trajectory import incumbent_trajectory
from algoconf.errors import InputError
from algoconf.records import RunRequest, RunResult, Status, par_cost

CUTOFF = 10.0


def _result(config: str, instance: str, status: Status, runtime: float, t: float) -> RunResult:
    req = RunRequest({"x": config}, instance, 0, CUTOFF)
    return RunResult(req, status, runtime, wallclock=runtime, started=100.0 + t - runtime, finished=100.0 + t)


def _cost(r: RunResult):
    return par_cost(r, CUTOFF, 10.0)


def test_a_challenger_replaces_the_incumbent_only_with_an_exact_better_mean_on_all_its_pairs():
    S, C = Status.SUCCESS, Status.CAPPED
    results = [
        _result("a", "i1", S, 4.0, 4), _result("a", "i2", S, 4.0, 8),
        _result("b", "i1", S, 1.0, 9),  # better, but has not run i2 yet: no change
        _result("c", "i1", C, 0.5, 10), _result("c", "i2", C, 0.5, 11),  # lower bounds only: never
        _result("b", "i2", S, 1.0, 12),  # now b covers a's pairs with an exact, lower mean
    ]
    points = incumbent_trajectory(results, _cost)
    keys = [p.config_key for p in points]
    a, b = results[0].request.config_key, results[2].request.config_key
    assert keys[0] == a and keys[-1] == b
    assert results[3].request.config_key not in keys
    assert [p.run for p in points if p.config_key == b] == [6]
    last = points[-1]
    assert last.cost.value == pytest.approx(1.0) and last.cost.exact and last.n_runs == 2
    assert last.wallclock == pytest.approx(12.0) and last.cpu_time == pytest.approx(4 + 4 + 1 + 0.5 + 0.5 + 1)


def test_an_incumbent_with_a_capped_run_has_a_lower_bound_cost_and_can_still_be_beaten():
    S, C = Status.SUCCESS, Status.CAPPED
    results = [_result("a", "i1", C, 2.0, 2), _result("b", "i1", S, 1.5, 3)]
    points = incumbent_trajectory(results, _cost)
    assert not points[0].cost.exact  # a's only run was capped: its mean is at least 2
    assert points[-1].config_key == results[1].request.config_key and points[-1].cost.exact


def test_timeouts_in_the_scatter_sit_on_the_cutoff_lines():
    rows = [
        {"default_runtime": 0.5, "default_status": "SUCCESS", "incumbent_runtime": 0.2, "incumbent_status": "SUCCESS"},
        {"default_runtime": 10.2, "default_status": "TIMEOUT", "incumbent_runtime": 3.0, "incumbent_status": "SUCCESS"},
        {"default_runtime": 1.0, "default_status": "SUCCESS", "incumbent_runtime": 10.1, "incumbent_status": "TIMEOUT"},
    ]
    fig = plots.scatter_figure(rows, CUTOFF, "CPU time")
    ax = fig.axes[0]
    timeouts = [c for c in ax.collections if "timeout" in c.get_label()][0].get_offsets()
    assert sorted(map(tuple, np.asarray(timeouts))) == [(1.0, CUTOFF), (CUTOFF, 3.0)]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "[s]" in ax.get_xlabel() and "[s]" in ax.get_ylabel()


def test_a_censored_ecdf_stops_at_its_horizon_below_one():
    t = np.array([0.01, 0.1, 1.0, 5.0, CUTOFF, CUTOFF])
    c = np.array([False, False, False, False, True, True])
    fig = plots.ecdf_figure({"incumbent": (t, c)}, CUTOFF, "CPU time", "test")
    ax = fig.axes[0]
    curve = [line for line in ax.get_lines() if line.get_label().startswith("incumbent")][0]
    x, y = curve.get_data()
    assert max(x) == pytest.approx(CUTOFF) and max(y) == pytest.approx(4 / 6)
    assert ax.get_xscale() == "log"  # 0.01 .. 10 spans decades
    narrow = plots.ecdf_figure({"default": (np.array([1.0, 2.0, 3.0]), np.zeros(3, bool))}, None, "CPU time", "t")
    assert narrow.axes[0].get_xscale() == "linear"


def test_a_dac_evaluation_trace_gets_return_curves(tmp_path: Path):
    from algoconf.dac.benchmarks import make_env, named_policy
    from algoconf.dac.evaluate import evaluate_policy

    trace = tmp_path / "sigmoid.jsonl"
    result = evaluate_policy(make_env("sigmoid"), named_policy("sigmoid", "optimal"), episodes=12, trace=trace)
    loaded = load_dac_trace(trace)
    assert len(loaded.episodes) == 12
    assert np.mean([e.ret for e in loaded.episodes]) == pytest.approx(result.mean_return)
    assert all(sum(e.rewards) == pytest.approx(e.ret) for e in loaded.episodes)
    report = build_report(trace)
    assert report.kind == "dac-trace" and report.html == tmp_path / "sigmoid.html"
    assert [p.name for p in report.figures] == ["sigmoid-returns-sigmoid.png"]
    assert "data:image/png;base64," in report.html.read_text()


def test_a_malformed_trace_line_is_named(tmp_path: Path):
    trace = tmp_path / "bad.jsonl"
    trace.write_text(json.dumps({"episode": 0, "reward": 1.0}) + "\n{not json\n")
    with pytest.raises(InputError, match=r"bad.jsonl:2:"):
        load_dac_trace(trace)


@pytest.mark.slow
def test_a_dac_policy_search_run_directory_gets_a_convergence_report(tmp_path: Path):
    from algoconf.dac.engine_search import engine_search_policy

    run_dir = tmp_path / "search"
    found = engine_search_policy("sigmoid", run_dir, tuner="random", budget=6, workers=1)
    report = build_report(run_dir)
    assert report.kind == "dac-search"
    assert [p.name for p in report.figures] == ["report-convergence.png"]
    assert report.summary["runs"] == 6
    html = report.html.read_text()
    assert "DAC policy search" in html and 'id="parameters"' in html
    # with one worker the replay ends with the tuner's incumbent (ROAR's rule is the replay rule)
    from algoconf.records import config_key

    assert report.summary["replayed_incumbent_key"] == config_key(found.config)


def test_the_replay_starts_from_the_default_and_needs_as_many_runs_as_the_incumbent():
    S, C = Status.SUCCESS, Status.CAPPED
    results = [
        _result("x", "i1", S, 1.0, 1),  # finishes before the default: not the start
        _result("d", "i1", C, 1.0, 1.1),  # the default, capped by x's win in the same race
        _result("d", "i2", S, 3.0, 4),
        _result("y", "i2", S, 2.0, 5),  # beats the default on i2, but has 1 run against its 2
        _result("x", "i2", S, 2.5, 6),  # 2 runs, exact mean 1.75 < default's (≥ 2) on both pairs
    ]
    d, x = results[1].request.config_key, results[0].request.config_key
    points = incumbent_trajectory(results, _cost, start=d)
    assert points[0].config_key == d and points[0].run == 2 and not points[0].cost.exact
    assert [p.config_key for p in points].count(results[3].request.config_key) == 0
    assert points[-1].config_key == x and points[-1].run == 5 and points[-1].cost.value == pytest.approx(1.75)


def test_the_quality_scatter_counts_better_instances_by_the_objective_sense():
    rows = [{"default_quality": 10.0, "incumbent_quality": 8.0}, {"default_quality": 5.0, "incumbent_quality": 6.0},
            {"default_quality": 7.0, "incumbent_quality": None}]
    title = plots.quality_scatter_figure(rows, maximize=False).axes[0].get_title()
    assert title.startswith("per test instance: incumbent better on 1 of 3, 1 without a quality")
    assert "below the diagonal" in title
    assert "above the diagonal" in plots.quality_scatter_figure(rows, maximize=True).axes[0].get_title()


def _aslib_dir() -> Path | None:
    from algoconf.benchmarking.reference_data import aslib_root

    path = aslib_root()
    return path if path is not None and (path / "CSP-2010").is_dir() else None


@pytest.mark.slow
@pytest.mark.skipif(_aslib_dir() is None, reason="ASlib data absent (set ALGOCONF_ASLIB_DIR)")
def test_saved_selection_evaluations_get_gap_closed_bars(tmp_path: Path, capsys):
    from algoconf.cli.main import main

    results = tmp_path / "selection"
    results.mkdir()
    assert main(["select", "evaluate", str(_aslib_dir() / "CSP-2010"), "--selector", "single-best", "--json"]) == 0
    evaluation = json.loads(capsys.readouterr().out)
    (results / "csp-single-best.json").write_text(json.dumps(evaluation))
    (results / "notes.json").write_text(json.dumps({"not": "selection"}))  # ignored in a folder
    report = build_report(results)
    assert report.kind == "selection"
    assert [p.name for p in report.figures] == ["report-gap-charged.png"]
    assert report.summary["best"]["CSP-2010 (feature cost charged)"]["gap_closed"] == pytest.approx(
        evaluation["gap_closed"])
    html = report.html.read_text()
    assert 'id="selection"' in html and "CSP-2010" in html and html.count("data:image/png;base64,") == 1
    with pytest.raises(InputError, match="expected selection results"):
        build_report(results / "notes.json")


def test_gap_closed_bars_cut_at_minus_one_and_keep_the_value():
    from algoconf.analysis.report_selection import SelectionEntry

    conv = "feature cost charged"
    entries = [SelectionEntry("A", "s1", conv, 10.0, 0.9, 0.5, 5.0, 15.0),
               SelectionEntry("A", "s2", conv, 40.0, 0.5, -3.0, 5.0, 15.0),
               SelectionEntry("B", "s1", conv, 1.0, 1.0, 0.9, 0.5, 2.0, published_best_gap=0.8)]
    ax = plots.gap_closed_figure(entries, conv).axes[0]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == [-1.0, 0.5, 0.9]
    assert sorted(t.get_text() for t in ax.texts) == ["-3.00", "0.50", "0.90"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]


def test_changed_parameters_are_highlighted_and_inactive_ones_named():
    from algoconf.analysis.report import _parameter_table

    default = {"a": 1, "b": "on", "c": 0.5}
    incumbent = {"a": 1, "b": "off"}  # c switched off by a condition
    html = _parameter_table(default, incumbent, {}, None)
    assert html.count('<tr class="changed">') == 2
    assert "<td>b</td><td>on</td><td>off</td>" in html and "<td>c</td><td>0.5</td><td>(inactive)</td>" in html
    assert "<tr><td>a</td><td>1</td><td>1</td>" in html
    assert "2 of 3 parameters differ" in html
