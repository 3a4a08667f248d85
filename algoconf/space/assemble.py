"""Building a ConfigurationSpace from declarations read out of a parameter file, checking each one.

Readers call ``add_*`` with what a line declares and its line number; :meth:`SpaceAssembler.build`
resolves names and values (conditions and forbidden clauses may come before the parameters they
name), checks the whole space and returns the ConfigSpace object. Every problem raises
:class:`algoconf.errors.SpaceError` naming the file, the line and what was expected.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Hashable, Mapping, Sequence, cast

from ConfigSpace import ConfigurationSpace
from ConfigSpace.hyperparameters import (
    CategoricalHyperparameter,
    Hyperparameter,
    IntegerHyperparameter,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from algoconf.errors import ConfigurationError, SpaceError
from algoconf.space.configs import MIN_TRIES, active_config, default_config, describe_forbidden, sample_configs
from algoconf.space.evaluate import SpaceIndex, forbidden_holds, parents_first, parents_of_condition
from algoconf.space.expressions import AllOf, AnyOf, Atom, Expr, to_dnf
from algoconf.space.structure import build_condition, build_forbiddens
from algoconf.space.values import (
    allowed_values,
    as_numerical,
    choices_of,
    domain_text,
    format_value,
    is_finite_domain,
    parse_number,
)

__all__ = ["SpaceAssembler", "SATISFIABILITY_TRIES"]

logger = logging.getLogger(__name__)

#: after building, this many random draws (``sample_configs``' minimum budget) must find at least
#: one configuration no forbidden clause excludes, or the clauses are reported as unsatisfiable.
SATISFIABILITY_TRIES = MIN_TRIES

def _with_default(hp: Hyperparameter, value: Any) -> Hyperparameter:
    """A copy of ``hp`` with another default value."""
    if isinstance(hp, OrdinalHyperparameter):
        return OrdinalHyperparameter(hp.name, list(hp.sequence), default_value=value, meta=hp.meta)
    if isinstance(hp, CategoricalHyperparameter):
        return CategoricalHyperparameter(hp.name, list(hp.choices), default_value=value, meta=hp.meta)
    num = as_numerical(hp)
    cls = UniformIntegerHyperparameter if isinstance(num, IntegerHyperparameter) else UniformFloatHyperparameter
    return cls(num.name, num.lower, num.upper, default_value=value, log=num.log, meta=num.meta)


def _hp_meta(meta: dict[str, Any] | None) -> Mapping[Hashable, Any] | None:
    """``meta`` as ConfigSpace's parameters annotate it: Mapping[Hashable, Any], which no
    ``dict[str, Any]`` matches for mypy (a Mapping's key type is invariant), though any dict is fine."""
    return cast("Mapping[Hashable, Any] | None", meta)


def _has_cycle(parents: dict[str, set[str]]) -> bool:
    """True when the graph child -> parents has a cycle (Kahn's algorithm, linear)."""
    nodes = set(parents) | {p for ps in parents.values() for p in ps}
    pending = {n: len(parents.get(n, ())) for n in nodes}
    children: dict[str, list[str]] = {}
    for child, ps in parents.items():
        for p in ps:
            children.setdefault(p, []).append(child)
    ready = [n for n, k in pending.items() if k == 0]
    done = 0
    while ready:
        n = ready.pop()
        done += 1
        for c in children.get(n, ()):
            pending[c] -= 1
            if pending[c] == 0:
                ready.append(c)
    return done < len(nodes)


def _path(parents: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A path start -> ... -> goal following child -> parent edges (depth-first, sorted), or None."""
    if start == goal:
        return [start]
    came_from: dict[str, str] = {}
    stack = [start]
    seen = {start}
    while stack:
        node = stack.pop()
        for p in sorted(parents.get(node, ()), reverse=True):
            if p in seen:
                continue
            seen.add(p)
            came_from[p] = node
            if p == goal:
                path = [p]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            stack.append(p)
    return None


@dataclass
class SpaceAssembler:
    """Collects declarations with their line numbers; :meth:`build` checks and assembles them."""

    source: str = "<string>"
    name: str | None = None
    meta: dict[str, Any] | None = None
    _hps: dict[str, Hyperparameter] = field(default_factory=dict)
    _lines: dict[str, int | None] = field(default_factory=dict)
    _conditions: list[tuple[str, Expr, int | None]] = field(default_factory=list)
    _forbiddens: list[tuple[Expr, int | None]] = field(default_factory=list)
    _invented: set[str] = field(default_factory=set)  # parameters whose default the file does not give

    # ---- errors ------------------------------------------------------------------------------
    def error(self, message: str, line: int | None) -> SpaceError:
        return SpaceError(message, file=self.source, line=line)

    def _where(self, line: int | None) -> str:
        return f"{self.source}:{line}: " if line is not None else f"{self.source}: "

    def _number(self, token: Any, what: str, line: int | None) -> float:
        value = parse_number(token)
        if value is None:
            raise self.error(f"{what}: expected a number, got {format_value(token)!r}", line)
        return value

    # ---- parameters --------------------------------------------------------------------------
    def _declare(self, hp_name: str, line: int | None) -> None:
        if hp_name in self._hps:
            first = self._lines[hp_name]
            where = f" (first on line {first})" if first is not None else ""
            raise self.error(f"parameter {hp_name!r} is declared twice{where}", line)

    def add_choice(
        self,
        name: str,
        choices: Sequence[Any],
        default: Any,
        line: int | None,
        *,
        ordinal: bool = False,
        meta: dict[str, Any] | None = None,
        allow_empty: bool = False,
    ) -> None:
        """A categorical (or ordinal) parameter; ``default=None`` means the first choice (a made-up
        default: replaced when a forbidden clause excludes it). ``allow_empty``: ``""`` is a value
        (irace writes it as ``""``; PCS cannot)."""
        self._declare(name, line)
        kind = "ordinal" if ordinal else "categorical"
        if not choices:
            raise self.error(f"{kind} parameter {name!r}: expected at least one value", line)
        seen: set[str] = set()
        for choice in choices:
            text = format_value(choice)
            if text == "" and not allow_empty:
                raise self.error(f"{kind} parameter {name!r}: empty value in the list of values", line)
            if text in seen:
                raise self.error(f"{kind} parameter {name!r}: value {text!r} is listed twice", line)
            seen.add(text)
        if default is None:
            default = choices[0]
            self._invented.add(name)
        matches = [c for c in choices if format_value(c) == format_value(default)]
        if not matches:
            listed = "{" + ", ".join(format_value(c) for c in choices) + "}"
            raise self.error(
                f"{kind} parameter {name!r}: default {format_value(default)!r} is not one of {listed}", line
            )
        cls = OrdinalHyperparameter if ordinal else CategoricalHyperparameter
        self._hps[name] = cls(name, list(choices), default_value=matches[0], meta=_hp_meta(meta))
        self._lines[name] = line

    def add_number(
        self,
        name: str,
        integer: bool,
        lower: Any,
        upper: Any,
        default: Any,
        log: bool,
        line: int | None,
        *,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """An integer or real parameter; ``default=None`` means the (log-)midpoint, rounded for integers."""
        self._declare(name, line)
        kind = "integer" if integer else "real"
        lo = self._number(lower, f"{kind} parameter {name!r}: lower bound", line)
        hi = self._number(upper, f"{kind} parameter {name!r}: upper bound", line)
        if integer and not (lo.is_integer() and hi.is_integer()):
            raise self.error(
                f"integer parameter {name!r}: bounds must be integers, got [{format_value(lower)}, {format_value(upper)}]",
                line,
            )
        if integer:
            lo, hi = int(lo), int(hi)
        if not lo < hi:
            raise self.error(
                f"{kind} parameter {name!r}: lower bound {format_value(lo)} must be below upper bound {format_value(hi)}",
                line,
            )
        if log and lo <= 0:
            raise self.error(
                f"{kind} parameter {name!r}: log scale needs bounds > 0, got [{format_value(lo)}, {format_value(hi)}]",
                line,
            )
        limit = 2**53 if integer else 1e200  # integers exact as floats; floats ConfigSpace can scale
        if max(abs(lo), abs(hi)) > limit or not math.isfinite(float(hi) - float(lo)):
            raise self.error(
                f"{kind} parameter {name!r}: bounds [{format_value(lo)}, {format_value(hi)}] are too large "
                f"(at most {limit:g} in magnitude)", line)
        if default is None:
            self._invented.add(name)
            mid = math.sqrt(lo * hi) if log else (lo + hi) / 2
            value: float | int = int(round(mid)) if integer else float(mid)
        else:
            value = self._number(default, f"{kind} parameter {name!r}: default", line)
            if integer:
                if not float(value).is_integer():
                    raise self.error(f"integer parameter {name!r}: default {format_value(default)} is not an integer", line)
                value = int(value)
            if not lo <= value <= hi:
                raise self.error(
                    f"{kind} parameter {name!r}: default {format_value(value)} is outside [{format_value(lo)}, {format_value(hi)}]",
                    line,
                )
        if integer:
            hp: Hyperparameter = UniformIntegerHyperparameter(name, lo, hi, default_value=value, log=log, meta=_hp_meta(meta))
        else:
            hp = UniformFloatHyperparameter(name, float(lo), float(hi), default_value=float(value), log=log, meta=_hp_meta(meta))
        self._hps[name] = hp
        self._lines[name] = line

    def add_hyperparameter(self, hp: Hyperparameter, line: int | None = None) -> None:
        """An already built ConfigSpace hyperparameter (JSON reader, programmatic spaces)."""
        self._declare(hp.name, line)
        self._hps[hp.name] = hp
        self._lines[hp.name] = line

    # ---- conditions and forbidden clauses ----------------------------------------------------
    def add_condition(self, child: str, expr: Expr, line: int | None) -> None:
        """``child`` is active only when ``expr`` holds; several conditions of one child all must hold."""
        self._conditions.append((child, expr, line))

    def add_forbidden(self, expr: Expr, line: int | None) -> None:
        """Configurations where ``expr`` holds (on active parameters) are excluded."""
        self._forbiddens.append((expr, line))

    # ---- resolution --------------------------------------------------------------------------
    def _value(self, hp: Hyperparameter, token: Any, what: str, line: int | None) -> Any:
        """``token`` as a value of ``hp``, or SpaceError naming the domain."""
        if is_finite_domain(hp):
            for choice in choices_of(hp):
                if format_value(choice) == format_value(token):
                    return choice
        else:
            value = parse_number(token)
            num = as_numerical(hp)
            if value is not None and num.lower <= value <= num.upper:
                if isinstance(hp, IntegerHyperparameter):
                    if value.is_integer():
                        return int(value)
                else:
                    return float(value)
        raise self.error(
            f"{what}: value {format_value(token)!r} is not in the domain of {hp.name!r} ({domain_text(hp)})", line
        )

    def _param(self, name: str, what: str, line: int | None) -> Hyperparameter:
        if name not in self._hps:
            raise self.error(f"{what} names unknown parameter {name!r}", line)
        return self._hps[name]

    def _rewrite(self, expr: Expr, what: str, line: int | None, forbidden: bool) -> Expr:
        """Resolve values, and rewrite operators ConfigSpace lacks into ones it has."""
        if isinstance(expr, AllOf):
            return AllOf(tuple(self._rewrite(p, what, line, forbidden) for p in expr.parts))
        if isinstance(expr, AnyOf):
            return AnyOf(tuple(self._rewrite(p, what, line, forbidden) for p in expr.parts))
        hp = self._param(expr.name, what, line)
        if expr.ref:
            other = self._param(str(expr.value), what, line)
            if not forbidden:
                raise self.error(f"{what}: a condition compares {expr.name!r} with a value, not with parameter {other.name!r}", line)
            if expr.op == "!=":
                return AnyOf((Atom(expr.name, "<", expr.values, True), Atom(expr.name, ">", expr.values, True)))
            return expr
        ordered = isinstance(hp, OrdinalHyperparameter) or not is_finite_domain(hp)
        if expr.op in ("<", ">", "<=", ">=") and not ordered:
            raise self.error(
                f"{what}: operator {expr.op!r} needs a numerical or ordinal parameter, {hp.name!r} is categorical", line
            )
        if expr.op == "in" and not expr.values:
            raise self.error(f"{what}: expected at least one value in '{expr.name} in {{...}}'", line)
        values = tuple(self._value(hp, v, what, line) for v in expr.values)
        if not forbidden and self._never(hp, expr.op, values):  # ConfigSpace accepts it: a parameter never active
            warnings.warn(
                f"{self._where(line)}{what} can never hold: no value of {hp.name!r} ({domain_text(hp)}) "
                f"is {expr.op} {format_value(values[0])}",
                stacklevel=2,
            )
        if expr.op == "!=":
            # ConfigSpace 1.2 treats "parent != v" as true when the parent is inactive (NaN != v);
            # a set or a pair of comparisons means the same and is false for an inactive parent
            if is_finite_domain(hp):
                return Atom(expr.name, "in", tuple(c for c in choices_of(hp) if c != values[0]))
            return AnyOf((Atom(expr.name, "<", values), Atom(expr.name, ">", values)))
        if expr.op in ("<=", ">="):
            # ConfigSpace 1.2's ForbiddenGreaterThanEqualsClause prints to stdout on every check;
            # "<" or "==" (">" or "==") means the same
            return AnyOf((Atom(expr.name, expr.op[0], values), Atom(expr.name, "==", values)))
        return Atom(expr.name, expr.op, values)

    @staticmethod
    def _never(hp: Hyperparameter, op: str, values: tuple[Any, ...]) -> bool:
        """True when ``hp op values`` holds for no value of the domain."""
        allowed = allowed_values(hp, op, values)
        if allowed is not None:
            return not allowed
        if is_finite_domain(hp):
            return False
        num = as_numerical(hp)
        return (op == "<" and values[0] <= num.lower) or (op == ">" and values[0] >= num.upper)

    def _check_conjunct(self, conj: list[Atom], line: int | None) -> None:
        """A forbidden conjunction that names a parameter twice with no common value never applies."""
        sets: dict[str, set] = {}
        for atom in conj:
            if atom.ref:
                continue
            allowed = allowed_values(self._hps[atom.name], atom.op, atom.values)
            if allowed is None:
                continue
            sets[atom.name] = sets.get(atom.name, set(allowed)) & set(allowed)
            if not sets[atom.name]:
                raise self.error(
                    f"forbidden clause can never apply: {atom.name!r} cannot take all the values it names", line
                )

    def _check_cycles(self, resolved: list[tuple[str, Expr, int | None]]) -> None:
        """SpaceError naming the first condition (by line) that closes a cycle. Linear when there
        is none (one topological sort); the line-by-line search runs only to report a cycle."""
        parents: dict[str, set[str]] = {}
        for child, expr, line in resolved:
            for conj in to_dnf(expr):
                for atom in conj:
                    if atom.name == child:
                        raise self.error(f"condition of {child!r} depends on {child!r} itself", line)
                    parents.setdefault(child, set()).add(atom.name)
        if not _has_cycle(parents):
            return
        seen_parents: dict[str, set[str]] = {}
        for child, expr, line in sorted(resolved, key=lambda item: (item[2] is None, item[2] or 0)):
            for conj in to_dnf(expr):
                for atom in conj:
                    back = _path(seen_parents, atom.name, child)
                    if back is not None:
                        cycle = " -> ".join([child] + back)
                        raise self.error(f"conditions form a cycle: {cycle} (read 'a -> b' as 'a depends on b')", line)
                    seen_parents.setdefault(child, set()).add(atom.name)

    def build(self) -> ConfigurationSpace:
        """Check everything and return the space; raises SpaceError on the first problem."""
        space = ConfigurationSpace(name=self.name, meta=self.meta) if self.name else ConfigurationSpace(meta=self.meta)
        space.add(list(self._hps.values()))
        by_child: dict[str, list[tuple[Expr, int | None]]] = {}
        resolved = []
        for child, expr, line in self._conditions:
            if child not in self._hps:
                raise self.error(f"condition for unknown parameter {child!r}", line)
            what = f"condition of {child!r}"
            rewritten = self._rewrite(expr, what, line, forbidden=False)
            resolved.append((child, rewritten, line))
            by_child.setdefault(child, []).append((rewritten, line))
        self._check_cycles(resolved)
        conditions = {}
        for child, items in by_child.items():
            expr = items[0][0] if len(items) == 1 else AllOf(tuple(e for e, _ in items))
            line = items[0][1]
            try:
                conditions[child] = build_condition(self._hps, child, expr)
            except (ValueError, TypeError) as err:
                raise self.error(f"condition of {child!r} cannot be built: {err}", line) from None
        if conditions:
            # parents first: ConfigSpace then never re-propagates depths down a chain
            parents = {child: parents_of_condition(c) for child, c in conditions.items()}
            space.add([conditions[n] for n in parents_first(list(self._hps), parents) if n in conditions])
        try:
            default = default_config(space)
        except ConfigurationError as err:  # pragma: no cover - defaults were checked one by one
            raise self.error(f"the default configuration is invalid: {err.message}", None) from None
        seen: dict[str, int | None] = {}
        forbidden_lines = []
        for expr, line in self._forbiddens:
            rewritten = self._rewrite(expr, "forbidden clause", line, forbidden=True)
            for conj in to_dnf(rewritten):
                self._check_conjunct(conj, line)
            for clause in build_forbiddens(self._hps, rewritten):
                shown = describe_forbidden(clause)
                if shown in seen:  # ConfigSpace keeps such files too (auto-sklearn's spaces have them)
                    where = f" on line {seen[shown]}" if seen[shown] is not None else ""
                    warnings.warn(
                        f"{self._where(line)}forbidden clause {{{shown}}} repeats the one{where}; kept once",
                        stacklevel=2,
                    )
                    continue
                seen[shown] = line
                forbidden_lines.append((clause, line))
        excluding = [(c, ln) for c, ln in forbidden_lines if forbidden_holds(c, default)]
        if excluding:
            if self._invented and self._choose_default(space, [c for c, _ in forbidden_lines]):
                return self.build()
            clause, line = excluding[0]
            shown = ", ".join(f"{k}={format_value(v)}" for k, v in default.items())
            raise self.error(
                f"forbidden clause {{{describe_forbidden(clause)}}} excludes the default configuration "
                f"({shown}); change the defaults or the clause",
                line,
            )
        if forbidden_lines:
            space.add([clause for clause, _ in forbidden_lines])
            self._check_satisfiable(space, [line for _, line in forbidden_lines])
        SpaceIndex.of(space)  # parents-first order exists (cycles were reported above)
        return space

    def _choose_default(self, space: ConfigurationSpace, clauses: list[Any]) -> bool:
        """Replace the made-up defaults (irace files have none) by the values of the first sampled
        configuration (seed 0) that keeps the given defaults and no clause forbids; False if none.

        ``space`` has the parameters and conditions but no forbidden clauses yet."""
        given = {n: hp.default_value for n, hp in self._hps.items() if n not in self._invented}
        made_up = {n: self._hps[n].default_value for n in self._invented}
        for draw in sample_configs(space, SATISFIABILITY_TRIES, seed=0):
            values = {**given, **made_up, **{n: v for n, v in draw.items() if n in self._invented}}
            try:
                active = active_config(space, values)
            except ConfigurationError:
                continue
            if any(forbidden_holds(c, active) for c in clauses):
                continue
            for name in self._invented:
                if name in active and active[name] != made_up[name]:
                    self._hps[name] = _with_default(self._hps[name], active[name])
            self._invented = set()
            logger.info("%s: the made-up default configuration is forbidden; the default is now %s", self.source, active)
            return True
        return False

    def _check_satisfiable(self, space: ConfigurationSpace, lines: list[int | None]) -> None:
        try:
            sample_configs(space, 1, seed=0)
        except SpaceError:
            known = sorted({ln for ln in lines if ln is not None})
            span = f"lines {known[0]}-{known[-1]}" if len(known) > 1 else (f"line {known[0]}" if known else "")
            raise self.error(
                f"forbidden clauses ({span}) exclude every one of {SATISFIABILITY_TRIES} sampled configurations; "
                "only the default (or almost nothing) is left",
                known[0] if known else None,
            ) from None
