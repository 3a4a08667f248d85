"""irace parameter files (``parameters.txt``).

::

    # name     switch        type   domain               | condition
    heuristic  "--heur="     c      (greedy, tabu, anneal)
    tenure     "--tenure "   i,log  (1, 100)             | heuristic == "tabu"   # default: 10
    temp       "--temp="     r      (0.01, 10)           | heuristic %in% c("anneal")
    effort     "--effort="   o      ("low", "mid", "high")

    [global]
    digits = 4

    [forbidden]
    heuristic == "anneal" & effort == "low"

Types ``c`` (categorical), ``o`` (ordinal), ``i`` and ``r`` (integer, real; ``,log`` for log scale).
Each switch is kept in the parameter's ``meta={"switch": ...}`` so a target can build irace-style
command lines. irace files carry no default configuration; algoconf reads and writes one as a
trailing ``# default: VALUE`` comment, and otherwise takes the first value of a categorical/ordinal
parameter and the (geometric, for log scale) midpoint of a numerical one. ``[global] digits`` is
kept in the space's ``meta["irace_digits"]``. Dependent domains (bounds naming another parameter)
cannot be expressed in ConfigSpace and raise SpaceError.
"""

from __future__ import annotations

import re
from typing import Any

from ConfigSpace import ConfigurationSpace
from ConfigSpace.hyperparameters import IntegerHyperparameter, OrdinalHyperparameter

from algoconf.errors import SpaceError
from algoconf.space.assemble import SpaceAssembler
from algoconf.space.expressions import Atom, Expr, to_dnf
from algoconf.space.rexpr import parse_r_expression
from algoconf.space.structure import condition_child, condition_expr, forbidden_expr
from algoconf.space.values import choices_of, format_value, is_finite_domain, kind_of, parse_number

__all__ = ["parse_irace", "write_irace", "DEFAULT_SWITCH"]

#: switch written for a parameter that has none (e.g. converted from PCS): AClib style ``-name value``
DEFAULT_SWITCH = "-{name} "

_PARAM = re.compile(
    r"""^(?P<name>[A-Za-z_.][A-Za-z0-9_.]*)\s+
        (?P<switch>"[^"]*"|'[^']*')\s+
        (?P<type>[A-Za-z]+(?:\s*,\s*log)?)\s*
        \((?P<domain>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*
        (?:\|(?P<condition>.*))?$""",
    re.VERBOSE,
)
_DEFAULT_COMMENT = re.compile(r"\bdefault\s*[:=]\s*(\"[^\"]*\"|'[^']*'|\S+)")
_TYPES = {"c": "categorical", "o": "ordinal", "i": "integer", "r": "real"}
_EXPECTED_LINE = "'<name> \"<switch>\" <c|o|i|r>[,log] (<domain>) [| <condition>]'"


def _split_comment(raw: str) -> tuple[str, str]:
    """(code, comment): the first # outside quotes starts the comment."""
    quote = None
    for i, ch in enumerate(raw):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return raw[:i].strip(), raw[i + 1 :].strip()
    return raw.strip(), ""


def _unquote(token: str) -> str:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    return token


def _domain_values(text: str) -> list[str]:
    values, current, quote = [], "", None
    for ch in text:
        if quote:
            current += ch
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            current += ch
        elif ch == ",":
            values.append(current)
            current = ""
        else:
            current += ch
    values.append(current)
    return [] if [v.strip() for v in values] == [""] else [v.strip() for v in values]


def parse_irace(text: str, source: str = "<string>") -> ConfigurationSpace:
    """Read an irace parameter file; SpaceError naming file and line on any problem."""
    asm = SpaceAssembler(source=source)
    section = "parameters"
    digits: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        code, comment = _split_comment(raw)
        if not code:
            continue
        header = re.fullmatch(r"\[\s*([A-Za-z_]+)\s*\]", code)
        if header:
            section = header.group(1).lower()
            if section not in ("global", "forbidden"):
                raise asm.error(f"unknown section [{header.group(1)}]: expected [global] or [forbidden]", number)
            continue
        if section == "forbidden":
            try:
                expr = parse_r_expression(code)
            except ValueError as err:
                raise asm.error(f"cannot parse forbidden expression {code!r}: {err}", number) from None
            asm.add_forbidden(expr, number)
        elif section == "global":
            m = re.fullmatch(r"digits\s*=\s*(\d+)", code)
            if not m:
                raise asm.error(f"cannot parse [global] setting {code!r}: expected 'digits = N'", number)
            digits = int(m.group(1))
        else:
            _parameter(code, comment, asm, number)
    if digits is not None:
        asm.meta = {"irace_digits": digits}
    return asm.build()


def _parameter(code: str, comment: str, asm: SpaceAssembler, number: int) -> None:
    m = _PARAM.match(code)
    if not m:
        raise asm.error(f"cannot parse line {code!r}: expected {_EXPECTED_LINE}", number)
    name = m.group("name")
    switch = m.group("switch")[1:-1]
    type_text = re.sub(r"\s+", "", m.group("type"))
    letter, _, log_flag = type_text.partition(",")
    if letter not in _TYPES:
        raise asm.error(f"parameter {name!r}: unknown type {type_text!r}: expected c, o, i or r (i and r may add ',log')", number)
    kind = _TYPES[letter]
    log = log_flag == "log"
    if log and kind in ("categorical", "ordinal"):
        raise asm.error(f"parameter {name!r}: ',log' applies only to types i and r, not {letter!r}", number)
    values = _domain_values(m.group("domain"))
    found = _DEFAULT_COMMENT.search(comment)
    default = _unquote(found.group(1)) if found else None
    meta = {"switch": switch}
    if kind in ("categorical", "ordinal"):
        asm.add_choice(name, [_unquote(v) for v in values], default, number, ordinal=kind == "ordinal", meta=meta)
    else:
        if len(values) != 2:
            raise asm.error(f"parameter {name!r}: expected a domain '(lower, upper)', got ({m.group('domain')})", number)
        for v in values:
            if parse_number(_unquote(v)) is None:
                raise asm.error(
                    f"parameter {name!r}: bound {v!r} is not a number (dependent domains cannot be expressed in ConfigSpace)",
                    number,
                )
        asm.add_number(name, kind == "integer", _unquote(values[0]), _unquote(values[1]), default, log, number, meta=meta)
    if m.group("condition") is not None:
        try:
            expr = parse_r_expression(m.group("condition"))
        except ValueError as err:
            raise asm.error(f"cannot parse the condition of {name!r}: {err}", number) from None
        asm.add_condition(name, expr, number)


# ---- writing --------------------------------------------------------------------------------------
def _quote(value: Any) -> str:
    text = format_value(value)
    if '"' in text:
        raise SpaceError(f"irace cannot express value {text!r}: it contains a double quote")
    return f'"{text}"'


def _r_value(space: ConfigurationSpace, name: str, value: Any) -> str:
    return _quote(value) if is_finite_domain(space[name]) else format_value(value)


def _r_atom(space: ConfigurationSpace, atom: Atom) -> str:
    hp = space[atom.name]
    if atom.ref:
        return f"{atom.name} {atom.op} {atom.value}"
    if isinstance(hp, OrdinalHyperparameter) and atom.op in ("<", ">", "<=", ">="):
        # R would compare the strings; spell the ordinal comparison out as a set
        seq = list(hp.sequence)
        i = seq.index(atom.value)
        allowed = {"<": seq[:i], ">": seq[i + 1 :], "<=": seq[: i + 1], ">=": seq[i:]}[atom.op]
        return f"{atom.name} %in% c({', '.join(_quote(v) for v in allowed)})"
    if atom.op == "in":
        return f"{atom.name} %in% c({', '.join(_r_value(space, atom.name, v) for v in atom.values)})"
    return f"{atom.name} {atom.op} {_r_value(space, atom.name, atom.value)}"


def _r_expression(space: ConfigurationSpace, expr: Expr) -> str:
    dnf = to_dnf(expr)
    conjuncts = [" & ".join(_r_atom(space, a) for a in conj) for conj in dnf]
    if len(conjuncts) == 1:
        return conjuncts[0]
    return " | ".join(f"({c})" if len(conj) > 1 else c for c, conj in zip(conjuncts, dnf))


_R_NAME = re.compile(r"[A-Za-z.][A-Za-z0-9_.]*")


def _line(space: ConfigurationSpace, hp: Any, conditions: dict[str, Any]) -> list[str]:
    kind = kind_of(hp)
    if not _R_NAME.fullmatch(hp.name):
        raise SpaceError(
            f"irace cannot express parameter name {hp.name!r}: irace names are R identifiers "
            "(letters, digits, '_' and '.'); rename it and keep the solver's option in the switch"
        )
    switch = (hp.meta or {}).get("switch", DEFAULT_SWITCH.format(name=hp.name))
    if '"' in switch:
        raise SpaceError(f"irace cannot express the switch {switch!r} of {hp.name!r}: it contains a double quote")
    if kind in ("categorical", "ordinal", "constant"):
        letter = "o" if kind == "ordinal" else "c"
        domain = ", ".join(_quote(c) for c in choices_of(hp))
        default = _quote(hp.default_value)
    else:
        letter = ("i" if isinstance(hp, IntegerHyperparameter) else "r") + (",log" if getattr(hp, "log", False) else "")
        domain = f"{format_value(hp.lower)}, {format_value(hp.upper)}"
        default = format_value(hp.default_value)
    condition = ""
    if hp.name in conditions:
        condition = " | " + _r_expression(space, condition_expr(conditions[hp.name]))
    return [hp.name, f'"{switch}"', letter, f"({domain}){condition}", f"# default: {default}"]


def write_irace(space: ConfigurationSpace) -> str:
    """The space as an irace parameter file (defaults as ``# default:`` comments)."""
    conditions = {condition_child(c): c for c in space.conditions}
    rows = [_line(space, space[name], conditions) for name in space.keys()]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
    out = ["# irace parameter file written by algoconf; '# default:' comments give the default configuration"]
    for r in rows:
        out.append("  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] + "  " + r[4])
    digits = (space.meta or {}).get("irace_digits")
    if digits is not None:
        out += ["", "[global]", f"digits = {int(digits)}"]
    if space.forbidden_clauses:
        out += ["", "[forbidden]"]
        out += [_r_expression(space, forbidden_expr(clause)) for clause in space.forbidden_clauses]
    return "\n".join(out) + "\n"
