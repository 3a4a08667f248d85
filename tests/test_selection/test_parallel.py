"""--jobs: folds in parallel processes, forests on threads, results identical to one core;
progress as data (members fitted, folds done, ETA)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from algoconf.cli import select_offline
from algoconf.selection.data.sources import load_performance
from algoconf.errors import InputError
from algoconf.selection.offline.evaluation import evaluate
from algoconf.selection.offline.parallel import fit_selector, member_fitted, reporting_members, resolve_jobs
from algoconf.selection.offline.registry import make_selector


def _run(argv):
    parser = argparse.ArgumentParser(prog="algoconf select")
    sub = parser.add_subparsers(dest="select_command")
    select_offline.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def _stack():
    return make_selector("stack", random_state=3, member_params={"regression": {"n_estimators": 8},
                                                                 "pairwise": {"n_estimators": 6},
                                                                 "pairwise-regression": {"n_estimators": 8}})


@pytest.fixture(scope="module")
def stack_runs():
    """The stack evaluated on aslib_mini with one and with two jobs, with their progress updates."""
    from pathlib import Path

    data = load_performance(Path(__file__).resolve().parents[1] / "data" / "aslib_mini")
    runs = {}
    for jobs in (1, 2):
        updates = []
        runs[jobs] = (evaluate(_stack, data, jobs=jobs, progress=updates.append), updates)
    return data, runs


def test_two_jobs_give_the_results_of_one(stack_runs):
    _, runs = stack_runs
    one, two = runs[1][0], runs[2][0]
    assert np.array_equal(one.per_instance_cost, two.per_instance_cost)
    assert one.par10 == two.par10 and one.gap_closed == two.gap_closed
    assert [f.fold for f in one.folds] == [f.fold for f in two.folds] == sorted(f.fold for f in one.folds)


def test_forest_threads_do_not_change_a_fit(mini_dir):
    data = load_performance(mini_dir)
    a = fit_selector(make_selector("regression", n_estimators=12, random_state=1), data, jobs=1)
    b = fit_selector(make_selector("regression", n_estimators=12, random_state=1), data, jobs=2)
    assert np.array_equal(a.scores(data.features), b.scores(data.features))


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_members_and_folds_and_ends_final(stack_runs, jobs):
    data, runs = stack_runs
    updates = runs[jobs][1]
    folds = len(set(int(f) for f in data.folds if f > 0))
    last = updates[-1]
    assert last.final and last.unit == "members"
    assert last.total == 4 * folds and last.done == last.total  # the stack's four members per fold
    assert last.info == f"folds {folds}/{folds}"
    assert sum(u.final for u in updates) == 1
    done = [u.done for u in updates]
    assert done == sorted(done) and len(updates) > folds  # member reports arrive, not only fold ends
    assert any(u.eta is not None and u.eta >= 0 for u in updates[:-1])


def test_a_plain_selector_counts_one_member_per_fold(mini_dir):
    data = load_performance(mini_dir)
    updates = []
    evaluate(lambda: make_selector("sunny", random_state=0), data, progress=updates.append)
    folds = len(set(int(f) for f in data.folds if f > 0))
    assert [u.done for u in updates] == list(range(1, folds + 1)) + [folds]


def test_member_reports_go_to_the_installed_sink_only():
    seen = []
    member_fitted("outside")  # no sink: nothing happens
    with reporting_members(seen.append):
        member_fitted("a")
    member_fitted("after")
    assert seen == ["a"]


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_jobs_must_be_a_positive_core_count(bad):
    with pytest.raises(InputError, match="--jobs"):
        resolve_jobs(bad)
    assert resolve_jobs(None) >= 1 and resolve_jobs(3) == 3


@pytest.mark.parametrize("command", ["evaluate", "fit"])
@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_cli_refuses_bad_jobs_before_loading(tmp_path, command, jobs):
    argv = [command, str(tmp_path / "absent"), "--jobs", jobs] + (["-o", str(tmp_path / "m")] if command == "fit" else [])
    with pytest.raises(InputError, match="--jobs must be a positive number"):
        _run(argv)


def test_cli_evaluate_with_jobs_prints_the_same_figures(mini_dir, capsys):
    import json

    assert _run(["evaluate", str(mini_dir), "--selector", "sunny", "--jobs", "1", "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert _run(["evaluate", str(mini_dir), "--selector", "sunny", "--jobs", "2", "--json", "--no-progress"]) == 0
    two = json.loads(capsys.readouterr().out)
    assert one["par10"] == two["par10"] and one["gap_closed"] == two["gap_closed"]
