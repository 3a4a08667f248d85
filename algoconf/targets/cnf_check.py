"""Check a SAT model against a DIMACS CNF file (used to catch wrong SAT answers)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable

__all__ = ["read_clauses", "model_violation"]


@lru_cache(maxsize=64)
def _clauses_cached(path: str, mtime_ns: int, size: int) -> tuple[tuple[int, ...], ...]:
    clauses: list[tuple[int, ...]] = []
    current: list[int] = []
    with open(path, "r", errors="replace") as fh:
        for line in fh:
            head = line.lstrip()[:1]
            if not head or head in "cp%":
                if head == "%":  # SATLIB files end with '%' then '0'
                    break
                continue
            for token in line.split():
                lit = int(token)
                if lit == 0:
                    clauses.append(tuple(current))
                    current = []
                else:
                    current.append(lit)
    if current:
        clauses.append(tuple(current))
    return tuple(clauses)


def read_clauses(path: str | os.PathLike) -> tuple[tuple[int, ...], ...]:
    """The clauses of a DIMACS CNF file (cached by path, modification time and size)."""
    p = Path(path)
    st = p.stat()
    return _clauses_cached(str(p.resolve()), st.st_mtime_ns, st.st_size)


def model_violation(path: str | os.PathLike, literals: Iterable[int]) -> str | None:
    """None when the literals satisfy every clause of the CNF, else a description of the first violation.

    A variable missing from the model is treated as unassigned, so a clause satisfied only through
    it counts as violated (a competition model must assign every variable of the clauses it needs).
    """
    true = set()
    for lit in literals:
        if lit and -lit in true:
            return f"model assigns variable {abs(lit)} both ways"
        if lit:
            true.add(lit)
    for index, clause in enumerate(read_clauses(path)):
        if not any(lit in true for lit in clause):
            return f"clause {index + 1} ({' '.join(map(str, clause))} 0) is not satisfied by the model"
    return None
