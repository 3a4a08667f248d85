"""The replay protocol: what the learner sees, what is charged, and the CLI on top of it."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from algoconf.cli import select_online
from algoconf.errors import InputError
from algoconf.selection.online.contract import OnlineSelector
from algoconf.selection.online.policies import RECOMMENDED_POLICY
from algoconf.selection.online.evaluation import OnlineStream, evaluate_online, replay


class _Spy(OnlineSelector):
    """Always picks algorithm 0 and records what it was told."""

    seen: list = []

    def _choose(self, x):
        return 0

    def _learn(self, x, arm, obs):
        _Spy.seen.append((x.copy(), arm, obs))


def _spy(algorithms, n_features, cutoff, seed=0):
    return _Spy(algorithms, n_features, cutoff, seed)


def _stream(**kw) -> OnlineStream:
    # 4 instances, 2 algorithms, cutoff 10; instance 3: algorithm 0 times out
    runtime = np.array([[1.0, 2.0], [3.0, 0.5], [9.5, 1.0], [10.0, 4.0]])
    solved = np.array([[True, True], [True, True], [True, True], [False, True]])
    return OnlineStream(
        name="toy",
        algorithms=("a0", "a1"),
        features=np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 0.0], [3.0, 1.0]]),
        runtime=runtime,
        solved=solved,
        feature_cost=np.array([0.0, 0.0, 1.0, 0.0]),
        cutoff=10.0,
        **kw,
    )


def test_learner_sees_only_the_chosen_run_censored_at_the_cutoff():
    _Spy.seen = []
    r = replay(_stream(), _spy, seed=0)
    by_first_feature = {float(x[0]): obs for x, _, obs in _Spy.seen}
    assert {arm for _, arm, _ in _Spy.seen} == {0}
    assert by_first_feature[3.0].censored and by_first_feature[3.0].runtime == 10.0
    assert not by_first_feature[0.0].censored and by_first_feature[0.0].runtime == 1.0
    # charged: 1 + 3 + (9.5 + 1 feature cost > cutoff -> 100) + 100 (timeout)
    assert r.par10 == pytest.approx((1 + 3 + 100 + 100) / 4)
    # oracle pays the feature cost too by default: 1 + 0.5 + (1 + 1) + 4
    assert r.oracle_par10 == pytest.approx((1 + 0.5 + 2 + 4) / 4)
    assert r.unsolved == 2
    assert r.regret[-1] == pytest.approx(4 * (r.par10 - r.oracle_par10))
    assert np.all(np.diff(r.regret) >= 0)


def test_oracle_without_feature_cost_is_the_virtual_best_solver():
    r = replay(_stream(oracle_feature_cost=False), _spy, seed=0)
    assert r.oracle_par10 == pytest.approx((1 + 0.5 + 1 + 4) / 4)


def test_shuffles_differ_and_a_seed_repeats():
    a, b, c = (replay(_stream(), "tobit_shared_ts", s) for s in (0, 0, 1))
    assert np.array_equal(a.choices, b.choices) and a.par10 == b.par10
    summary = evaluate_online(_stream(), ["tobit_shared_ts", "feature_free"], seeds=range(3))
    assert set(summary) == {"tobit_shared_ts", "feature_free"}
    assert summary["feature_free"].n_shuffles == 3 and summary["feature_free"].repar10 >= 1.0


@pytest.mark.parametrize("policy", [RECOMMENDED_POLICY, "tobit_shared_ts"])
def test_own_policies_beat_feature_free_on_a_feature_driven_stream(policy):
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=(n, 3))
    # algorithm 0 is fast when x0 > 0 and times out otherwise; algorithm 1 the reverse
    log_t = np.stack([np.where(x[:, 0] > 0, 0.5, 6.0), np.where(x[:, 0] > 0, 6.0, 0.5)], axis=1) + 0.2 * rng.normal(size=(n, 2))
    t = np.exp(log_t)
    stream = OnlineStream("synthetic", ("a", "b"), x, np.minimum(t, 100.0), t < 100.0, np.zeros(n), 100.0)
    res = evaluate_online(stream, [policy, "feature_free"], seeds=range(2))
    assert res[policy].repar10 < 0.5 * res["feature_free"].repar10
    assert res[policy].unsolved < 40


def test_replay_of_a_real_aslib_scenario(aslib_dir):
    from algoconf.selection.data.aslib import load_aslib

    scenario = load_aslib(aslib_dir("CPMP-2015"))
    stream = OnlineStream.from_aslib(scenario)
    assert stream.n_instances == int(scenario.solved.any(axis=1).sum())
    r = replay(stream, "feature_free", seed=0)
    assert 1.0 < r.repar10 < stream.par10().mean(axis=0).min() / r.oracle_par10 * 2
    assert r.seconds_per_step < 0.01


def _cli(argv):
    parser = argparse.ArgumentParser()
    select_online.register(parser.add_subparsers())
    args = parser.parse_args(["online", *argv])
    return args.func(args)


def test_cli_json_keys(aslib_dir, capsys):
    path = aslib_dir("CPMP-2015")
    assert _cli([str(path), "--shuffles", "1", "--policy", "feature_free", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("repar10", "par10", "oracle_par10", "seconds_per_step", "unsolved", "scenarios"):
        assert key in out
    assert out["policy"] == "feature_free" and out["repar10"] == pytest.approx(out["par10"] / out["oracle_par10"])


def test_cli_bad_input(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        _cli([str(tmp_path / "missing")])
    with pytest.raises(InputError, match="no ASlib scenario"):
        _cli([str(tmp_path)])
    with pytest.raises(InputError, match="unknown online policy"):
        _cli([str(tmp_path), "--policy", "nope"])
    with pytest.raises(InputError, match="ASLIB_DIR"):
        _cli([])


def test_cli_lists_policies(capsys):
    assert _cli(["--list-policies", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recommended"] in out["policies"]


# ---------------------------------------------------------------------------------- protocols
def test_paper_protocol_frees_oracle_and_single_best_of_the_feature_cost():
    from algoconf.selection.online.evaluation import PROTOCOLS

    paper, ours = PROTOCOLS["paper"], PROTOCOLS["algoconf"]
    assert (paper.keep_unsolvable, paper.oracle_feature_cost, paper.headline) == (True, False, "median")
    assert (ours.keep_unsolvable, ours.oracle_feature_cost, ours.headline) == (False, True, "mean")
    free = _stream(oracle_feature_cost=False)
    charged = _stream(oracle_feature_cost=True)
    # instance 2 costs feature 1 s: the single best (a1, mean PAR10 1.875 against a0's 28.375) pays it only when charged
    assert np.array_equal(free.sbs_cost(), np.array([2.0, 0.5, 1.0, 4.0]))
    assert np.array_equal(charged.sbs_cost(), np.array([2.0, 0.5, 2.0, 4.0]))
    assert free.sbs_repar10() == pytest.approx(7.5 / free.oracle_cost().sum())


def test_aggregate_gives_median_and_mean():
    from algoconf.selection.online.evaluation import aggregate_repar10

    assert aggregate_repar10([1.0, 2.0, 9.0]) == {"median": 2.0, "mean": 4.0}


def test_paper_protocol_keeps_instances_nobody_solves(aslib_dir):
    from algoconf.selection.data.aslib import load_aslib

    scenario = load_aslib(aslib_dir("SAT11-HAND"))
    kept = OnlineStream.from_aslib(scenario, protocol="paper")
    dropped = OnlineStream.from_aslib(scenario, protocol="algoconf")
    assert kept.n_instances == scenario.performance.shape[0] > dropped.n_instances
    assert not kept.oracle_feature_cost and dropped.oracle_feature_cost


def test_cli_paper_protocol_json(aslib_dir, capsys):
    path = aslib_dir("SAT11-HAND")  # feature costs and instances nobody solves: the protocols differ
    assert _cli([str(path), "--shuffles", "1", "--policy", "feature_free", "--protocol", "paper", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["protocol"] == "paper" and out["headline"] == "median"
    assert out["unsolvable_instances_kept"] and not out["oracle_pays_feature_cost"] and not out["sbs_pays_feature_cost"]
    for key in ("repar10_median", "repar10_mean", "sbs_repar10", "sbs_repar10_median", "sbs_repar10_mean"):
        assert isinstance(out[key], float)
    assert out["repar10_median"] == out["repar10_mean"] == out["scenarios"][0]["repar10"]  # one scenario
    assert out["sbs_repar10"] == out["scenarios"][0]["sbs_repar10"] > 1.0
    assert _cli([str(path), "--shuffles", "1", "--policy", "feature_free", "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    assert ours["protocol"] == "algoconf" and ours["oracle_pays_feature_cost"]
    assert ours["repar10"] != out["repar10"]


def test_cli_unknown_protocol_is_one_input_error(tmp_path):
    with pytest.raises(InputError, match="unknown protocol 'nope'"):
        _cli([str(tmp_path / "missing"), "--protocol", "nope"])
