"""DIMACS CNF text: writing formulas and reading them back (for answer checks and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

__all__ = ["dimacs", "read_dimacs", "satisfies"]


def dimacs(n_vars: int, clauses: Sequence[Sequence[int]], comments: Iterable[str] = ()) -> str:
    """A CNF in DIMACS format: comment lines, the ``p cnf V C`` header, one clause per line."""
    lines = [f"c {c}" for c in comments]
    lines.append(f"p cnf {int(n_vars)} {len(clauses)}")
    lines.extend(" ".join(map(str, clause)) + " 0" for clause in clauses)
    return "\n".join(lines) + "\n"


def read_dimacs(path: str | Path) -> tuple[int, list[list[int]]]:
    """(number of variables, clauses) of a DIMACS file; ValueError on a malformed file.

    Clauses may span lines; ``c`` and ``%`` lines are skipped (SATLIB files end with ``%``).
    """
    n_vars = n_clauses = None
    clauses: list[list[int]] = []
    current: list[int] = []
    with open(path) as handle:
        for lineno, line in enumerate(handle, 1):
            tokens = line.split()
            if not tokens or tokens[0] == "c":
                continue
            if tokens[0] == "%":
                break
            if tokens[0] == "p":
                if len(tokens) != 4 or tokens[1] != "cnf":
                    raise ValueError(f"{path}:{lineno}: expected 'p cnf <vars> <clauses>'")
                n_vars, n_clauses = int(tokens[2]), int(tokens[3])
                continue
            for tok in tokens:
                lit = int(tok)
                if lit == 0:
                    clauses.append(current)
                    current = []
                else:
                    current.append(lit)
    if n_vars is None:
        raise ValueError(f"{path}: no 'p cnf' header")
    if current:
        clauses.append(current)
    if n_clauses != len(clauses):
        raise ValueError(f"{path}: header says {n_clauses} clauses, found {len(clauses)}")
    return n_vars, clauses


def satisfies(clauses: Iterable[Sequence[int]], true_literals: set[int]) -> bool:
    """True when every clause has a literal in ``true_literals`` (a model as a set of literals)."""
    return all(any(lit in true_literals for lit in clause) for clause in clauses)
