"""Pigeonhole formulas PHP(holes+1, holes): always unsatisfiable, exponential for resolution.

Variable ``p(i, h) = i * holes + h + 1`` says pigeon ``i`` sits in hole ``h``. Clauses: every
pigeon sits somewhere; no two pigeons share a hole. Default minisat needs ~0.05 s at 7 holes,
~0.5 s at 8, ~5 s at 9 and more than a minute at 10. The sidecar records ``answer: UNSAT``.
"""

from __future__ import annotations

from pathlib import Path

from algoconf.instances.generators._files import check_batch_args, instance_rng, write_instance
from algoconf.instances.generators.cnf import dimacs

__all__ = ["pigeonhole", "pigeonhole_clauses"]


def pigeonhole_clauses(holes: int) -> tuple[int, list[list[int]]]:
    pigeons = holes + 1

    def p(i: int, h: int) -> int:
        return i * holes + h + 1

    clauses = [[p(i, h) for h in range(holes)] for i in range(pigeons)]
    for h in range(holes):
        for i in range(pigeons):
            for j in range(i + 1, pigeons):
                clauses.append([-p(i, h), -p(j, h)])
    return pigeons * holes, clauses


def pigeonhole(out_dir: Path, n: int, seed: int, *, holes: int = 8, shuffle: bool = True) -> list[Path]:
    """Write ``n`` PHP(holes+1, holes) CNFs; with ``shuffle`` each has its clauses and variables
    permuted by its own seed (the same formula up to renaming, so solvers see different orders)."""
    check_batch_args(n, seed)
    if holes < 1:
        raise ValueError(f"holes must be >= 1, got {holes}")
    n_vars, base = pigeonhole_clauses(holes)
    paths = []
    for i in range(int(n)):
        clauses = [list(c) for c in base]
        if shuffle:
            rng = instance_rng(f"php-{holes}", seed, i)
            perm = list(range(1, n_vars + 1))
            rng.shuffle(perm)
            clauses = [[perm[abs(l) - 1] * (1 if l > 0 else -1) for l in c] for c in clauses]
            rng.shuffle(clauses)
        meta = {"answer": "UNSAT", "generator": "pigeonhole", "holes": holes, "seed": seed, "index": i}
        comments = [f"pigeonhole {holes + 1} pigeons into {holes} holes, seed {seed}, index {i}"]
        path = Path(out_dir) / f"php{holes}-{seed}-{i:03d}.cnf"
        paths.append(write_instance(path, dimacs(n_vars, clauses, comments), meta))
    return paths
