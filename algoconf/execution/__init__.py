"""algoconf.execution: WHERE runs happen (limits, local and Dask executors, racing)."""

from algoconf.execution.base import Executor, execute_run
from algoconf.execution.limits import ProcessOutcome, check_limits, run_limited
from algoconf.execution.local import LocalExecutor

__all__ = ["Executor", "execute_run", "ProcessOutcome", "check_limits", "run_limited", "LocalExecutor"]


def __getattr__(name: str):
    # optional / later parts, imported on demand (dask is an extra)
    if name == "DaskExecutor":
        from algoconf.execution.dask import DaskExecutor

        return DaskExecutor
    if name in ("RaceTracker", "RaceOutcome", "run_race", "capping_bound"):
        from algoconf.execution import racing

        return getattr(racing, name)
    raise AttributeError(f"module 'algoconf.execution' has no attribute {name!r}")
