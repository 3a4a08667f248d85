"""Child-process entry of a reused :class:`~algoconf.targets.python.PythonTarget` worker.

Protocol on the pipes: the parent writes messages to stdin, each an 8-byte little-endian length and
a pickle. The first message is the callable (unpickling imports its modules); the child answers
``{"ready": true}`` (or ``{"ready": false, "error": ...}`` and exits). Every later message is a pickled
``(config, instance, seed, cutoff)``; for each the child writes one JSON line on
the *original* stdout: ``{"ok": true, "value": ..., "cpu": s}`` or ``{"ok": false, "error": ...,
"traceback": ..., "cpu": s}``, where ``cpu`` is the CPU time of the call (this process plus children
it reaped). Anything the callable prints goes to stderr. End of stdin ends the child; after a
MemoryError the child replies and exits (its heap may be unusable).
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import sys
import time
import traceback

from algoconf.targets.python_child import _jsonable


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    result_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    out = os.fdopen(result_fd, "w")
    first = _read_exactly(0, 8)
    blob = _read_exactly(0, int.from_bytes(first, "little")) if first is not None else None
    if blob is None:
        return 0
    try:
        func = pickle.loads(blob)
    except BaseException as exc:
        out.write(json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"[:1000]}) + "\n")
        out.flush()
        return 1
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    while True:
        header = _read_exactly(0, 8)
        if header is None:
            return 0
        data = _read_exactly(0, int.from_bytes(header, "little"))
        if data is None:
            return 0
        cpu0, child0 = time.process_time(), _children_cpu()
        fatal = False
        try:
            config, instance, seed, cutoff = pickle.loads(data)
            value = func(config, instance, seed, cutoff)
            reply = {"ok": True, "value": _jsonable(value)}
        except BaseException as exc:  # every failure of the callable is data for the parent
            fatal = isinstance(exc, (MemoryError, SystemExit, KeyboardInterrupt))
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:1000],
                     "traceback": traceback.format_exc()[-4000:]}
        reply["cpu"] = (time.process_time() - cpu0) + (_children_cpu() - child0)
        out.write(json.dumps(reply, default=str) + "\n")
        out.flush()
        sys.stderr.flush()
        if fatal:
            return 1


if __name__ == "__main__":
    sys.exit(main())
