"""A resumed SMAC/Optuna tuner whose replay asks other runs than its log holds still resumes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from algoconf.records import RunResult, Status
from algoconf.tuners import get_tuner


def _backend(name: str):
    try:
        return get_tuner(name)
    except ImportError as err:
        pytest.skip(f"{name}: optional dependency not installed ({err})")


def _drive(tuner, rounds: int) -> None:
    for i in range(rounds):
        requests = tuner.ask(2)
        tuner.tell([RunResult(r, Status.SUCCESS, 0.1 + 0.01 * ((i + j) % 7)) for j, r in enumerate(requests)])


@pytest.mark.parametrize("name", ["smac", "optuna"])
def test_replay_that_diverges_tells_every_logged_result(name, problem):
    cls = _backend(name)
    problem = replace(problem, max_runs=None)
    tuner = cls(problem, seed=1)
    _drive(tuner, 4)
    state = tuner.state()
    # the replayed backend proposes something else at the third ask: simulate by renaming the runs
    # told after it, as a process with another hash seed would have asked other configurations
    tells = [e for e in state["log"] if e[0] == "tell"]
    for entry in tells[2:]:
        for row in entry[1]:
            row[1] = row[1] + "-elsewhere"  # an instance the replay never asks at that point
    resumed = cls.from_state(problem, state)
    if name == "smac":  # SMAC takes the unasked results as custom trials: it has an incumbent
        assert resumed.incumbent is not None
    _drive(resumed, 2)  # and it goes on asking valid runs
    assert resumed.ask(1)


def test_old_logs_without_configurations_name_the_missing_run(problem):
    from algoconf.tuners.replay_log import ReplayLog

    class Echo:
        def ask(self, n):
            return []

        def tell(self, results):
            raise AssertionError("not reached")

    with pytest.raises(KeyError, match="holds no configuration"):
        ReplayLog([["ask", 1], ["tell", [["k", "i", 0, "SUCCESS", 0.1, None]]]]).replay(Echo())
