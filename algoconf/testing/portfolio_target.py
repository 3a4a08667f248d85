"""A fake target with two complementary instance families, for Hydra tests (standard library only).

Instances whose name ends in an even digit are family A, odd digits family B. ``mode=a`` is fast
on A and times out on B, ``mode=b`` the reverse, ``mode=c`` (the default) is mediocre on both; the
real parameter ``slack`` in [0, 1] slows every mode by a factor 1 + slack. So the single best
configuration is ``c`` (runtime 1.0), while the portfolio {a, b} has a virtual best of 0.1.
"""

from __future__ import annotations

from typing import Any

__all__ = ["complementary_target", "family_target", "COMPLEMENTARY_PCS"]

COMPLEMENTARY_PCS = """\
mode categorical {a, b, c} [c]
slack real [0.0, 1.0] [0.5]
"""


def complementary_target(config: dict, instance: Any, seed: int, cutoff: float | None) -> dict[str, Any]:
    """runtime by (mode, family) — a/A, b/B: 0.1; c: 1.0; a/B, b/A: 100 — times 1 + slack."""
    name = getattr(instance, "name", str(instance))
    return _outcome(config, "a" if int(name[-1]) % 2 == 0 else "b", cutoff)


def family_target(config: dict, instance: Any, seed: int, cutoff: float | None) -> dict[str, Any]:
    """The same runtimes for instance *files*: family B is a pigeonhole formula (``pigeonhole`` or
    ``php`` in its name), family A anything else (e.g. random 3-SAT)."""
    name = str(getattr(instance, "name", instance))
    return _outcome(config, "b" if ("pigeonhole" in name or "php" in name) else "a", cutoff)


def _outcome(config: dict, family: str, cutoff: float | None) -> dict[str, Any]:
    """The runtime of ``config`` on an instance of ``family`` (see complementary_target), censored."""
    mode = config.get("mode", "c")
    base = 1.0 if mode == "c" else (0.1 if mode == family else 100.0)
    runtime = base * (1.0 + float(config.get("slack", 0.5)))
    if cutoff is not None and runtime > cutoff:
        return {"status": "TIMEOUT", "runtime": float(cutoff), "cost": float(cutoff)}
    return {"status": "SUCCESS", "runtime": runtime, "cost": runtime}
