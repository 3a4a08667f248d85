"""Child-process entry of :class:`~algoconf.targets.python.PythonTarget` (``python -m`` this module).

Reads a pickled ``(callable, config, instance, seed, cutoff)`` from stdin, calls it, and writes one
JSON line to the *original* stdout: ``{"ok": true, "value": ...}`` or ``{"ok": false, "error": ...,
"traceback": ...}``. Anything the callable prints goes to stderr, so it cannot be mistaken for the
result.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import sys
import traceback


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'nan' / 'inf': JSON has no such numbers; the parent rejects them
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return _jsonable(value.item())
        except (TypeError, ValueError):
            pass
    return value


def main() -> int:
    result_fd = os.dup(1)
    os.dup2(2, 1)  # the callable's prints go to stderr
    sys.stdout = sys.stderr
    try:
        func, config, instance, seed, cutoff = pickle.loads(sys.stdin.buffer.read())
        value = func(config, instance, seed, cutoff)
        line = json.dumps({"ok": True, "value": _jsonable(value)}, default=str)
        code = 0
    except BaseException as exc:  # report every failure of the callable as data
        line = json.dumps(
            {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:1000], "traceback": traceback.format_exc()[-4000:]}
        )
        code = 1
    with os.fdopen(result_fd, "w") as out:
        out.write(line + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
