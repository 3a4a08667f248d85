"""What differs between a run directory's stored scenario fingerprint and the one given: the lines of
:class:`~algoconf.errors.ScenarioMismatchError` (the fingerprint itself is
:meth:`algoconf.scenario.Scenario.fingerprint`; the history stores it as plain JSON)."""

from __future__ import annotations

import difflib
import json
from typing import Any, Mapping

__all__ = ["fingerprint_diff"]


def fingerprint_diff(old: Mapping[str, Any], new: Mapping[str, Any], *, max_items: int = 5) -> list[str]:
    """One line per differing key: ``key: old -> new`` (lists and long texts summarised)."""
    out: list[str] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, "<absent>"), new.get(key, "<absent>")
        if _jsonable(a) == _jsonable(b):
            continue
        if isinstance(a, list) and isinstance(b, list):
            a_set, b_set = set(map(str, a)), set(map(str, b))
            removed = [x for x in a if str(x) not in b_set]
            added = [x for x in b if str(x) not in a_set]
            parts = []
            if removed:
                parts.append(f"removed {len(removed)} ({_preview(removed, max_items)})")
            if added:
                parts.append(f"added {len(added)} ({_preview(added, max_items)})")
            if not parts:
                parts.append("same items in a different order")
            out.append(f"{key}: {len(a)} -> {len(b)} items; " + "; ".join(parts))
        elif isinstance(a, str) and isinstance(b, str) and ("\n" in a or "\n" in b or len(a) + len(b) > 120):
            lines = [
                ln
                for ln in difflib.unified_diff(a.splitlines(), b.splitlines(), "old", "new", n=0, lineterm="")
                if not ln.startswith(("---", "+++", "@@"))
            ]
            shown = "; ".join(ln.strip() for ln in lines[: 2 * max_items])
            more = f" (+{len(lines) - 2 * max_items} more lines)" if len(lines) > 2 * max_items else ""
            out.append(f"{key} differs: {shown}{more}")
        else:
            out.append(f"{key}: {a!r} -> {b!r}")
    return out


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _preview(items: list, k: int) -> str:
    shown = ", ".join(str(x) for x in items[:k])
    return shown + (", ..." if len(items) > k else "")
