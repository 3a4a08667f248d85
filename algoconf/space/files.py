"""Reading and writing spaces in every supported format, with format detection."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ConfigSpace import ConfigurationSpace

from algoconf.errors import SpaceError

__all__ = ["FORMATS", "read_space", "parse_space", "space_to_text", "write_space", "detect_format"]

#: every format name accepted by ``format=`` arguments
FORMATS = ("pcs", "pcs_new", "irace", "json")

_NEW_PCS_LINE = re.compile(r"^\s*[^\s{}\[\]|#]+\s+(categorical|ordinal|integer|real)\s*[\[{]", re.MULTILINE)
_IRACE_LINE = re.compile(r'^\s*[^\s#]+\s+"[^"]*"\s+[ircoIRCO]\b', re.MULTILINE)


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise SpaceError(f"unknown space format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return fmt


def detect_format(text: str, suffix: str = "") -> str:
    """The format of a parameter file from its suffix and content.

    ``.json`` or a JSON object -> json; ``[forbidden]``/``[global]`` sections or lines with a quoted
    switch -> irace; a declaration with a type keyword (``categorical``, ``integer``, ...) -> pcs_new;
    anything else -> pcs (old syntax).
    """
    suffix = suffix.lower()
    stripped = text.lstrip()
    if suffix == ".json" or stripped.startswith("{") and stripped.rstrip().endswith("}") and _is_json(stripped):
        return "json"
    if _IRACE_LINE.search(text) or re.search(r"^\s*\[(forbidden|global)\]\s*$", text, re.MULTILINE):
        return "irace"
    if _NEW_PCS_LINE.search(text):
        return "pcs_new"
    return "pcs"


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def parse_space(text: str, format: str, source: str = "<string>") -> ConfigurationSpace:
    """A space from text in ``format`` (one of :data:`FORMATS`); SpaceError names source and line."""
    fmt = _check_format(format)
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    if fmt in ("pcs", "pcs_new"):
        from algoconf.space.pcs import parse_pcs

        return parse_pcs(text, fmt, source)
    if fmt == "irace":
        from algoconf.space.irace import parse_irace

        return parse_irace(text, source)
    from algoconf.space.json_format import parse_json

    return parse_json(text, source)


def read_space(path: str | Path, format: str | None = None) -> ConfigurationSpace:
    """Read a parameter file; ``format=None`` detects it (see :func:`detect_format`)."""
    path = Path(path)
    from algoconf.text_files import read_user_text

    text = read_user_text(path, SpaceError, "parameter file")
    fmt = format if format is not None else detect_format(text, path.suffix)
    return parse_space(text, fmt, source=str(path))


def space_to_text(space: ConfigurationSpace, format: str) -> str:
    """The space as text in ``format``; SpaceError naming what that format cannot express."""
    fmt = _check_format(format)
    if fmt in ("pcs", "pcs_new"):
        from algoconf.space.pcs import write_pcs

        return write_pcs(space, fmt)
    if fmt == "irace":
        from algoconf.space.irace import write_irace

        return write_irace(space)
    from algoconf.space.json_format import write_json

    return write_json(space)


def format_for_path(path: str | Path) -> str:
    """The format a file name implies: .json -> json, .txt -> irace, anything else -> pcs_new."""
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".txt": "irace"}.get(suffix, "pcs_new")


def write_space(space: ConfigurationSpace, path: str | Path, format: str | None = None) -> None:
    """Write the space; ``format=None`` picks it from the suffix (.json, .txt = irace, else pcs_new)."""
    text = space_to_text(space, format if format is not None else format_for_path(path))
    Path(path).write_text(text)
