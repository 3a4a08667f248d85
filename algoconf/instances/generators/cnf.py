"""DIMACS CNF text for the generators (reading is algoconf.instances.dimacs's job)."""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["dimacs"]


def dimacs(n_vars: int, clauses: Sequence[Sequence[int]], comments: Iterable[str] = ()) -> str:
    """A CNF in DIMACS format: comment lines, the ``p cnf V C`` header, one clause per line."""
    lines = [f"c {c}" for c in comments]
    lines.append(f"p cnf {int(n_vars)} {len(clauses)}")
    lines.extend(" ".join(map(str, clause)) + " 0" for clause in clauses)
    return "\n".join(lines) + "\n"
