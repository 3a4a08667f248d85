"""Racing and adaptive capping, on real minisat runs and on the executor's own processes."""

from __future__ import annotations

import math
import shutil

import pytest

from algoconf.execution import LocalExecutor
from algoconf.execution.racing import capping_bound, run_race
from algoconf.records import RunRequest, Status
from algoconf.targets import CommandTarget
from algoconf.testing.executors import protocol_target
from execution_support import cnf_instances

DEFAULT = {}
SLOW_DECAY = {"var-decay": 0.8}


@pytest.mark.parametrize(
    "cost, slack, cutoff, expected",
    [
        (2.0, 1.3, 10.0, 2.6),
        (9.0, 2.0, 10.0, 10.0),  # never above the cutoff
        (-1.0, 1.3, 10.0, 0.0),  # never negative
        (math.inf, 1.3, 10.0, 10.0),
        (math.nan, 1.3, 10.0, 10.0),
        (1.0, 1.5, math.inf, 1.5),
    ],
)
def test_capping_bound(cost, slack, cutoff, expected):
    assert capping_bound(cost, slack, cutoff) == pytest.approx(expected)


def test_capping_bound_rejects_bad_slack():
    with pytest.raises(ValueError):
        capping_bound(1.0, 0.0, 10.0)


@pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")
def test_race_on_real_minisat_stops_the_slower_configuration(tmp_path):
    # seeded instances where the two configurations differ by 3-12x (measured: default 0.19 s vs
    # var-decay=0.8 0.54 s on u200-9; default 0.16 s vs 0.013 s on u200-3)
    instances = cnf_instances(tmp_path, 200, [3, 9])
    target = CommandTarget("minisat -verb=0 {instance}", "-name=value", "sat")
    with LocalExecutor(target, instances, n_workers=2) as ex:
        for name, expected_winner in (("u200-9", 0), ("u200-3", 1)):
            outcome = run_race(ex, [RunRequest(DEFAULT, name, 1, 20.0), RunRequest(SLOW_DECAY, name, 1, 20.0)])
            assert outcome.winner == expected_winner, [(r.status, r.runtime) for r in outcome.results]
            best = outcome.best
            assert best.status is Status.SUCCESS and best.info["answer"] in ("SAT", "UNSAT")
            loser = outcome.results[1 - expected_winner]
            assert loser.status is Status.CAPPED and loser.censored, loser.info
            assert loser.runtime < 20.0 and loser.info.get("killed_by") == "stop"


def test_race_where_all_time_out_has_no_winner(tmp_path):
    target, instances = protocol_target(tmp_path)
    with LocalExecutor(target, instances, n_workers=2) as ex:
        outcome = run_race(ex, [RunRequest({"mode": "busy", "k": k}, "i1", 1, 0.3) for k in range(2)])
    assert outcome.winner is None and outcome.best is None
    assert [r.status for r in outcome.results] == [Status.TIMEOUT, Status.TIMEOUT]


def test_race_needs_one_instance(tmp_path):
    target, instances = protocol_target(tmp_path)
    with LocalExecutor(target, instances, n_workers=1) as ex:
        with pytest.raises(ValueError, match="one instance"):
            run_race(ex, [RunRequest({}, "i1", 1, 1.0), RunRequest({}, "i2", 1, 1.0)])
