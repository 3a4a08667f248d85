"""ConfigSpace conditions and forbidden clauses back to expression trees (for writers and summaries)."""

from __future__ import annotations

from typing import Any

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

from algoconf.space.expressions import AllOf, AnyOf, Atom, Expr

__all__ = ["condition_expr", "condition_child", "forbidden_expr"]

_COND_OPS = [
    (EqualsCondition, "=="),
    (NotEqualsCondition, "!="),
    (LessThanCondition, "<"),
    (GreaterThanCondition, ">"),
]
_CLAUSE_OPS = [  # subclasses before their bases
    (ForbiddenLessThanEqualsClause, "<="),
    (ForbiddenGreaterThanEqualsClause, ">="),
    (ForbiddenLessThanClause, "<"),
    (ForbiddenGreaterThanClause, ">"),
    (ForbiddenEqualsClause, "=="),
]
_RELATION_OPS = [
    (ForbiddenLessThanEqualsRelation, "<="),
    (ForbiddenGreaterThanEqualsRelation, ">="),
    (ForbiddenLessThanRelation, "<"),
    (ForbiddenGreaterThanRelation, ">"),
    (ForbiddenEqualsRelation, "=="),
]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def condition_child(cond: Any) -> str:
    return cond.child.name


def condition_expr(cond: Any) -> Expr:
    """A ConfigSpace condition (or conjunction) as an expression over its parents."""
    if isinstance(cond, AndConjunction):
        return AllOf(tuple(condition_expr(c) for c in cond.components))
    if isinstance(cond, OrConjunction):
        return AnyOf(tuple(condition_expr(c) for c in cond.components))
    if isinstance(cond, InCondition):
        return Atom(cond.parent.name, "in", tuple(_plain(v) for v in cond.values))
    for cls, op in _COND_OPS:
        if isinstance(cond, cls):
            return Atom(cond.parent.name, op, (_plain(cond.value),))
    raise TypeError(f"unsupported condition type {type(cond).__name__}")


def forbidden_expr(clause: Any) -> Expr:
    """A ConfigSpace forbidden clause (or conjunction) as an expression."""
    if isinstance(clause, ForbiddenAndConjunction):
        return AllOf(tuple(forbidden_expr(c) for c in clause.components))
    if isinstance(clause, ForbiddenOrConjunction):
        return AnyOf(tuple(forbidden_expr(c) for c in clause.components))
    for cls, op in _RELATION_OPS:
        if isinstance(clause, cls):
            return Atom(clause.left.name, op, (clause.right.name,), ref=True)
    if isinstance(clause, ForbiddenInClause):
        return Atom(clause.hyperparameter.name, "in", tuple(_plain(v) for v in clause.values))
    for cls, op in _CLAUSE_OPS:
        if isinstance(clause, cls):
            return Atom(clause.hyperparameter.name, op, (_plain(clause.value),))
    raise TypeError(f"unsupported forbidden clause type {type(clause).__name__}")
