"""Check a SAT model against a DIMACS CNF file (catches wrong SAT answers); reads with algoconf.dimacs."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from algoconf.dimacs import CNF, first_violated_clause, read_cnf

__all__ = ["cached_cnf", "model_violation"]


@lru_cache(maxsize=32)
def _cnf(path: str, mtime_ns: int, size: int) -> CNF:
    return read_cnf(path)


def cached_cnf(path: str | os.PathLike) -> CNF:
    """The parsed CNF, cached by path, modification time and size (runs reuse instances a lot)."""
    p = Path(path).resolve()
    st = p.stat()
    return _cnf(str(p), st.st_mtime_ns, st.st_size)


def model_violation(path: str | os.PathLike, literals: Iterable[int]) -> str | None:
    """None when the literals satisfy every clause of the CNF, else what is wrong.

    An unassigned variable satisfies nothing, and a variable given both signs is an error.
    """
    true: set[int] = set()
    for lit in literals:
        if lit and -lit in true:
            return f"the model assigns variable {abs(lit)} both ways"
        if lit:
            true.add(lit)
    cnf = cached_cnf(path)
    bad = first_violated_clause(cnf, true)
    if bad is None:
        return None
    return f"clause {bad + 1} ({' '.join(map(str, cnf.clause(bad)))} 0) is not satisfied by the model"
