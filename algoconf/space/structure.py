"""The bridge between expression trees and ConfigSpace objects, both ways: readers build conditions
and forbidden clauses from trees; writers and summaries turn ConfigSpace objects back into trees."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ConfigSpace.conditions import (
    AndConjunction,
    Condition,
    EqualsCondition,
    GreaterThanCondition,
    InCondition,
    LessThanCondition,
    NotEqualsCondition,
    OrConjunction,
)
from ConfigSpace.forbidden import (
    ForbiddenAndConjunction,
    ForbiddenClause,
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
    ForbiddenRelation,
)

from ConfigSpace.hyperparameters import Hyperparameter

from algoconf.space.expressions import AllOf, AnyOf, Atom, Expr, to_dnf

__all__ = ["condition_expr", "condition_child", "forbidden_expr", "build_condition", "build_forbiddens"]

_COND_OPS = [
    (EqualsCondition, "=="),
    (NotEqualsCondition, "!="),
    (LessThanCondition, "<"),
    (GreaterThanCondition, ">"),
]
#: the forbidden clauses that compare a parameter with one value (``clause.value``)
_ValueClause = (
    ForbiddenLessThanEqualsClause
    | ForbiddenGreaterThanEqualsClause
    | ForbiddenLessThanClause
    | ForbiddenGreaterThanClause
    | ForbiddenEqualsClause
)
_CLAUSE_OPS: list[tuple[type[_ValueClause], str]] = [  # subclasses before their bases
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
    for relation_cls, op in _RELATION_OPS:
        if isinstance(clause, relation_cls):
            return Atom(clause.left.name, op, (clause.right.name,), ref=True)
    if isinstance(clause, ForbiddenInClause):
        return Atom(clause.hyperparameter.name, "in", tuple(_plain(v) for v in clause.values))
    for clause_cls, op in _CLAUSE_OPS:
        if isinstance(clause, clause_cls):
            return Atom(clause.hyperparameter.name, op, (_plain(clause.value),))
    raise TypeError(f"unsupported forbidden clause type {type(clause).__name__}")


# ---- trees to ConfigSpace objects (values already resolved to the parameters' types) -------------
_CONDITION_CLASSES: dict[str, Callable[[Hyperparameter, Hyperparameter, Any], Condition]] = {"==": EqualsCondition, "!=": NotEqualsCondition, "<": LessThanCondition, ">": GreaterThanCondition}
_CLAUSE_CLASSES: dict[str, Callable[[Hyperparameter, Any], ForbiddenClause]] = {
    "<": ForbiddenLessThanClause,
    "<=": ForbiddenLessThanEqualsClause,
    ">": ForbiddenGreaterThanClause,
    ">=": ForbiddenGreaterThanEqualsClause,
}
_RELATION_CLASSES: dict[str, Callable[[Hyperparameter, Hyperparameter], ForbiddenRelation]] = {
    "==": ForbiddenEqualsRelation,
    "<": ForbiddenLessThanRelation,
    "<=": ForbiddenLessThanEqualsRelation,
    ">": ForbiddenGreaterThanRelation,
    ">=": ForbiddenGreaterThanEqualsRelation,
}


def build_condition(hps: Mapping[str, Hyperparameter], child: str, expr: Expr) -> Any:
    """One ConfigSpace condition for ``child``: a disjunction of conjunctions of the expression's atoms."""
    conjuncts: list[Condition | AndConjunction] = []
    for conj in to_dnf(expr):
        parts: list[Condition] = []
        for atom in conj:
            parent = hps[atom.name]
            if atom.op == "in":
                parts.append(InCondition(hps[child], parent, list(atom.values)))
            else:
                parts.append(_CONDITION_CLASSES[atom.op](hps[child], parent, atom.value))
        conjuncts.append(parts[0] if len(parts) == 1 else AndConjunction(*parts))
    return conjuncts[0] if len(conjuncts) == 1 else OrConjunction(*conjuncts)


def build_forbiddens(hps: Mapping[str, Hyperparameter], expr: Expr) -> list[Any]:
    """ConfigSpace forbidden clauses for ``expr``: one per conjunction of its disjunctive form."""
    out: list[ForbiddenClause | ForbiddenRelation | ForbiddenAndConjunction] = []
    for conj in to_dnf(expr):
        parts: list[ForbiddenClause | ForbiddenRelation] = []
        for atom in conj:
            hp = hps[atom.name]
            if atom.ref:
                parts.append(_RELATION_CLASSES[atom.op](hp, hps[str(atom.value)]))
            elif atom.op == "==":
                parts.append(ForbiddenEqualsClause(hp, atom.value))
            elif atom.op == "in":
                parts.append(ForbiddenInClause(hp, list(atom.values)))
            else:
                parts.append(_CLAUSE_CLASSES[atom.op](hp, atom.value))
        out.append(parts[0] if len(parts) == 1 else ForbiddenAndConjunction(*parts))
    return out
