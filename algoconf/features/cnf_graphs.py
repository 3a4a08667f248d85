"""CNF graph features beyond degrees: SATzilla's clause graph (``cg``) and diameter (``diameter``) tiers.

Definitions (SATzilla 2009/2012; names as in the ASlib SAT scenarios where they match):

* Clause graph: one node per clause, an edge between two clauses that contain complementary
  literals (``x`` in one, ``¬x`` in the other: the pairs a resolution step could use); a
  tautological clause has no self-loop. ``CG-*``: node degree divided by the number of clauses
  (statistics mean, coeff-variation, min, max, entropy). ``cluster-coeff-*``: the local
  clustering coefficient of each node (triangles through it / (d·(d−1)/2), 0 for degree < 2).
* Diameter: eccentricity (longest shortest path) of variables in the variable graph (variables
  adjacent when they share a clause), over the connected component of each root. SATzilla takes
  every variable as a root; here at most :data:`DIAMETER_ROOTS` roots are drawn with the run's
  seed (all of them when the formula is smaller), so the statistics are an unbiased sample of the
  per-variable eccentricities on large formulas; stated here because values on large formulas are
  estimates. ``DIAMETER-*``: mean, coeff-variation, min, max, entropy of those eccentricities.

Both groups are refused (status ``timeout``) when the graph is too large to build within a cheap
budget (:data:`CG_MAX_WORK`: the number of complementary occurrence pairs), and the diameter's BFS
loop stops at the group's deadline with the roots done so far (``timeout`` when none finished).
"""

from __future__ import annotations

import math

import numpy as np

from algoconf.instances.dimacs import CNF
from algoconf.features.base import Deadline
from algoconf.features.cnf_stats import STAT_NAMES, _stats, variable_adjacency

__all__ = ["CG_FEATURES", "DIAMETER_FEATURES", "clause_graph_features", "diameter_features",
           "CG_MAX_WORK", "DIAMETER_ROOTS"]

CG_MAX_WORK = 20_000_000  # complementary occurrence pairs above which the clause graph is too costly
DIAMETER_ROOTS = 200
_ROOTS_PER_CHUNK = 10  # BFS roots per call: bounds memory (chunk x n distances) and deadline lag

CG_FEATURES: tuple[str, ...] = tuple(f"CG-{s}" for s in STAT_NAMES) + tuple(f"cluster-coeff-{s}" for s in STAT_NAMES)
DIAMETER_FEATURES: tuple[str, ...] = tuple(f"DIAMETER-{s}" for s in STAT_NAMES)


def _signed_incidence(cnf: CNF):
    from scipy import sparse

    lits = cnf.literals.astype(np.int64)
    var = np.abs(lits) - 1
    clause = np.repeat(np.arange(cnf.n_clauses), cnf.lengths)
    positive = lits > 0
    shape = (cnf.n_clauses, cnf.n_vars)

    def incidence(mask):
        m = sparse.csr_matrix((np.ones(int(mask.sum()), dtype=np.float64), (clause[mask], var[mask])), shape=shape)
        m.data[:] = 1.0  # a literal repeated in a clause counts once
        return m

    return incidence(positive), incidence(~positive), var, positive


def clause_graph_features(cnf: CNF) -> dict[str, float]:
    """Clause-graph degree and clustering statistics; ValueError when the graph is too large."""
    pos, neg, var, positive = _signed_incidence(cnf)
    n, m = cnf.n_vars, cnf.n_clauses
    pos_occ = np.bincount(var[positive], minlength=n).astype(float)
    neg_occ = np.bincount(var[~positive], minlength=n).astype(float)
    work = float((pos_occ * neg_occ).sum())
    if work > CG_MAX_WORK:
        raise ValueError(f"clause graph too large ({work:.3g} complementary pairs > {CG_MAX_WORK})")
    adjacency = (pos @ neg.T).tocsr()
    adjacency = (adjacency + adjacency.T).tocsr()
    adjacency.setdiag(0)
    adjacency.eliminate_zeros()
    adjacency.data[:] = 1.0
    degree = np.diff(adjacency.indptr).astype(float)
    out = _stats("CG", degree, scale=max(m, 1), integer=True)
    # triangles through each node: row sums of (A @ A) restricted to A's pattern, halved
    triangles = np.asarray((adjacency @ adjacency).multiply(adjacency).sum(axis=1)).ravel() / 2.0
    pairs = degree * (degree - 1) / 2.0
    coeff = np.where(pairs > 0, triangles / np.where(pairs > 0, pairs, 1.0), 0.0)
    out.update(_stats("cluster-coeff", coeff))
    return out


def diameter_features(cnf: CNF, deadline: Deadline, seed: int) -> tuple[dict[str, float], bool]:
    """Eccentricity statistics of (sampled) variables; returns (values, complete).

    ``complete`` is False when the deadline stopped the BFS loop early (values cover the roots
    done); raises ValueError when the variable graph is too large to build cheaply.
    """
    from scipy.sparse.csgraph import shortest_path

    adjacency = variable_adjacency(cnf)
    occurring = np.flatnonzero(np.bincount(np.abs(cnf.literals.astype(np.int64)) - 1, minlength=cnf.n_vars) > 0)
    if occurring.size == 0:
        return {f: math.nan for f in DIAMETER_FEATURES}, True
    rng = np.random.default_rng(seed)
    roots = occurring if occurring.size <= DIAMETER_ROOTS else rng.choice(occurring, DIAMETER_ROOTS, replace=False)
    ecc: list[float] = []
    complete = True
    for chunk in np.array_split(roots, max(1, math.ceil(roots.size / _ROOTS_PER_CHUNK))):
        if deadline.expired():
            complete = False
            break
        dist = shortest_path(adjacency, directed=False, unweighted=True, indices=chunk)
        dist[np.isinf(dist)] = -1.0  # other components do not count
        ecc.extend(dist.max(axis=1).tolist())
    values = _stats("DIAMETER", np.asarray(ecc, dtype=float), integer=True) if ecc else {f: math.nan for f in DIAMETER_FEATURES}
    return values, complete
