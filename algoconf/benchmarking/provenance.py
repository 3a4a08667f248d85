"""Which code produced a benchmark's figures: the git commit of the imported ``algoconf`` tree.

One answer for every benchmark script (they used to carry ~10 copies that disagreed on short or
full hashes, timeouts and the value outside a checkout). The contract:

* :func:`source_commit` is the *full* hash of ``HEAD`` of the checkout that holds the imported
  ``algoconf`` package, with ``"+dirty"`` appended when tracked code there differs from that commit
  (:func:`changed_files`), and ``"unknown"`` outside a git checkout or without ``git``. It is a
  plain string, so result files that stored short hashes or ``None`` before stay readable.
* It is computed once per process, at the first call: a long benchmark records the code it
  imported, not a ``HEAD`` that moved while it ran. Call it when the benchmark starts.
* "Code" is everything that can change a figure: the package, the benchmark scripts, the runners'
  parameter files and the scenarios; result files and docs do not make a tree dirty (benchmarks
  write their results into the tree while they run).
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import algoconf

__all__ = ["CODE_PATHS", "UNKNOWN", "changed_files", "repository_root", "source_commit"]

UNKNOWN = "unknown"
#: The tracked paths whose changes can change a benchmark's figures (``git`` pathspecs).
CODE_PATHS = ("algoconf", "benchmarks", "runners", "scenarios", ":(exclude)benchmarks/results")
_TIMEOUT = 30.0


def repository_root() -> Path:
    """The directory that holds the imported ``algoconf`` package (a checkout's root when the
    package is run from one, as the benchmarks are)."""
    return Path(algoconf.__file__).resolve().parents[1]


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=repository_root(), capture_output=True, text=True, timeout=_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def changed_files() -> list[str]:
    """Tracked code files (:data:`CODE_PATHS`) that differ from ``HEAD``; [] outside a checkout."""
    out = _git("status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS)
    return [line[3:] for line in (out or "").splitlines() if line.strip()]


@functools.cache
def source_commit() -> str:
    """The full commit hash of the imported code, ``+dirty`` when it has uncommitted changes, or
    ``"unknown"``; the same value for the whole process (see the module docstring)."""
    head = (_git("rev-parse", "HEAD") or "").strip()
    if not head:
        return UNKNOWN
    return head + ("+dirty" if changed_files() else "")
