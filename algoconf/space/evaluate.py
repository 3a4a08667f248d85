"""Our own evaluation of ConfigSpace conditions and forbidden clauses on plain dicts.

ConfigSpace's samplers have let forbidden configurations through (automl/ConfigSpace#372, #394), so
validity in algoconf is decided here, by walking the condition and forbidden objects directly:

* a parameter is active when it has no condition, or its condition holds on the values of the
  parameters that are active (a comparison with an inactive parent is false);
* a forbidden clause applies only when every parameter it names is active and every part matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ConfigSpace import ConfigurationSpace
from ConfigSpace.conditions import (
    AndConjunction,
    EqualsCondition,
    GreaterThanCondition,
    InCondition,
    LessThanCondition,
    NotEqualsCondition,
    OrConjunction,
)
from ConfigSpace.forbidden import (
    ForbiddenAndConjunction,
    ForbiddenEqualsClause,
    ForbiddenEqualsRelation,
    ForbiddenGreaterThanClause,
    ForbiddenGreaterThanEqualsClause,
    ForbiddenGreaterThanEqualsRelation,
    ForbiddenGreaterThanRelation,
    ForbiddenInClause,
    ForbiddenLessThanClause,
    ForbiddenLessThanEqualsClause,
    ForbiddenLessThanEqualsRelation,
    ForbiddenLessThanRelation,
    ForbiddenOrConjunction,
)
from ConfigSpace.hyperparameters import Hyperparameter, OrdinalHyperparameter

__all__ = ["SpaceIndex", "parents_first", "condition_holds", "forbidden_holds", "parents_of_condition", "names_in_forbidden"]


def _order_key(hp: Hyperparameter, value: Any) -> Any:
    """Ordinals compare by position in their sequence, numbers by value."""
    if isinstance(hp, OrdinalHyperparameter):
        return list(hp.sequence).index(value)
    return value


def condition_holds(cond: Any, values: Mapping[str, Any]) -> bool:
    """True when ``cond`` holds on ``values`` (the active values so far)."""
    if isinstance(cond, AndConjunction):
        return all(condition_holds(c, values) for c in cond.components)
    if isinstance(cond, OrConjunction):
        return any(condition_holds(c, values) for c in cond.components)
    parent = cond.parent
    if parent.name not in values:
        return False
    v = values[parent.name]
    if isinstance(cond, EqualsCondition):
        return v == cond.value
    if isinstance(cond, NotEqualsCondition):
        return v != cond.value
    if isinstance(cond, InCondition):
        return v in list(cond.values)
    if isinstance(cond, LessThanCondition):
        return _order_key(parent, v) < _order_key(parent, cond.value)
    if isinstance(cond, GreaterThanCondition):
        return _order_key(parent, v) > _order_key(parent, cond.value)
    raise TypeError(f"unsupported condition type {type(cond).__name__}")


def parents_of_condition(cond: Any) -> list[str]:
    if isinstance(cond, (AndConjunction, OrConjunction)):
        return [p for c in cond.components for p in parents_of_condition(c)]
    return [cond.parent.name]


#: the forbidden clauses that compare a parameter with one value (``clause.value``)
_OrderClause = (
    ForbiddenLessThanClause | ForbiddenLessThanEqualsClause | ForbiddenGreaterThanClause | ForbiddenGreaterThanEqualsClause
)
_CLAUSE_TESTS: dict[type[_OrderClause], Callable[[Any, Any], Any]] = {
    ForbiddenLessThanClause: lambda a, b: a < b,
    ForbiddenLessThanEqualsClause: lambda a, b: a <= b,
    ForbiddenGreaterThanClause: lambda a, b: a > b,
    ForbiddenGreaterThanEqualsClause: lambda a, b: a >= b,
}
# subclasses first: LessThanEquals derives from LessThan in ConfigSpace
_RELATION_TESTS = [
    (ForbiddenLessThanEqualsRelation, lambda a, b: a <= b),
    (ForbiddenGreaterThanEqualsRelation, lambda a, b: a >= b),
    (ForbiddenLessThanRelation, lambda a, b: a < b),
    (ForbiddenGreaterThanRelation, lambda a, b: a > b),
    (ForbiddenEqualsRelation, lambda a, b: a == b),
]


def forbidden_holds(clause: Any, values: Mapping[str, Any]) -> bool:
    """True when ``clause`` forbids ``values`` (a dict of active values)."""
    if isinstance(clause, ForbiddenAndConjunction):
        return all(forbidden_holds(c, values) for c in clause.components)
    if isinstance(clause, ForbiddenOrConjunction):
        return any(forbidden_holds(c, values) for c in clause.components)
    for relation_cls, test in _RELATION_TESTS:
        if isinstance(clause, relation_cls):
            left, right = clause.left, clause.right
            if left.name not in values or right.name not in values:
                return False
            return bool(test(_order_key(left, values[left.name]), _order_key(right, values[right.name])))
    hp = clause.hyperparameter
    if hp.name not in values:
        return False
    v = values[hp.name]
    if isinstance(clause, ForbiddenEqualsClause):
        return v == clause.value
    if isinstance(clause, ForbiddenInClause):
        return v in list(clause.values)
    for clause_cls, test in _CLAUSE_TESTS.items():
        if type(clause) is clause_cls:
            return bool(test(_order_key(hp, v), _order_key(hp, clause.value)))
    raise TypeError(f"unsupported forbidden clause type {type(clause).__name__}")


def names_in_forbidden(clause: Any) -> list[str]:
    if isinstance(clause, (ForbiddenAndConjunction, ForbiddenOrConjunction)):
        return [n for c in clause.components for n in names_in_forbidden(c)]
    if hasattr(clause, "left"):
        return [clause.left.name, clause.right.name]
    return [clause.hyperparameter.name]


def parents_first(names: list[str], parents: Mapping[str, list[str]]) -> list[str]:
    """``names`` reordered so that every parameter comes after its parents (depth-first, in the
    given order otherwise); iterative, so a chain of any depth is fine. ValueError on a cycle."""
    order: list[str] = []
    placed: set[str] = set()
    for root in names:
        if root in placed:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_stack = {root}
        while stack:
            name, i = stack[-1]
            ps = parents.get(name, ())
            if i < len(ps):
                stack[-1] = (name, i + 1)
                parent = ps[i]
                if parent in placed:
                    continue
                if parent in on_stack:
                    raise ValueError(f"conditions form a cycle through {parent!r}")
                stack.append((parent, 0))
                on_stack.add(parent)
                continue
            stack.pop()
            on_stack.discard(name)
            if name not in placed:
                placed.add(name)
                order.append(name)
    return order


@dataclass(frozen=True)
class SpaceIndex:
    """What validation needs of a space: parameters in an order where parents come first,
    the one condition of each conditional parameter, and the forbidden clauses."""

    order: tuple[str, ...]
    hps: Mapping[str, Hyperparameter]
    conditions: Mapping[str, Any]
    forbiddens: tuple[Any, ...]
    digits: int | None = None  # irace "[global] digits": real values are rounded to this many decimals

    @classmethod
    def of(cls, space: ConfigurationSpace) -> "SpaceIndex":
        hps = {name: space[name] for name in space.keys()}
        conditions: dict[str, Any] = {}
        for cond in space.conditions:
            child = cond.child.name
            conditions[child] = cond
        order = parents_first(list(hps), {name: parents_of_condition(c) for name, c in conditions.items()})
        digits = (space.meta or {}).get("irace_digits")
        return cls(tuple(order), hps, conditions, tuple(space.forbidden_clauses), int(digits) if digits is not None else None)

    def is_active(self, name: str, values: Mapping[str, Any]) -> bool:
        cond = self.conditions.get(name)
        return cond is None or condition_holds(cond, values)

    def violated(self, values: Mapping[str, Any]) -> Any | None:
        """The first forbidden clause that forbids ``values``, or None."""
        for clause in self.forbiddens:
            if forbidden_holds(clause, values):
                return clause
        return None
