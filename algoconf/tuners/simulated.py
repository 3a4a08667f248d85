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
* :func:`simulated_executor` puts a matrix behind a
  :class:`~algoconf.execution.virtual.VirtualExecutor` (N workers on a virtual clock) after checking
  that it fits the scenario (``algoconf configure --simulate``).
* :func:`matrix_target` is the same answer as a PythonTarget callable (matrix path in the
  ``ALGOCONF_MATRIX`` environment variable), so a matrix scenario also runs through real executors.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import math
import os
import pickle
import time
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
from ConfigSpace import ConfigurationSpace

from algoconf.errors import MatrixError
from algoconf.execution.base import Executor
from algoconf.records import RunRequest, RunResult, Status, config_key
from algoconf.tuners.sampling import config_vector, config_vectors

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.execution.virtual import VirtualExecutor

__all__ = ["RuntimeMatrix", "SimulatedExecutor", "simulated_executor", "matrix_target"]


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
        self._nearest: dict[str, int] = {}  # rows found for configurations off the matrix
        self._vectors = config_vectors(space, self.configs)
        self.meta = dict(meta or {})

    @classmethod
    def load(cls, path: str | Path) -> "RuntimeMatrix":
        """The matrix stored at ``path``; :class:`~algoconf.errors.MatrixError` (one line, naming the
        file) when it is missing, not an .npz archive, or lacks/garbles one of its fields."""
        path = Path(path)
        if not path.is_file():
            raise MatrixError("no such runtime matrix (an .npz file built by benchmarks/build_matrix.py)", file=path)
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                raise MatrixError("not a runtime matrix: not an .npz archive (a zip of numpy arrays)", file=path)
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError) as err:
            raise MatrixError(f"not a runtime matrix (.npz archive): {_first_line(err)}", file=path) from None
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise MatrixError("not a runtime matrix: a single array, not an .npz archive", file=path)
        with data:
            missing = [key for key in MATRIX_FIELDS if key not in data.files]
            if missing:
                raise MatrixError(f"not a runtime matrix: field(s) {', '.join(missing)} missing", file=path)
            try:
                space = ConfigurationSpace.from_json(io.StringIO(str(data["space"])))
                meta = json.loads(str(data["meta"])) if "meta" in data.files else {}
                runtime, solved = np.asarray(data["runtime"], dtype=float), np.asarray(data["solved"])
                configs, instances = json.loads(str(data["configs"])), json.loads(str(data["instances"]))
                cutoff = float(data["cutoff"])
                if solved.dtype != bool:
                    raise ValueError(f"'solved' must be booleans, not {solved.dtype}")
                if runtime.ndim != 2 or not np.all(np.isfinite(runtime)) or np.any(runtime < 0):
                    raise ValueError("'runtime' must be a 2-d array of finite, non-negative seconds")
                if not (cutoff > 0 and math.isfinite(cutoff)):
                    raise ValueError(f"'cutoff' must be a positive number of seconds, got {cutoff}")
                if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
                    raise ValueError("'configs' must be a JSON list of configurations")
                if not isinstance(instances, list) or len(set(map(str, instances))) != len(instances):
                    raise ValueError("'instances' must be a JSON list of distinct names")
                return cls(runtime, solved, configs, [str(i) for i in instances], cutoff, space, meta)
            except MatrixError:
                raise
            except (ValueError, KeyError, TypeError, AttributeError, OSError, zipfile.BadZipFile, zlib.error) as err:
                raise MatrixError(f"malformed runtime matrix: {_first_line(err)}", file=path) from None

    def check_fits(self, scenario: Any, path: str | Path | None = None) -> None:
        """Raise :class:`~algoconf.errors.MatrixError` unless this matrix can answer ``scenario``'s runs:
        a runtime objective, the same parameters (names, types, domains, defaults, conditions,
        forbiddens), every training and test instance a column, a cutoff no longer than the matrix's."""
        from algoconf.space.describe import describe_space

        if scenario.objective != "runtime":
            raise MatrixError(f"a runtime matrix answers runtime scenarios, not objective {scenario.objective!r}",
                              file=path)
        ours, theirs = _space_facts(describe_space(self.space)), _space_facts(describe_space(scenario.space))
        if ours != theirs:
            raise MatrixError(f"the matrix's parameters do not match the scenario's space: {_space_difference(ours, theirs)}",
                              file=path)
        names = list(scenario.train.names) + (list(scenario.test.names) if scenario.test is not None else [])
        unknown = [n for n in names if n not in self._column]
        if unknown:
            raise MatrixError(f"{len(unknown)} of the scenario's {len(names)} instances are not columns of the "
                              f"matrix (first: {unknown[0]!r}): the matrix was measured on other instances",
                              file=path)
        if scenario.cutoff is not None and scenario.cutoff > self.cutoff * (1 + 1e-9):
            raise MatrixError(f"the scenario's cutoff {scenario.cutoff:g} s exceeds the matrix's {self.cutoff:g} s "
                              "(runs longer than the matrix's cutoff are unknown)", file=path)

    @property
    def shape(self) -> tuple[int, int]:
        return self.runtime.shape

    def row_of(self, config: Mapping[str, Any]) -> int:
        """The matrix row answering ``config``: its own row, else the nearest one."""
        key = config_key(config)
        row = self._row.get(key)
        if row is None:
            row = self._nearest.get(key)
        if row is None:
            vec = config_vector(self.space, config)
            row = self._nearest[key] = int(np.argmin(((self._vectors - vec) ** 2).sum(axis=1)))
        return row

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

    def scenario_split(self) -> tuple[list[str], list[str]] | None:
        """The train/test split of the scenario the matrix was built from, or None.

        A matrix built from a scenario (``build_matrix.py --scenario``) has its training instances'
        columns first, then its test instances', and records the counts in ``meta["split"]``; a
        benchmark on the matrix should then use the scenario's own split, as real runs do.
        """
        split = self.meta.get("split")
        if not split:
            return None
        n_train, n_test = int(split["train"]), int(split["test"])
        if n_train + n_test != len(self.instances):
            raise ValueError(f"matrix split {split} does not cover its {len(self.instances)} instances")
        return list(self.instances[:n_train]), list(self.instances[n_train:])

    def columns(self, names: Sequence[str]) -> list[int]:
        return [self._column[n] for n in names]


MATRIX_FIELDS = ("runtime", "solved", "configs", "instances", "cutoff", "space")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def _space_facts(described: Mapping[str, Any]) -> dict[str, Any]:
    params = {p["name"]: p for p in described["parameters"]}
    return {"parameters": params, "conditions": dict(described.get("conditions", {})),
            "forbiddens": sorted(map(str, described.get("forbiddens", [])))}


def _space_difference(matrix: Mapping[str, Any], scenario: Mapping[str, Any]) -> str:
    a, b = matrix["parameters"], scenario["parameters"]
    if set(a) != set(b):
        only_m, only_s = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        parts = ([f"only in the matrix: {', '.join(only_m[:4])}"] if only_m else []) + (
            [f"only in the scenario: {', '.join(only_s[:4])}"] if only_s else [])
        return "; ".join(parts)
    for name in sorted(a):
        if a[name] != b[name]:
            diff = [k for k in sorted(set(a[name]) | set(b[name])) if a[name].get(k) != b[name].get(k)]
            key = diff[0]
            return f"{name}: {key} {a[name].get(key)!r} in the matrix, {b[name].get(key)!r} in the scenario"
    if matrix["conditions"] != scenario["conditions"]:
        return "the conditions differ"
    return "the forbidden clauses differ"


def simulated_executor(scenario: Any, matrix_path: str | Path, n_workers: int, *,
                       caller_time: str = "charged") -> tuple["VirtualExecutor", RuntimeMatrix]:
    """A :class:`~algoconf.execution.virtual.VirtualExecutor` answering ``scenario``'s runs from the
    matrix at ``matrix_path`` (checked first: MatrixError when it is bad or does not fit)."""
    from algoconf.execution.virtual import VirtualExecutor

    matrix = RuntimeMatrix.load(matrix_path)
    matrix.check_fits(scenario, matrix_path)
    return VirtualExecutor(matrix.answer, n_workers, instances=matrix.instances, caller_time=caller_time), matrix


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
