"""The report's target time leaves out results shared by the equivalence cache (they were not run)."""

from __future__ import annotations

import pytest

from algoconf.analysis.report_trajectory import incumbent_trajectory
from algoconf.execution.equivalence import SHARED_FROM
from algoconf.records import Estimate, RunRequest, RunResult, Status


def test_trajectory_cpu_counts_only_real_runs():
    real = RunResult(RunRequest({"x": 1}, "i", 1, cutoff=10.0), Status.SUCCESS, 2.0, started=1.0, finished=3.0)
    shared = RunResult(RunRequest({"x": 2}, "i", 1, cutoff=10.0), Status.SUCCESS, 2.0, started=4.0, finished=4.0,
                       info={SHARED_FROM: {"config_key": real.request.config_key, "instance": "i", "seed": 1}})
    later = RunResult(RunRequest({"x": 1}, "j", 1, cutoff=10.0), Status.SUCCESS, 1.0, started=5.0, finished=6.0)
    points = incumbent_trajectory([real, shared, later], lambda r: Estimate(r.runtime, True))
    assert points[-1].cpu_time == pytest.approx(3.0)
