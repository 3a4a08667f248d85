"""Simulated targets: answer runs from a runtime matrix (configurations x instances), exactly and cheaply.

As in the AC-Band and ICAR experiments, a precomputed matrix of real runtimes (censored at the
matrix's cutoff) replaces the solver, so any tuner can run thousands of times at no cost and its
choice can be scored against the matrix's best configuration (the limit, for regret).

* :class:`RuntimeMatrix` loads ``benchmarks/data/*.npz`` (built by ``benchmarks/build_matrix.py``).
  A configuration that is not a row of the matrix is answered by its *nearest* row (Euclidean
  distance of ConfigSpace's [0, 1] vectors, inactive = -1): the matrix is then a nearest-neighbour
  surrogate of the real landscape, stated as such in reports.
* :class:`SimulatedExecutor` is an :class:`~algoconf.execution.base.Executor` whose futures resolve
  at submit time from a function ``answer(request) -> RunResult``. It sets ``instant = True``: the
  engine then applies race semantics itself (runs slower than a race's winner become CAPPED at the
  winner's time), since nothing runs that could be stopped.
* :func:`matrix_target` is the same answer as a PythonTarget callable (matrix path in the
  ``ALGOCONF_MATRIX`` environment variable), so a matrix scenario also runs through real executors.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import math
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from ConfigSpace import ConfigurationSpace

from algoconf.execution.base import Executor
from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.tuners.sampling import config_vector, config_vectors

__all__ = ["RuntimeMatrix", "SimulatedExecutor", "matrix_target"]


class RuntimeMatrix:
    """Runtimes of configurations (rows) on instances (columns); unsolved entries censored at ``cutoff``."""

    def __init__(self, runtime: np.ndarray, solved: np.ndarray, configs: Sequence[Mapping[str, Any]],
                 instances: Sequence[str], cutoff: float, space: ConfigurationSpace, meta: Mapping[str, Any] | None = None):
        self.runtime = np.asarray(runtime, dtype=float)
        self.solved = np.asarray(solved, dtype=bool)
        if self.runtime.shape != self.solved.shape or self.runtime.shape != (len(configs), len(instances)):
            raise ValueError("runtime, solved, configs and instances do not match in shape")
        self.cutoff = float(cutoff)
        self.space = space
        self.instances = list(instances)
        self._column = {name: j for j, name in enumerate(self.instances)}
        # configurations as the space's active values (the stored dicts may carry raw types)
        from algoconf.space import active_config

        self.configs = [active_config(space, c) for c in configs]
        self._row = {config_key(c): i for i, c in enumerate(self.configs)}
        self._vectors = config_vectors(space, self.configs)
        self.meta = dict(meta or {})

    @classmethod
    def load(cls, path: str | Path) -> "RuntimeMatrix":
        data = np.load(path, allow_pickle=False)
        space = ConfigurationSpace.from_json(io.StringIO(str(data["space"])))
        meta = json.loads(str(data["meta"])) if "meta" in data else {}
        return cls(data["runtime"], data["solved"], json.loads(str(data["configs"])),
                   json.loads(str(data["instances"])), float(data["cutoff"]), space, meta)

    @property
    def shape(self) -> tuple[int, int]:
        return self.runtime.shape

    def row_of(self, config: Mapping[str, Any]) -> int:
        """The matrix row answering ``config``: its own row, else the nearest one."""
        row = self._row.get(config_key(config))
        if row is not None:
            return row
        vec = config_vector(self.space, config)
        return int(np.argmin(((self._vectors - vec) ** 2).sum(axis=1)))

    def answer(self, request: RunRequest) -> RunResult:
        """The run's outcome: SUCCESS within its limit, CAPPED at a bound below the cutoff, else TIMEOUT."""
        i, j = self.row_of(request.config), self._column[request.instance]
        t = float(self.runtime[i, j])
        cutoff = min(self.cutoff, request.cutoff) if request.cutoff is not None else self.cutoff
        limit = min(cutoff, request.bound) if request.bound is not None else cutoff
        if self.solved[i, j] and t <= limit:
            return RunResult(request, Status.SUCCESS, t, wallclock=t, quality=t, info={"row": i})
        if limit < cutoff:
            return RunResult(request, Status.CAPPED, limit, wallclock=limit, info={"row": i})
        return RunResult(request, Status.TIMEOUT, cutoff, wallclock=cutoff, info={"row": i})

    def par(self, rows: int | Sequence[int] | None = None, columns: Sequence[int] | None = None,
            par_factor: float = 10.0) -> np.ndarray:
        """PAR-k per row over the chosen columns (all by default)."""
        cols = list(range(self.shape[1])) if columns is None else list(columns)
        sel = slice(None) if rows is None else rows
        cost = np.where(self.solved[sel][..., cols], self.runtime[sel][..., cols], par_factor * self.cutoff)
        return cost.mean(axis=-1)

    def split(self, n_train: int, seed: int = 0) -> tuple[list[str], list[str]]:
        """A seeded train/test split of the instances."""
        order = np.random.default_rng(seed).permutation(len(self.instances))
        names = [self.instances[j] for j in order]
        return names[:n_train], names[n_train:]

    def columns(self, names: Sequence[str]) -> list[int]:
        return [self._column[n] for n in names]


class SimulatedExecutor(Executor):
    """Futures resolved at submit time by ``answer(request)`` (see module docstring)."""

    instant = True

    def __init__(self, answer: Callable[[RunRequest], RunResult], n_workers: int = 1, delay: float = 0.0):
        super().__init__(target=None, instances={})  # type: ignore[arg-type]
        self.n_workers = int(n_workers)
        self._answer = answer
        self._delay = float(delay)

    def submit(self, request: RunRequest) -> "cf.Future[RunResult]":
        self._check_open()
        future: cf.Future = cf.Future()
        if self._delay:
            time.sleep(self._delay)
        future.set_running_or_notify_cancel()
        future.set_result(self._answer(request))
        return future

    def stop(self, future: "cf.Future[RunResult]") -> None:
        return None  # already finished

    def cancel(self, future: "cf.Future[RunResult]") -> bool:
        return False

    def close(self) -> None:
        self._closed = True


@lru_cache(maxsize=2)
def _load(path: str) -> RuntimeMatrix:
    return RuntimeMatrix.load(path)


def matrix_target(config: dict, instance: Any, seed: int, cutoff: float | None) -> dict[str, Any]:
    """PythonTarget callable answering from the matrix at ``$ALGOCONF_MATRIX``."""
    path = os.environ.get("ALGOCONF_MATRIX")
    if not path:
        raise RuntimeError("set ALGOCONF_MATRIX to the runtime matrix (.npz) this target answers from")
    name = getattr(instance, "name", str(instance))
    result = _load(path).answer(RunRequest(config, name, int(seed), cutoff))
    cost = result.runtime if result.status is Status.SUCCESS else (cutoff or math.inf)
    return {"status": result.status.value, "runtime": result.runtime, "cost": cost}
