"""Progress as data: the bar's total is the budget that binds, with an ETA; the last update is
always sent; validation reports its runs; the CLI draws only on a terminal unless --progress."""

from __future__ import annotations

import argparse
import io

import pytest

from algoconf.cli.progress_view import add_progress_flags, progress_observer, wants_progress
from algoconf.execution.progress_bar import RichProgress
from algoconf.execution.progress import BudgetState, ProgressUpdate, binding_budget, map_with_progress, phase_eta
from algoconf.testing.tuners import synthetic_answer, synthetic_scenario
from algoconf.run.session import open_session
from algoconf.tuners.simulated import SimulatedExecutor


def test_the_binding_budget_is_the_one_nearest_to_its_end():
    runs = BudgetState("runs", 64, 1000)
    wall = BudgetState("wallclock", 50.0, 60.0)
    cpu = BudgetState("cpu_time", 10.0, 100.0)
    assert binding_budget([runs, wall, cpu]) is wall
    assert binding_budget([BudgetState("runs", 900, 1000), wall, cpu]).name == "runs"
    assert binding_budget([runs, BudgetState("wallclock", 1.0, None), cpu]).name == "cpu_time"
    assert binding_budget([BudgetState("runs", 3, None), BudgetState("wallclock", 1.0, None)]) is None


def test_eta_follows_the_pace_so_far():
    assert phase_eta(25, 100, 10.0) == pytest.approx(30.0)
    assert phase_eta(50.0, 60.0, 20.0, start_done=30.0) == pytest.approx(10.0)  # wall-clock: pace 1
    assert phase_eta(0, 100, 5.0) is None and phase_eta(5, None, 5.0) is None and phase_eta(100, 100, 1.0) == 0


def _observe(updates):
    return updates.append


def test_engine_bar_total_is_the_wall_clock_budget_when_it_binds(tmp_path):
    """The issue's case: a run limit of 1000 that the 1 s wall-clock budget ends long before."""
    scenario = synthetic_scenario(tmp_path / "sc", runs=1000)
    updates: list[ProgressUpdate] = []
    ex = SimulatedExecutor(synthetic_answer, n_workers=1, delay=0.01)
    with open_session(scenario, tmp_path / "run", "random", wallclock=1.0, progress=_observe(updates),
                      executor=ex) as s:
        outcome = s.run()
    assert "wall-clock" in outcome.stop_reason and outcome.runs < 1000
    tuning = [u for u in updates if u.phase == "tuning"]
    assert tuning and all(u.unit == "s" and u.total == 1.0 for u in tuning)
    assert tuning[-1].final and sum(u.final for u in tuning) == 1
    assert any(u.eta is not None and 0 < u.eta <= 1.0 for u in tuning[:-1])
    assert tuning[-1].done == max(u.done for u in tuning) and "runs" in tuning[-1].info
    assert tuning[-1].done == pytest.approx(outcome.wallclock, abs=0.05)  # the last update is the end


def test_engine_bar_total_is_the_run_budget_when_it_binds_and_the_last_update_is_sent(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=None)
    updates: list[ProgressUpdate] = []
    ex = SimulatedExecutor(synthetic_answer, n_workers=2)
    with open_session(scenario, tmp_path / "run", "random", runs=30, wallclock=1000.0, progress=_observe(updates),
                      executor=ex) as s:
        outcome = s.run()
    tuning = [u for u in updates if u.phase == "tuning"]
    assert all(u.unit == "runs" and u.total == 30 for u in tuning)
    # a fast run sends few intermediate updates (throttled), but always the last one, at the end
    last = [u for u in updates if u.final][-1]
    assert last.done == outcome.runs == 30


def test_map_with_progress_reports_every_run_at_the_end():
    updates: list[ProgressUpdate] = []
    ex = SimulatedExecutor(synthetic_answer)
    from algoconf.records import RunRequest

    requests = [RunRequest({"restarts": "luby"}, f"i{j}", j, 2.0) for j in range(7)]
    results = map_with_progress(ex, requests, _observe(updates), "validation")
    assert [r.request for r in results] == requests
    assert updates[-1] == ProgressUpdate("validation", 7, 7, "runs", 0.0, "", True)


def _args(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_progress_flags(parser)
    return parser.parse_args(list(flags))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_quiet_off_a_terminal_unless_asked():
    assert progress_observer(_args(), io.StringIO()) is None
    assert isinstance(progress_observer(_args("--progress"), io.StringIO()), RichProgress)
    assert wants_progress(None, _Terminal()) and not wants_progress(False, _Terminal())
    assert progress_observer(_args("--no-progress"), _Terminal()) is None
    with pytest.raises(SystemExit):
        _args("--progress", "--no-progress")


def test_the_renderer_draws_phases_with_their_totals_and_the_final_state():
    out = io.StringIO()
    view = RichProgress(out)
    view(ProgressUpdate("tuning", 12.0, 60.0, "s", 48.0, "runs 7"))
    view(ProgressUpdate("tuning", 60.0, 60.0, "s", 0.0, "runs 30", final=True))
    view(ProgressUpdate("validation", 80, 80, "runs", 0.0, final=True))
    view.close()
    text = out.getvalue()
    assert "60/60 s" in text and "80/80 runs" in text and "done" in text and "runs 30" in text
    assert view.last["tuning"].final and view.last["validation"].done == 80
