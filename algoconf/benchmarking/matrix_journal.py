"""The resumable record of a runtime-matrix build and the matrix file it produces.

:class:`Journal` is an append-only JSON-lines file (a header with the build's settings, the
configuration of each row, one line per finished run, the wall seconds of each session): a build
killed at any point continues from it and repeats no finished run. :func:`save` writes the ``.npz``
that ``algoconf.tuners.simulated.RuntimeMatrix`` loads, atomically.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import numpy as np
from ConfigSpace import ConfigurationSpace

from algoconf.benchmarking.matrix_sources import space_json
from algoconf.errors import MatrixError

__all__ = ["Journal", "save"]


class Journal:
    """Append-only JSON-lines record of a build: header, row configurations, one line per run.

    Each invocation also logs its elapsed wall seconds (cumulative, under its own session id) so
    the total build time survives kills.
    """

    def __init__(self, path: Path, header: dict):
        self.path = path
        self.rows: dict[int, dict] = {}
        self.runs: list[tuple[int, int, float, bool]] = []
        sessions: dict[str, float] = {}
        if path.is_file():
            with path.open("rb+") as handle:
                complete = 0
                for raw in handle:
                    if not raw.endswith(b"\n"):
                        handle.truncate(complete)  # a line cut by a kill: drop it
                        break
                    complete += len(raw)
                    entry = json.loads(raw)
                    if "header" in entry and entry["header"] != header:
                        raise MatrixError(
                            f"built with other settings {entry['header']}; delete it or use the same settings",
                            file=path,
                        )
                    if "row" in entry:
                        self.rows[entry["row"]] = entry["config"]
                    elif "run" in entry:
                        i, j, cpu, ok = entry["run"]
                        self.runs.append((i, j, cpu, ok))
                    elif "session" in entry:
                        sessions[entry["session"]] = max(sessions.get(entry["session"], 0.0), entry["seconds"])
        self.seconds = sum(sessions.values())
        self.session = f"{os.getpid()}-{time.time():.0f}"
        self._lock = threading.Lock()
        fresh = not path.is_file() or not path.stat().st_size
        self._handle = path.open("a")
        if fresh:
            self._write({"header": header})

    def _write(self, entry: dict) -> None:
        with self._lock:
            self._handle.write(json.dumps(entry) + "\n")
            self._handle.flush()

    def row(self, i: int, config: dict) -> None:
        if i in self.rows:
            if self.rows[i] != config:
                raise MatrixError(f"row {i} was built for another configuration", file=self.path)
            return
        self.rows[i] = config
        self._write({"row": i, "config": config})

    def run(self, i: int, j: int, cpu: float, ok: bool) -> None:
        self._write({"run": [i, j, round(cpu, 6), bool(ok)]})

    def elapsed(self, seconds: float) -> None:
        self._write({"session": self.session, "seconds": round(seconds, 1)})

    def close(self) -> None:
        self._handle.close()


def save(
    path: Path,
    runtime: np.ndarray,
    solved: np.ndarray,
    configs: list[dict],
    names: list[str],
    cutoff: float,
    space: ConfigurationSpace,
    meta: dict,
) -> None:
    """Write the matrix atomically (a temporary file renamed over ``path``)."""
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(
        tmp,
        runtime=runtime,
        solved=solved,
        configs=np.array(json.dumps(configs)),
        instances=np.array(json.dumps(names)),
        cutoff=np.array(cutoff),
        space=np.array(space_json(space)),
        meta=np.array(json.dumps(meta)),
    )
    os.replace(tmp, path)
