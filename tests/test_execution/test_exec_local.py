"""LocalExecutor: the conformance suite plus local specifics, on real processes."""

from __future__ import annotations

import shutil

import pytest

from algoconf.errors import ExecutionError, LimitNotEnforceableError
from algoconf.execution import LocalExecutor
from algoconf.records import RunRequest, Status
from algoconf.targets import CommandTarget
from algoconf.testing.executors import ExecutorConformance, protocol_target
from execution_support import cnf_instances


class TestLocalExecutorConformance(ExecutorConformance):
    def make_executor(self, target, instances, time_kind="cpu"):
        return LocalExecutor(target, instances, n_workers=2, time_kind=time_kind)


def test_construction_checks(tmp_path):
    target, instances = protocol_target(tmp_path)
    with pytest.raises(LimitNotEnforceableError):
        LocalExecutor(target, instances, time_kind="cpu-ish")
    with pytest.raises(ExecutionError):
        LocalExecutor(target, instances, n_workers=0)
    with LocalExecutor(target, instances) as ex:
        assert ex.n_workers >= 1


def test_close_stops_running_and_withdraws_queued(tmp_path):
    target, instances = protocol_target(tmp_path)
    ex = LocalExecutor(target, instances, n_workers=1, time_kind="wall")
    running = ex.submit(RunRequest({"mode": "sleep", "secs": 30}, "i1", 1, 20.0))
    queued = ex.submit(RunRequest({"mode": "ok"}, "i1", 2, 20.0))
    import time

    time.sleep(0.3)
    ex.close()
    assert running.result(timeout=5).status is Status.CAPPED
    assert queued.cancelled()


@pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")
def test_real_minisat_batch(tmp_path):
    instances = cnf_instances(tmp_path, 150, range(4))
    target = CommandTarget("minisat -verb=0 {instance}", "-name=value", "sat", bool_style="no-flag")
    with LocalExecutor(target, instances, n_workers=2) as ex:
        results = ex.map([RunRequest({"luby": False, "rinc": 1.5}, name, 1, 10.0) for name in instances])
    assert all(r.status is Status.SUCCESS for r in results), [r.info for r in results]
    assert {r.info["answer"] for r in results} <= {"SAT", "UNSAT"}
    assert all(0 < r.runtime < 10 for r in results)
