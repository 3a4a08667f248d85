"""Writing generated instances: stable names, per-instance seeds, and the answer sidecar.

Every generator in this package writes instance ``i`` of a batch ``(seed, n)`` with its own random
stream, derived from the batch seed, the generator name and ``i`` alone; so instance ``i`` is the same
file whatever ``n`` is, and two calls with the same arguments write byte-identical files.

When the answer of an instance is known by construction (a planted colouring is satisfiable, a
pigeonhole formula is not), it is written beside the instance as ``<instance file>.json``
(``{"answer": "SAT"|"UNSAT", "generator": ..., ...}``); :func:`known_answer` reads it back.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Mapping

__all__ = ["instance_rng", "write_instance", "sidecar_path", "known_answer", "read_sidecar"]


def instance_rng(family: str, seed: int, index: int) -> random.Random:
    """The random stream of instance ``index`` of a batch seeded with ``seed`` (string seeding is stable)."""
    return random.Random(f"algoconf:{family}:{int(seed)}:{int(index)}")


def sidecar_path(instance: str | Path) -> Path:
    """Where the facts known about a generated instance are kept: ``<instance>.json``."""
    path = Path(instance)
    return path.with_name(path.name + ".json")


def write_instance(path: Path, text: str, meta: Mapping[str, Any] | None = None) -> Path:
    """Write ``text`` to ``path`` (parents created) and, if given, ``meta`` to its JSON sidecar."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if meta is not None:
        sidecar_path(path).write_text(json.dumps(dict(meta), sort_keys=True, indent=1) + "\n")
    return path


def read_sidecar(instance: str | Path) -> dict[str, Any]:
    """The sidecar facts of an instance, or an empty dict when it has none."""
    side = sidecar_path(instance)
    if not side.is_file():
        return {}
    return json.loads(side.read_text())


def known_answer(instance: str | Path) -> str | None:
    """``"SAT"`` or ``"UNSAT"`` when the instance's answer is known by construction, else None."""
    answer = read_sidecar(instance).get("answer")
    return str(answer) if answer in ("SAT", "UNSAT") else None


def check_batch_args(n: int, seed: int) -> None:
    if int(n) < 0:
        raise ValueError(f"n (number of instances) must be >= 0, got {n}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")
