"""A cheap deterministic PythonTarget for engine and CLI tests (imports only the standard library).

``synthetic_target`` reports its own runtime, so a seeded tuner makes the same decisions run after
run (no measured CPU noise), and it starts fast in the PythonTarget child process.
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["synthetic_target"]


def _unit(*parts: Any) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def synthetic_target(config: dict, instance: Any, seed: int, cutoff: float | None) -> dict[str, Any]:
    """runtime = hardness(instance) x (0.05 + 3 x mean over parameters of a hashed penalty of the value),
    x a seed factor in [0.95, 1.05]; TIMEOUT above the cutoff."""
    name = getattr(instance, "name", str(instance))
    penalties = [_unit("p", k, round(v, 2) if isinstance(v, float) else v) ** 2 for k, v in sorted(config.items())]
    runtime = (0.2 + 2.0 * _unit("inst", name)) * (0.05 + 3 * (sum(penalties) / max(1, len(penalties))))
    runtime *= 0.95 + 0.1 * _unit("seed", name, seed)
    if cutoff is not None and runtime > cutoff:
        return {"status": "TIMEOUT", "runtime": float(cutoff), "cost": float(cutoff)}
    return {"status": "SUCCESS", "runtime": runtime, "cost": runtime}
