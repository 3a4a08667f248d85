"""Check a SAT model against a DIMACS CNF file (catches wrong SAT answers); reads with algoconf.instances.dimacs."""

from __future__ import annotations

import os
from typing import Iterable

from algoconf.instances.dimacs import first_violated_clause, read_cnf_cached

__all__ = ["model_violation"]


def model_violation(path: str | os.PathLike[str], literals: Iterable[int]) -> str | None:
    """None when the literals satisfy every clause of the CNF, else what is wrong.

    An unassigned variable satisfies nothing, and a variable given both signs is an error.
    """
    true: set[int] = set()
    for lit in literals:
        if lit and -lit in true:
            return f"the model assigns variable {abs(lit)} both ways"
        if lit:
            true.add(lit)
    cnf = read_cnf_cached(os.fspath(path))
    bad = first_violated_clause(cnf, true)
    if bad is None:
        return None
    return f"clause {bad + 1} ({' '.join(map(str, cnf.clause(bad)))} 0) is not satisfied by the model"
