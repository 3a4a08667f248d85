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
from algoconf.space.values import as_numerical, choices_of, format_value, is_finite_domain, kind_of, parse_number

__all__ = ["parse_irace", "write_irace", "irace_name", "split_comment", "DEFAULT_SWITCH"]

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
_NAME_COMMENT = re.compile(r"(?:^|\s)name\s*:\s*(\"[^\"]*\"|'[^']*'|\S+)")
_TYPES = {"c": "categorical", "o": "ordinal", "i": "integer", "r": "real"}
_EXPECTED_LINE = "'<name> \"<switch>\" <c|o|i|r>[,log] (<domain>) [| <condition>]'"


def split_comment(raw: str) -> tuple[str, str]:
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
    """Read an irace parameter file; SpaceError naming file and line on any problem.

    A trailing ``# name: REAL`` comment (written by :func:`write_irace` for names that are not R
    identifiers) gives the parameter's real name; conditions and forbidden lines use the irace
    names and are mapped back."""
    asm = SpaceAssembler(source=source)
    section = "parameters"
    digits: int | None = None
    real_names: dict[str, str] = {}
    conditions: list[tuple[str, Expr, int]] = []
    forbiddens: list[tuple[Expr, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        code, comment = split_comment(raw)
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
            forbiddens.append((expr, number))
        elif section == "global":
            m = re.fullmatch(r"digits\s*=\s*(\d+)", code)
            if not m:
                raise asm.error(f"cannot parse [global] setting {code!r}: expected 'digits = N'", number)
            digits = int(m.group(1))
        else:
            _parameter(code, comment, asm, number, real_names, conditions)
    for child, expr, number in conditions:
        asm.add_condition(real_names.get(child, child), _renamed(expr, real_names), number)
    for expr, number in forbiddens:
        asm.add_forbidden(_renamed(expr, real_names), number)
    if digits is not None:
        asm.meta = {"irace_digits": digits}
    return asm.build()


def _renamed(expr: Expr, names: dict[str, str]) -> Expr:
    """The expression with irace names replaced by real names (relations name a parameter as value)."""
    if not names:
        return expr
    if isinstance(expr, Atom):
        values = (names.get(str(expr.value), expr.value),) if expr.ref else expr.values
        return Atom(names.get(expr.name, expr.name), expr.op, values, expr.ref)
    return type(expr)(tuple(_renamed(p, names) for p in expr.parts))


def _parameter(
    code: str,
    comment: str,
    asm: SpaceAssembler,
    number: int,
    real_names: dict[str, str],
    conditions: list[tuple[str, Expr, int]],
) -> None:
    m = _PARAM.match(code)
    if not m:
        raise asm.error(f"cannot parse line {code!r}: expected {_EXPECTED_LINE}", number)
    irace_name = m.group("name")
    found_name = _NAME_COMMENT.search(comment)
    name = _unquote(found_name.group(1)) if found_name else irace_name
    if name != irace_name:
        real_names[irace_name] = name
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
        asm.add_choice(
            name, [_unquote(v) for v in values], default, number, ordinal=kind == "ordinal", meta=meta, allow_empty=True
        )
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
        conditions.append((irace_name, expr, number))


# ---- writing --------------------------------------------------------------------------------------
#: irace's default number of decimal places of real parameters (``digits``)
IRACE_DEFAULT_DIGITS = 4
#: irace accepts at most this many decimal places
IRACE_MAX_DIGITS = 15
_R_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.]*|\.(?![0-9])[A-Za-z0-9_.]*")
_R_RESERVED = frozenset(
    "if else repeat while function for next break in TRUE FALSE NULL Inf NaN NA NA_integer_ NA_real_ "
    "NA_character_ c".split()
)


def irace_name(name: str) -> str:
    """The name irace sees for a parameter: the name itself when it is an R identifier, else
    the name with every other character replaced by ``_`` (``ccmin-mode`` -> ``ccmin_mode``),
    prefixed with ``X`` when it would not start with a letter (as R's ``make.names`` does)."""
    if _R_NAME.fullmatch(name) and name not in _R_RESERVED:
        return name
    fixed = re.sub(r"[^A-Za-z0-9_.]", "_", name)
    if not re.match(r"[A-Za-z]", fixed):
        fixed = "X" + fixed
    if fixed in _R_RESERVED:
        fixed += "_"
    return fixed


def _irace_names(space: ConfigurationSpace) -> dict[str, str]:
    """Real name -> irace name, unique (a clash gets ``_2``, ``_3``, ...)."""
    out: dict[str, str] = {}
    taken = {n for n in space.keys() if irace_name(n) == n}
    for name in space.keys():
        if irace_name(name) == name:
            out[name] = name
            continue
        base = candidate = irace_name(name)
        k = 2
        while candidate in taken:
            candidate = f"{base}_{k}"
            k += 1
        taken.add(candidate)
        out[name] = candidate
    return out


def _decimals(value: float) -> int | None:
    """The fewest decimal places that write ``value`` exactly (None: more than irace's maximum)."""
    for d in range(IRACE_MAX_DIGITS + 1):
        if round(value, d) == value:
            return d
    return None


def _digits(space: ConfigurationSpace) -> int | None:
    """The ``digits`` setting the file needs: irace rounds real bounds to ``digits`` decimals, so
    every real bound must be exact in that many (else irace moves the range, or refuses a log
    range whose lower bound rounds to 0); so must the defaults (algoconf rounds values of a space
    with ``digits``). None when irace's default (4) is enough and the space sets none."""
    given = (space.meta or {}).get("irace_digits")
    needed = 0
    for name in space.keys():
        hp = space[name]
        if kind_of(hp) != "real":
            continue
        num = as_numerical(hp)
        for bound in (float(num.lower), float(num.upper)):
            d = _decimals(bound)
            if d is None:
                raise SpaceError(
                    f"irace cannot express the bound {format_value(bound)} of {name!r}: irace rounds real "
                    f"bounds to at most {IRACE_MAX_DIGITS} decimal places"
                )
            needed = max(needed, d)
        default = _decimals(float(hp.default_value))  # kept exact too, when irace can write it
        if default is not None:
            needed = max(needed, default)
    if given is None and needed <= IRACE_DEFAULT_DIGITS:
        return None
    return max(int(given) if given is not None else IRACE_DEFAULT_DIGITS, needed)


def _quote(value: Any) -> str:
    text = format_value(value)
    if '"' in text:
        raise SpaceError(f"irace cannot express value {text!r}: it contains a double quote")
    return f'"{text}"'


class _Writer:
    """Writes conditions and forbidden lines with irace names."""

    def __init__(self, space: ConfigurationSpace):
        self.space = space
        self.names = _irace_names(space)

    def value(self, name: str, value: Any) -> str:
        return _quote(value) if is_finite_domain(self.space[name]) else format_value(value)

    def atom(self, atom: Atom, where: str) -> str:
        hp = self.space[atom.name]
        name = self.names[atom.name]
        if atom.ref:
            return f"{name} {atom.op} {self.names[str(atom.value)]}"
        if isinstance(hp, OrdinalHyperparameter) and atom.op in ("<", ">", "<=", ">="):
            # R would compare the strings; spell the ordinal comparison out as a set
            seq = list(hp.sequence)
            i = seq.index(atom.value)
            allowed = {"<": seq[:i], ">": seq[i + 1 :], "<=": seq[: i + 1], ">=": seq[i:]}[atom.op]
            if not allowed:
                raise SpaceError(f"irace cannot express {where}: no value of {atom.name!r} is {atom.op} {format_value(atom.value)}")
            return f"{name} %in% c({', '.join(_quote(v) for v in allowed)})"
        if atom.op == "in":
            return f"{name} %in% c({', '.join(self.value(atom.name, v) for v in atom.values)})"
        return f"{name} {atom.op} {self.value(atom.name, atom.value)}"

    def expression(self, expr: Expr, where: str) -> str:
        dnf = to_dnf(expr)
        conjuncts = [" & ".join(self.atom(a, where) for a in conj) for conj in dnf]
        if len(conjuncts) == 1:
            return conjuncts[0]
        return " | ".join(f"({c})" if len(conj) > 1 else c for c, conj in zip(conjuncts, dnf))

    def line(self, hp: Any, conditions: dict[str, Any]) -> list[str]:
        kind = kind_of(hp)
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
            where = f"the condition of {hp.name!r}"
            condition = " | " + self.expression(condition_expr(conditions[hp.name]), where)
        comment = f"# default: {default}"
        name = self.names[hp.name]
        if name != hp.name:
            comment += f"  name: {hp.name}" if not re.search(r"[\s\"']", hp.name) else f'  name: "{hp.name}"'
        return [name, f'"{switch}"', letter, f"({domain}){condition}", comment]


def write_irace(space: ConfigurationSpace) -> str:
    """The space as an irace parameter file: defaults as ``# default:`` comments, a name that is not
    an R identifier as its :func:`irace_name` with ``# name: REAL`` (read back by
    :func:`parse_irace`); ``[global] digits`` when real bounds need more than irace's default 4
    decimals, and ``[forbidden]`` when there are forbidden clauses (both sections are irace 4
    syntax: irace 3 takes ``digits`` and a ``forbiddenFile`` in its scenario instead)."""
    writer = _Writer(space)
    conditions = {condition_child(c): c for c in space.conditions}
    rows = [writer.line(space[name], conditions) for name in space.keys()]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
    out = ["# irace parameter file written by algoconf; '# default:' comments give the default configuration"]
    if any(writer.names[n] != n for n in space.keys()):
        out.append("# '# name:' comments give the parameter's real name (irace names are R identifiers)")
    for r in rows:
        out.append("  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] + "  " + r[4])
    digits = _digits(space)
    if digits is not None:
        out += ["", "[global]", f"digits = {digits}"]
    if space.forbidden_clauses:
        out += ["", "[forbidden]"]
        out += [writer.expression(forbidden_expr(clause), "a forbidden clause") for clause in space.forbidden_clauses]
    return "\n".join(out) + "\n"
