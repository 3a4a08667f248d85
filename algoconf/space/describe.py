"""A canonical, JSON-ready description of a space: what ``algoconf space show`` prints, and what
round-trip tests compare (equal descriptions = same parameters, types, domains, defaults, switches,
and semantically equal conditions and forbidden clauses, however each format spelled them)."""

from __future__ import annotations

import itertools
from typing import Any

from ConfigSpace import ConfigurationSpace

from algoconf.space.configs import default_config
from algoconf.space.expressions import Atom, to_dnf
from algoconf.space.structure import condition_child, condition_expr, forbidden_expr
from algoconf.space.values import allowed_values, choices_of, format_value, is_finite_domain, kind_of

__all__ = ["describe_space", "describe_parameter"]


def describe_parameter(hp: Any) -> dict[str, Any]:
    kind = kind_of(hp)
    out: dict[str, Any] = {"name": hp.name, "type": kind}
    if is_finite_domain(hp):
        out["choices"] = [_plain(c) for c in choices_of(hp)]
    else:
        out["lower"], out["upper"] = _plain(hp.lower), _plain(hp.upper)
        out["log"] = bool(getattr(hp, "log", False))
    out["default"] = _plain(hp.default_value)
    switch = (hp.meta or {}).get("switch")
    if switch is not None:
        out["switch"] = switch
    return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _finite_set(space: ConfigurationSpace, atom: Atom) -> list[Any] | None:
    if atom.ref:
        return None
    return allowed_values(space[atom.name], atom.op, atom.values)


def _atom_text(space: ConfigurationSpace, atom: Atom) -> str:
    allowed = _finite_set(space, atom)
    if allowed is not None:
        return f"{atom.name} in {{{', '.join(format_value(v) for v in allowed)}}}"
    if atom.ref:
        return f"{atom.name} {atom.op} @{atom.value}"
    if atom.op == "in":
        return f"{atom.name} in {{{', '.join(format_value(v) for v in sorted(atom.values))}}}"
    if atom.op == "==" and len(atom.values) == 1:
        return f"{atom.name} in {{{format_value(atom.value)}}}"
    return f"{atom.name} {atom.op} {format_value(atom.value)}"


def condition_text(space: ConfigurationSpace, cond: Any) -> str:
    """The condition in a canonical disjunctive form: ``a in {x} && b > 3 || c in {y, z}``."""
    conjuncts = sorted({" && ".join(sorted({_atom_text(space, a) for a in conj})) for conj in to_dnf(condition_expr(cond))})
    return " || ".join(conjuncts)


def forbidden_texts(space: ConfigurationSpace, clause: Any) -> list[str]:
    """The clause as canonical conjunctions, finite sets expanded to one combination each."""
    out = []
    for conj in to_dnf(forbidden_expr(clause)):
        options = []
        for atom in conj:
            allowed = _finite_set(space, atom)
            if allowed is None and not atom.ref and atom.op in ("==", "in"):
                allowed = sorted(atom.values)
            if allowed is None:
                options.append([_atom_text(space, atom)])
            else:
                options.append([f"{atom.name}={format_value(v)}" for v in allowed])
        for combo in itertools.product(*options):
            out.append(", ".join(sorted(set(combo))))
    return out


def describe_space(space: ConfigurationSpace) -> dict[str, Any]:
    """Parameters (declared order), conditions by child, forbidden combinations, and the default."""
    conditions = {condition_child(c): condition_text(space, c) for c in space.conditions}
    forbiddens = sorted({t for clause in space.forbidden_clauses for t in forbidden_texts(space, clause)})
    return {
        "parameters": [describe_parameter(space[name]) for name in space.keys()],
        "conditions": dict(sorted(conditions.items())),
        "forbiddens": forbiddens,
        "default": default_config(space),
    }
