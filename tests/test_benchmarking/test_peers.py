"""algoconf.benchmarking.peers: the native-SMAC3 ask/tell loop at equal CPU on one and two workers, and
irace's trajectory bookkeeping."""

from __future__ import annotations

from pathlib import Path

import pytest
from ConfigSpace import ConfigurationSpace, Float

from algoconf.benchmarking.peers import irace_trajectory, list_schedule_wall, run_native_smac3
from algoconf.execution.virtual import VirtualExecutor
from algoconf.tuners.simulated import RuntimeMatrix

MATRIX = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "minisat_3sat_matrix.npz"


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.skipif(not MATRIX.is_file(), reason="benchmarks/data/minisat_3sat_matrix.npz not shipped")
def test_native_smac3_ask_tell_stops_at_the_cpu_budget_on_one_and_two_workers(workers):
    pytest.importorskip("smac")
    matrix = RuntimeMatrix.load(MATRIX)
    train, _ = matrix.split(matrix.shape[1] // 2, seed=0)
    executor = VirtualExecutor(matrix.answer, workers, instances=matrix.instances, caller_time="free")
    run = run_native_smac3(
        matrix.space,
        list(train),
        None,
        executor,
        seed=0,
        workers=workers,
        deterministic=True,
        cutoff=matrix.cutoff,
        par_factor=10.0,
        cpu_budget=4.0,
        wall_budget=None,
    )
    # one worker: the last run ends past the budget by less than a cutoff; two: the other one is stopped
    assert 4.0 <= run.cpu <= 4.0 + matrix.cutoff
    assert run.runs >= 4 and run.trajectory
    assert matrix.row_of(run.incumbent) >= 0  # an active configuration of the space
    if workers == 2:
        assert run.wall < run.cpu  # two runs at a time on the virtual clock


def test_irace_trajectory_sums_experiment_time_and_list_schedules_race_steps():
    space = ConfigurationSpace({"x": Float("x", (0.0, 1.0), default=0.5)})
    log = "\n".join(
        ["0\t1\t1\t1.0", "0\t1\t2\t1.0", "1\t2\t1\t2.0", "1\t2\t3\t1.0", "1\t2\t4\t1.0", "2\t3\t3\t0.5", "2\t3\t4\tNA"]
    )
    elites = "1\tx=0.25\n2\tx=0.75\nfinal\tx=0.75"
    points = irace_trajectory(space, {"x": "x"}, log, elites, workers=2)
    assert [p[0] for p in points] == [6.0, 6.5, 6.5]  # CPU: every experiment of iterations <= i
    assert [p[1] for p in points] == [1.0 + 2.0, 3.5, 3.5]  # wall: (1,1) on 2 workers; (2,1,1) -> 2; (0.5) -> 0.5
    assert points[0][2] == {"x": 0.25} and points[-1][2] == {"x": 0.75}
    assert list_schedule_wall([3.0, 1.0, 1.0, 1.0], 2) == 3.0
