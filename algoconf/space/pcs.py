"""PCS parameter files in both syntaxes: the original SMAC one ("pcs") and the AClib 2 / SMAC 3 one
("pcs_new").

Old syntax::

    heuristic {greedy, tabu, anneal} [greedy]
    tenure [1, 100] [10]il             # i = integer, l = log scale
    tenure | heuristic in {tabu}
    {heuristic=anneal, tenure=5}        # forbidden combination

New syntax::

    heuristic categorical {greedy, tabu, anneal} [greedy]
    effort ordinal {low, mid, high} [mid]
    tenure integer [1, 100] [10] log
    temperature real [0.01, 10.0] [1.0] log
    tenure | heuristic == tabu && effort > low || heuristic in {anneal}
    {heuristic=anneal, tenure=5}

Both readers accept every condition form (``in {..}``, ``==``, ``!=``, ``<``, ``>``, ``&&`` binding
tighter than ``||``); several condition lines for one parameter must all hold. Writers emit only
what the syntax has, and raise SpaceError naming what it cannot express.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from ConfigSpace import ConfigurationSpace
from ConfigSpace.hyperparameters import IntegerHyperparameter

from algoconf.errors import SpaceError
from algoconf.space.assemble import SpaceAssembler
from algoconf.space.expressions import AllOf, AnyOf, Atom, Expr, to_dnf
from algoconf.space.structure import condition_child, condition_expr, forbidden_expr
from algoconf.space.values import allowed_values, choices_of, format_value, is_finite_domain, kind_of

__all__ = ["parse_pcs", "write_pcs"]

_NAME = r"[^\s{}\[\]|,=#<>!]+"
_OLD_CHOICE = re.compile(rf"^({_NAME})\s*\{{(.*)\}}\s*\[(.*)\]$")
_OLD_NUMBER = re.compile(rf"^({_NAME})\s*\[([^\]]*)\]\s*\[([^\]]*)\]\s*([A-Za-z]*)$")
_NEW_CHOICE = re.compile(rf"^({_NAME})\s+(categorical|ordinal)\s*\{{(.*)\}}\s*\[(.*)\]$")
_NEW_NUMBER = re.compile(rf"^({_NAME})\s+(integer|real)\s*\[([^\]]*)\]\s*\[([^\]]*)\]\s*(log)?$")
_CONDITION = re.compile(rf"^({_NAME})\s*\|(.*)$")
_FORBIDDEN = re.compile(r"^\{(.*)\}$")
_IN_ATOM = re.compile(rf"^({_NAME})\s+in\s*\{{(.*)\}}$")
_CMP_ATOM = re.compile(rf"^({_NAME})\s*(==|!=|<|>)\s*([^\s{{}}]+)$")
_FORBIDDEN_PAIR = re.compile(rf"^({_NAME})\s*==?\s*([^\s{{}},]+)$")
_OLD_FLAGS = {"": (False, False), "i": (True, False), "l": (False, True), "il": (True, True), "li": (True, True)}
_UNSAFE = re.compile(r"[\s,{}\[\]|#=]")
#: section headers some old PCS files carry (AClib's Spear, SATenstein, CPLEX spaces); ConfigSpace
#: and SMAC skip them
_HEADER = re.compile(r"^(Conditionals|Conditions|Forbidden|Forbiddens|Parameters)\s*:$", re.IGNORECASE)

_DECL_HELP = {
    "pcs": "'<name> {a, b, c} [default]' or '<name> [lower, upper] [default]' (+ i/l/il)",
    "pcs_new": "'<name> categorical|ordinal {a, b} [default]' or '<name> integer|real [lower, upper] [default] [log]'",
}


def _split_list(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    return [] if parts == [""] else parts


def _bounds(text: str, asm: SpaceAssembler, name: str, line: int) -> tuple[str, str]:
    parts = _split_list(text)
    if len(parts) != 2:
        raise asm.error(f"parameter {name!r}: expected a range '[lower, upper]', got '[{text}]'", line)
    return parts[0], parts[1]


def _parse_condition(text: str, asm: SpaceAssembler, child: str, line: int) -> Expr:
    disjuncts = []
    for or_part in text.split("||"):
        atoms = []
        for raw in or_part.split("&&"):
            raw = raw.strip()
            m_in = _IN_ATOM.match(raw)
            m_cmp = _CMP_ATOM.match(raw)
            if m_in:
                atoms.append(Atom(m_in.group(1), "in", tuple(_split_list(m_in.group(2)))))
            elif m_cmp:
                atoms.append(Atom(m_cmp.group(1), m_cmp.group(2), (m_cmp.group(3),)))
            else:
                raise asm.error(
                    f"cannot parse the condition of {child!r} at {raw!r}: expected 'parent in {{a, b}}', "
                    "'parent == value' (or !=, <, >), joined by && or ||",
                    line,
                )
        disjuncts.append(atoms[0] if len(atoms) == 1 else AllOf(tuple(atoms)))
    return disjuncts[0] if len(disjuncts) == 1 else AnyOf(tuple(disjuncts))


def _parse_forbidden(body: str, asm: SpaceAssembler, line: int) -> Expr:
    atoms = []
    for raw in body.split(","):
        m = _FORBIDDEN_PAIR.match(raw.strip())
        if not m:
            raise asm.error(
                f"cannot parse forbidden clause {{{body}}} at {raw.strip()!r}: expected {{name=value, name=value, ...}}",
                line,
            )
        atoms.append(Atom(m.group(1), "==", (m.group(2),)))
    return atoms[0] if len(atoms) == 1 else AllOf(tuple(atoms))


def parse_pcs(text: str, syntax: str = "pcs", source: str = "<string>") -> ConfigurationSpace:
    """Read PCS text in the ``"pcs"`` (old) or ``"pcs_new"`` syntax; SpaceError on any bad line."""
    if syntax not in _DECL_HELP:
        raise ValueError(f"unknown PCS syntax {syntax!r}")
    asm = SpaceAssembler(source=source)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if _HEADER.match(line):
            continue
        m_cond = _CONDITION.match(line)
        m_forb = _FORBIDDEN.match(line)
        if m_cond:
            child = m_cond.group(1)
            asm.add_condition(child, _parse_condition(m_cond.group(2), asm, child, number), number)
        elif m_forb:
            asm.add_forbidden(_parse_forbidden(m_forb.group(1), asm, number), number)
        elif syntax == "pcs":
            _old_declaration(line, asm, number)
        else:
            _new_declaration(line, asm, number)
    return asm.build()


def _old_declaration(line: str, asm: SpaceAssembler, number: int) -> None:
    m_choice, m_number = _OLD_CHOICE.match(line), _OLD_NUMBER.match(line)
    if m_choice:
        name, values, default = m_choice.groups()
        asm.add_choice(name, _split_list(values), default.strip(), number)
    elif m_number:
        name, bounds, default, flags = m_number.groups()
        if flags not in _OLD_FLAGS:
            raise asm.error(f"parameter {name!r}: unknown flags {flags!r}: expected i, l or il", number)
        integer, log = _OLD_FLAGS[flags]
        lower, upper = _bounds(bounds, asm, name, number)
        asm.add_number(name, integer, lower, upper, default.strip(), log, number)
    else:
        raise asm.error(f"cannot parse line {line!r}: expected {_DECL_HELP['pcs']}, a condition or a forbidden clause", number)


def _new_declaration(line: str, asm: SpaceAssembler, number: int) -> None:
    m_choice, m_number = _NEW_CHOICE.match(line), _NEW_NUMBER.match(line)
    if m_choice:
        name, kind, values, default = m_choice.groups()
        asm.add_choice(name, _split_list(values), default.strip(), number, ordinal=kind == "ordinal")
    elif m_number:
        name, kind, bounds, default, log = m_number.groups()
        lower, upper = _bounds(bounds, asm, name, number)
        asm.add_number(name, kind == "integer", lower, upper, default.strip(), bool(log), number)
    else:
        raise asm.error(
            f"cannot parse line {line!r}: expected {_DECL_HELP['pcs_new']}, a condition or a forbidden clause", number
        )


# ---- writing --------------------------------------------------------------------------------------
def _text(value: Any, what: str, syntax: str) -> str:
    text = format_value(value)
    if not text:
        raise SpaceError(f"{syntax} cannot express {what}: value {text!r} is empty")
    if _UNSAFE.search(text):
        raise SpaceError(f"{syntax} cannot express {what}: value {text!r} contains a space or one of , {{ }} [ ] | # =")
    return text


def _declaration(hp: Any, syntax: str) -> str:
    kind = kind_of(hp)
    name = _text(hp.name, "a parameter name", syntax)
    if kind in ("categorical", "ordinal", "constant"):
        if kind == "ordinal" and syntax == "pcs":
            raise SpaceError(f"pcs (old syntax) cannot express ordinal parameter {hp.name!r}; write pcs_new or irace")
        values = ", ".join(_text(c, f"parameter {hp.name!r}", syntax) for c in choices_of(hp))
        default = _text(hp.default_value, f"parameter {hp.name!r}", syntax)
        keyword = "" if syntax == "pcs" else (" ordinal" if kind == "ordinal" else " categorical")
        return f"{name}{keyword} {{{values}}} [{default}]"
    integer = isinstance(hp, IntegerHyperparameter)
    log = bool(getattr(hp, "log", False))
    body = f"[{format_value(hp.lower)}, {format_value(hp.upper)}] [{format_value(hp.default_value)}]"
    if syntax == "pcs":
        flags = ("i" if integer else "") + ("l" if log else "")
        return f"{name} {body}{flags}"
    return f"{name} {'integer' if integer else 'real'} {body}{' log' if log else ''}"


def _finite_values(space: ConfigurationSpace, atom: Atom) -> list[Any] | None:
    """The values an atom allows when the parameter's domain can be listed (else None)."""
    if atom.ref:
        return None
    return allowed_values(space[atom.name], atom.op, atom.values)


def _condition_lines(space: ConfigurationSpace, cond: Any, syntax: str) -> list[str]:
    child = condition_child(cond)
    dnf = to_dnf(condition_expr(cond))
    if syntax == "pcs":
        if len(dnf) != 1:
            raise SpaceError(f"pcs (old syntax) cannot express the '||' in the condition of {child!r}; write pcs_new or irace")
        lines = []
        for atom in dnf[0]:
            if not is_finite_domain(space[atom.name]):
                raise SpaceError(
                    f"pcs (old syntax) cannot express the condition of {child!r} on {kind_of(space[atom.name])} "
                    f"parameter {atom.name!r}: old-PCS conditions name categorical parents (ConfigSpace reads "
                    "no other); write pcs_new or irace"
                )
            allowed = _finite_values(space, atom)
            if allowed is None and atom.op in ("==", "in"):
                allowed = list(atom.values)
            if allowed is None:
                raise SpaceError(
                    f"pcs (old syntax) cannot express the condition {child} | {atom.name} {atom.op} "
                    f"{format_value(atom.value)}; write pcs_new or irace"
                )
            if not allowed:
                raise SpaceError(f"pcs (old syntax) cannot express the condition of {child!r}: it never holds")
            values = ", ".join(_text(v, f"the condition of {child!r}", syntax) for v in allowed)
            lines.append(f"{child} | {atom.name} in {{{values}}}")
        return lines
    disjuncts = []
    for conj in dnf:
        parts = []
        for atom in conj:
            if atom.op == "in":
                values = ", ".join(_text(v, f"the condition of {child!r}", syntax) for v in atom.values)
                parts.append(f"{atom.name} in {{{values}}}")
            else:
                parts.append(f"{atom.name} {atom.op} {_text(atom.value, f'the condition of {child!r}', syntax)}")
        disjuncts.append(" && ".join(parts))
    return [f"{child} | " + " || ".join(disjuncts)]


MAX_EXPANDED_CLAUSES = 1000


def _forbidden_lines(space: ConfigurationSpace, clause: Any, syntax: str) -> list[str]:
    lines = []
    for conj in to_dnf(forbidden_expr(clause)):
        options = []
        for atom in conj:
            if syntax == "pcs" and not atom.ref and not is_finite_domain(space[atom.name]):
                shown = str(clause).replace("Forbidden: ", "")
                raise SpaceError(
                    f"pcs (old syntax) cannot express forbidden clause {{{shown}}} on {kind_of(space[atom.name])} "
                    f"parameter {atom.name!r}: ConfigSpace reads old-PCS forbidden values of categorical "
                    "parameters only; write pcs_new, irace or json"
                )
            allowed = _finite_values(space, atom)
            if allowed is None and atom.op in ("==", "in") and not atom.ref:
                allowed = list(atom.values)
            if allowed is None:
                shown = str(clause).replace("Forbidden: ", "")
                raise SpaceError(
                    f"{syntax} cannot express forbidden clause {{{shown}}}: PCS forbids combinations of "
                    "'name=value' only; write irace or json"
                )
            options.append([(atom.name, v) for v in allowed])
        combos = list(itertools.islice(itertools.product(*options), MAX_EXPANDED_CLAUSES + 1))
        if len(combos) > MAX_EXPANDED_CLAUSES:
            raise SpaceError(f"{syntax}: forbidden clause {clause} expands to more than {MAX_EXPANDED_CLAUSES} lines")
        for combo in combos:
            pairs = ", ".join(f"{n}={_text(v, 'a forbidden clause', syntax)}" for n, v in combo)
            lines.append("{" + pairs + "}")
    return lines


def write_pcs(space: ConfigurationSpace, syntax: str = "pcs") -> str:
    """The space as PCS text; SpaceError naming what the syntax cannot express."""
    if syntax not in _DECL_HELP:
        raise ValueError(f"unknown PCS syntax {syntax!r}")
    out = [_declaration(space[name], syntax) for name in space.keys()]
    conditions = [line for cond in space.conditions for line in _condition_lines(space, cond, syntax)]
    forbiddens = [line for clause in space.forbidden_clauses for line in _forbidden_lines(space, clause, syntax)]
    if conditions:
        out += ["", "# conditions"] + conditions
    if forbiddens:
        out += ["", "# forbidden combinations"] + forbiddens
    return "\n".join(out) + "\n"
