"""Offline algorithm-selection results as a report reads them from disk.

Selection evaluations write no run directory; what exists on disk is JSON:

* the object ``algoconf select evaluate ASLIB_DIR --json`` prints (one scenario, one selector, one
  feature-cost convention: ``scenario``, ``selector``, ``feature_cost``, ``par10``, ``solved``,
  ``vbs_par10``, ``sbs_par10``, ``sbs``, ``gap_closed``), saved to a file;
* the results file of ``benchmarks/selection.py`` (``{"scenarios": {name: {"selectors": {...}}}}``,
  with both conventions per selector and the published best gap per scenario).

:func:`load_selection` reads either, from one file or every ``*.json`` of a folder, into
:class:`SelectionEntry` rows. The gap closed is (SBS − selector) / (SBS − VBS) on PAR10: 0 is the
single best solver, 1 the virtual best; negative is worse than the single best.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from algoconf.errors import InputError

__all__ = ["SelectionEntry", "load_selection", "is_selection_json", "selection_files"]

_CONVENTIONS = {"charge": "feature cost charged", "free": "feature cost free"}


@dataclass(frozen=True)
class SelectionEntry:
    scenario: str
    selector: str
    convention: str  # "feature cost charged" / "feature cost free"
    par10: float
    solved: float  # fraction of instances
    gap_closed: float
    vbs_par10: float
    sbs_par10: float
    sbs: str | None = None
    published_best_gap: float | None = None
    source: str = ""


def is_selection_json(data: Any) -> bool:
    """True for a ``select evaluate --json`` object (or a list of them) or a selection benchmark file."""
    if isinstance(data, list):
        return bool(data) and all(is_selection_json(d) for d in data)
    if not isinstance(data, Mapping):
        return False
    if {"scenario", "selector", "gap_closed", "par10"} <= set(data):
        return True
    scenarios = data.get("scenarios")
    return isinstance(scenarios, Mapping) and all(isinstance(s, Mapping) and "selectors" in s
                                                  for s in scenarios.values())


def selection_files(path: Path) -> list[Path]:
    """The ``*.json`` files of a folder that hold selection results."""
    if not path.is_dir():
        return []
    return [p for p in sorted(path.glob("*.json")) if p.is_file() and is_selection_json(_read(p, strict=False))]


def load_selection(path: str | Path) -> tuple[SelectionEntry, ...]:
    """Every selection result in ``path`` (a JSON file, or a folder of them); InputError if none."""
    path = Path(path)
    files = [path] if path.is_file() else selection_files(path)
    entries: list[SelectionEntry] = []
    for f in files:
        data = _read(f, strict=True)
        if not is_selection_json(data):
            raise InputError("expected selection results: the JSON of 'algoconf select evaluate --json' or "
                             "a benchmarks/selection.py results file", file=f)
        for item in data if isinstance(data, list) else [data]:
            entries.extend(_entries(item, f))
    if not entries:
        raise InputError("no selection results here", file=path)
    return tuple(entries)


def _entries(data: Mapping[str, Any], source: Path) -> list[SelectionEntry]:
    if "scenarios" not in data:
        return [SelectionEntry(
            scenario=str(data["scenario"]), selector=str(data["selector"]),
            convention=_CONVENTIONS.get(str(data.get("feature_cost", "charge")), str(data.get("feature_cost"))),
            par10=_num(data["par10"]), solved=_num(data.get("solved")), gap_closed=_num(data["gap_closed"]),
            vbs_par10=_num(data.get("vbs_par10")), sbs_par10=_num(data.get("sbs_par10")),
            sbs=data.get("sbs"), source=str(source))]
    out = []
    for name, scenario in data["scenarios"].items():
        published = scenario.get("published_best_gap")
        for selector, r in scenario["selectors"].items():
            for suffix, convention in (("charged", "charge"), ("free", "free")):
                if f"gap_{suffix}" not in r:
                    continue
                out.append(SelectionEntry(
                    scenario=str(name), selector=str(selector), convention=_CONVENTIONS[convention],
                    par10=_num(r.get(f"par10_{suffix}")), solved=_num(r.get(f"solved_{suffix}")),
                    gap_closed=_num(r[f"gap_{suffix}"]), vbs_par10=_num(scenario.get("vbs_par10")),
                    sbs_par10=_num(scenario.get("sbs_par10")),
                    published_best_gap=None if published is None else _num(published), source=str(source)))
    return out


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


def _read(path: Path, *, strict: bool) -> Any:
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        if not strict:
            return None
        line = getattr(err, "lineno", None)
        raise InputError(f"expected JSON: {err}", file=path, line=line) from None
