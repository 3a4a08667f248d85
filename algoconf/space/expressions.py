"""Format-neutral boolean expressions for conditions and forbidden clauses.

Every reader (PCS, irace) parses a condition or a forbidden clause into these small trees; the
assembler (:mod:`algoconf.space.assemble`) resolves names and values and builds ConfigSpace objects;
the writers print trees back. Values are kept as the tokens written in the file (``str``) until the
assembler knows the parameter's type, or as typed values when they come from a ConfigSpace object.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

__all__ = ["Atom", "AllOf", "AnyOf", "Expr", "to_dnf", "OPERATORS"]

# "in" takes several values; the others one. A comparison against another parameter (a relation,
# only in forbidden clauses) sets ``ref=True`` and names that parameter as its single value.
OPERATORS = ("==", "!=", "in", "<", ">", "<=", ">=")


@dataclass(frozen=True)
class Atom:
    """``name op values``: one comparison of a parameter with a value, a set or another parameter."""

    name: str
    op: str
    values: tuple[Any, ...]
    ref: bool = False

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"unknown operator {self.op!r}")
        if self.op != "in" and len(self.values) != 1:
            raise ValueError(f"operator {self.op!r} takes one value, got {self.values!r}")

    @property
    def value(self) -> Any:
        return self.values[0]


@dataclass(frozen=True)
class AllOf:
    """Conjunction."""

    parts: tuple["Expr", ...]


@dataclass(frozen=True)
class AnyOf:
    """Disjunction."""

    parts: tuple["Expr", ...]


Expr = Atom | AllOf | AnyOf


def to_dnf(expr: Expr) -> list[list[Atom]]:
    """The expression as a disjunction of conjunctions of atoms (order kept, duplicates kept)."""
    if isinstance(expr, Atom):
        return [[expr]]
    if isinstance(expr, AnyOf):
        return [conj for part in expr.parts for conj in to_dnf(part)]
    if isinstance(expr, AllOf):
        branches = [to_dnf(part) for part in expr.parts]
        return [[atom for conj in combo for atom in conj] for combo in itertools.product(*branches)]
    raise TypeError(f"not an expression: {expr!r}")
