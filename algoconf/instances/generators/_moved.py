"""Module paths of generators as users' files persist them.

A generator spec names its function by module path (``generator: "algoconf.generators:random_ksat"``)
in scenario files, in the manifests of instance caches and in ``mixed_families`` specs. The
generators moved from ``algoconf.generators`` to ``algoconf.instances.generators``; the old path
still resolves, so scenarios written before the move load unchanged (and, the spec string being
kept as written, keep their instance cache and their run directories' fingerprints).
"""

from __future__ import annotations

__all__ = ["MOVED_MODULES", "current_module_name"]

#: old module path (or prefix) -> where it lives now
MOVED_MODULES: dict[str, str] = {"algoconf.generators": "algoconf.instances.generators"}


def current_module_name(name: str) -> str:
    """``name`` with a moved prefix replaced by its current path; other names unchanged."""
    for old, new in MOVED_MODULES.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old):]
    return name
