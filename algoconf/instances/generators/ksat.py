"""Uniform random k-SAT: ``m = round(ratio * vars)`` clauses of ``k`` distinct variables, random signs.

At k=3 and ratio 4.26 (the phase transition) about half the instances are satisfiable and they are
the hardest for their size: default minisat needs a median of ~0.1 s CPU at 200 variables, ~0.6 s
at 225 and ~3.7 s at 250 (docs/solvers.md). The answer is not known by construction, so no sidecar
is written; solvers' answers are checked against their models (SAT) or each other (UNSAT).
"""

from __future__ import annotations

from pathlib import Path

from algoconf.instances.generators._files import check_batch_args, instance_rng, write_instance
from algoconf.instances.generators.cnf import dimacs

__all__ = ["random_ksat", "ksat_clauses"]


def ksat_clauses(rng, n_vars: int, n_clauses: int, k: int) -> list[list[int]]:
    """``n_clauses`` clauses over ``k`` distinct variables each, each literal's sign a fair coin."""
    variables = range(1, n_vars + 1)
    return [
        [v if rng.random() < 0.5 else -v for v in rng.sample(variables, k)] for _ in range(n_clauses)
    ]


def random_ksat(
    out_dir: Path,
    n: int,
    seed: int,
    *,
    variables: int = 200,
    k: int = 3,
    ratio: float = 4.26,
    prefix: str | None = None,
) -> list[Path]:
    """Write ``n`` uniform random k-SAT CNFs to ``out_dir``; returns their paths in order.

    Files are named ``<prefix>-<seed>-<i>.cnf`` (prefix default ``u<k>-<variables>``); instance ``i``
    depends only on (seed, i, variables, k, ratio).
    """
    check_batch_args(n, seed)
    if k < 1 or variables < k:
        raise ValueError(f"need 1 <= k <= variables, got k={k}, variables={variables}")
    if ratio <= 0:
        raise ValueError(f"ratio must be positive, got {ratio}")
    n_clauses = int(round(variables * ratio))
    stem = prefix or f"u{k}-{variables}"
    paths = []
    for i in range(int(n)):
        rng = instance_rng(f"ksat-{k}-{variables}-{ratio}", seed, i)
        clauses = ksat_clauses(rng, variables, n_clauses, k)
        comment = f"uniform random {k}-SAT, {variables} vars, ratio {ratio}, seed {seed}, index {i}"
        path = Path(out_dir) / f"{stem}-{seed}-{i:03d}.cnf"
        paths.append(write_instance(path, dimacs(variables, clauses, [comment])))
    return paths
