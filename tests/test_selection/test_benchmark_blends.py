"""benchmarks/selection_blends.py through its command line: the blending rules and the schedule player on
the mini scenario, with made-up fitted members in the benchmark's cache ('regression' scores are the
true costs, the other members' are noise)."""

import json
import pickle

import numpy as np
import pytest

from algoconf.selection.data.aslib import load_aslib
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.stacking import MEMBERS


@pytest.fixture
def blends(run_benchmark, mini_dir, tmp_path, monkeypatch) -> dict:
    """The benchmark's row of the mini scenario, its members read from a made-up cache."""
    monkeypatch.setenv("ALGOCONF_ASLIB_DIR", str(mini_dir.parent))
    data = PerformanceData.from_aslib(load_aslib(mini_dir))
    cost, folds = data.cost(), np.asarray(data.folds)
    rng = np.random.default_rng(0)
    members, params = {}, {}
    for name, (kind, member_params) in MEMBERS.items():
        per = {}
        for f in sorted({int(x) for x in folds if x > 0}):
            train, test = folds != f, folds == f
            truth = name == "regression"
            per[f] = {"oob": cost[train] if truth else rng.random((train.sum(), cost.shape[1])),
                      "test": cost[test] if truth else rng.random((test.sum(), cost.shape[1])), "cand": None}
        members[name] = per
        params[name] = repr((kind, sorted(member_params.items()), 0))  # fitted with seed 0: not refitted
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{mini_dir.name}.pkl").write_bytes(pickle.dumps({"members": members, "params": params}))
    out = tmp_path / "blends.json"
    argv = ["--scenarios", mini_dir.name, "--seed", "0", "--cache", str(cache), "--out", str(out)]
    assert run_benchmark("selection_blends", argv) == 0
    return json.loads(out.read_text())["scenarios"][mini_dir.name]


def test_a_perfect_member_alone_closes_the_whole_gap(blends):
    assert blends["reg"] == pytest.approx(1.0)


def test_the_stack_rule_finds_the_perfect_member_among_noise(blends):
    assert blends["stack"] > blends["knn"] and blends["stack"] > 0.9


def test_the_perfect_ranking_played_as_a_schedule_costs_the_virtual_best(blends):
    # the schedule player charges nothing before the first run and stops at the first that solves
    assert blends["hedge"] == pytest.approx(1.0)
