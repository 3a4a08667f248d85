"""ConfigSpace's own JSON format, read through ConfigSpace and then checked like every other format."""

from __future__ import annotations

import io
import json

from ConfigSpace import ConfigurationSpace

from algoconf.errors import SpaceError
from algoconf.space.assemble import SpaceAssembler
from algoconf.space.structure import condition_child, condition_expr, forbidden_expr

__all__ = ["parse_json", "write_json"]


def parse_json(text: str, source: str = "<string>") -> ConfigurationSpace:
    """Read a space written by ConfigSpace's ``to_json``; SpaceError naming the file on any problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SpaceError(f"not valid JSON: {err.msg} (column {err.colno})", file=source, line=err.lineno) from None
    if not isinstance(data, dict):
        raise SpaceError("not a ConfigSpace JSON space: expected a JSON object", file=source)
    meta = data.pop("meta", None)  # the space's own meta (ConfigSpace writes only each parameter's)
    try:
        raw = ConfigurationSpace.from_json(io.StringIO(json.dumps(data)))
    except Exception as err:  # ConfigSpace raises ValueError, KeyError, TypeError on bad content
        raise SpaceError(f"not a ConfigSpace JSON space: {type(err).__name__}: {err}", file=source) from None
    asm = SpaceAssembler(source=source, name=raw.name, meta=meta if isinstance(meta, dict) else None)
    for name in raw.keys():
        asm.add_hyperparameter(raw[name])
    for cond in raw.conditions:
        asm.add_condition(condition_child(cond), condition_expr(cond), None)
    for clause in raw.forbidden_clauses:
        asm.add_forbidden(forbidden_expr(clause), None)
    return asm.build()


def write_json(space: ConfigurationSpace) -> str:
    """The space in ConfigSpace's JSON format, keeping every parameter's ``meta`` (irace switches)
    and, under an extra top-level ``"meta"`` key, the space's own (e.g. ``irace_digits``)."""
    buffer = io.StringIO()
    space.to_json(buffer)
    data = json.loads(buffer.getvalue())
    if space.meta:
        data["meta"] = dict(space.meta)
    return json.dumps(data, indent=2) + "\n"
