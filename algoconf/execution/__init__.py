"""algoconf.execution: WHERE runs happen (limits, local and Dask executors, racing)."""

from algoconf.execution.base import Executor, execute_run
from algoconf.execution.limits import ProcessOutcome, check_limits, run_limited
from algoconf.execution.local import LocalExecutor
from algoconf.execution.racing import RACE_SLACK, Race, RaceOutcome, capping_bound, run_race

__all__ = [
    "Executor",
    "execute_run",
    "ProcessOutcome",
    "check_limits",
    "run_limited",
    "LocalExecutor",
    "RACE_SLACK",
    "Race",
    "RaceOutcome",
    "capping_bound",
    "run_race",
]


def __getattr__(name: str):
    # dask is an optional extra: imported on first use
    if name == "DaskExecutor":
        from algoconf.execution.dask import DaskExecutor

        return DaskExecutor
    raise AttributeError(f"module 'algoconf.execution' has no attribute {name!r}")
