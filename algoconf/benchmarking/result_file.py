"""A benchmark's JSON result file, changed by several processes at once and never half-written.

Long benchmarks append each finished seed to their file, so that a later session continues where
an interrupted one stopped, and several invocations may share one file. :func:`update_json` is the
one way they do it: the file is re-read under an exclusive lock, changed, and replaced atomically.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["lock_path", "read_json", "update_json", "write_json"]


def lock_path(path: Path, name: str) -> Path:
    """The lock file of result file ``path``: ``<tmp>/<name>-<12 hex digits of the resolved path>.lock``
    (outside the tree, so that a checkout stays clean; the same name for every process)."""
    digest = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"{name}-{digest}.lock"


def read_json(path: Path, empty: Callable[[], Any]) -> Any:
    """The file's data, or ``empty()`` when there is no file yet."""
    path = Path(path)
    return json.loads(path.read_text()) if path.is_file() else empty()


def write_json(path: Path, data: Any, *, indent: int | None = 1, default: Callable[[Any], Any] | None = None) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file beside it, then ``os.replace``):
    a reader or a kill sees the old file or the new one, never a truncated one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=indent, default=default))
    os.replace(tmp, path)


def update_json(
    path: Path,
    change: Callable[[Any], None],
    *,
    empty: Callable[[], Any],
    lock: str,
    indent: int | None = 1,
    default: Callable[[Any], Any] | None = None,
) -> Any:
    """Re-read ``path`` under the exclusive lock named ``lock`` (:func:`lock_path`), apply ``change``
    to its data in place, write it back atomically and return it. Processes that share a file must
    use the same lock name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(path, lock), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        data = read_json(path, empty)
        change(data)
        write_json(path, data, indent=indent, default=default)
        return data
