"""A seeded mix of instance families: several generators behind one ``generator`` spec.

``mixed_families(out_dir, n, seed, families=[{generator: "random_ksat", kwargs: {...}}, ...])``
deals the ``n`` instances round-robin over the families (family ``j`` gets instances
``j, j + F, j + 2F, ...``), and calls each family's generator once with its count, ``seed`` and
kwargs, writing into its own sub-folder ``<j>-<generator>/``. Every file therefore depends only on
(seed, the family's position and kwargs, its index within the family), like the generators it calls.
A family's ``generator`` is a name exported by :mod:`algoconf.instances.generators` or ``"package.module:function"``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from algoconf.instances.generators._moved import current_module_name

__all__ = ["mixed_families"]


def _generator(ref: str) -> Callable[..., list[Path]]:
    if ":" in ref:
        module_name, _, attr = ref.partition(":")
    else:
        module_name, attr = "algoconf.instances.generators", ref
    func = getattr(importlib.import_module(current_module_name(module_name)), attr, None)
    if not callable(func) or attr == "mixed_families":
        raise ValueError(f"family generator {ref!r} is not a generator of algoconf.instances.generators or 'module:function'")
    return func


def mixed_families(out_dir: Path, n: int, seed: int, *, families: Sequence[Mapping[str, Any]]) -> list[Path]:
    """Write ``n`` instances dealt round-robin over ``families``; paths in dealing order."""
    if not families:
        raise ValueError("families must list at least one {generator:, kwargs:} mapping")
    if int(n) < len(families):
        raise ValueError(f"n={n} is smaller than the number of families ({len(families)})")
    made: list[list[Path]] = []
    for j, fam in enumerate(families):
        if not isinstance(fam, Mapping) or "generator" not in fam:
            raise ValueError(f"family {j} must be a mapping with a 'generator' key, got {fam!r}")
        unknown = sorted(set(fam) - {"generator", "kwargs"})
        if unknown:
            raise ValueError(f"family {j}: unknown key {unknown[0]!r}; expected generator, kwargs")
        func = _generator(str(fam["generator"]))
        count = len(range(j, int(n), len(families)))
        sub = Path(out_dir) / f"{j}-{str(fam['generator']).rpartition(':')[2]}"
        sub.mkdir(parents=True, exist_ok=True)
        made.append([Path(p) if Path(p).is_absolute() else sub / p
                     for p in func(sub, count, seed, **dict(fam.get("kwargs") or {}))])
    return [made[i % len(families)][i // len(families)] for i in range(int(n))]
