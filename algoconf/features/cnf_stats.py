"""Cheap structural CNF features (SATzilla's size / balance / Horn / graph-degree tier), with numpy.

Definitions (following SATzilla 2009/2012 and the ASlib SAT scenarios where the names match):

* ``nvars``, ``nclauses``: from the formula as given (no preprocessing; ASlib's ``nvarsOrig`` /
  ``nclausesOrig``); ``vars-clauses-ratio`` = nvars / nclauses; ``clauses-vars-ratio`` its inverse.
* ``VCG-VAR-*``: degree of each *occurring* variable in the variable–clause graph divided by the
  number of clauses. ``VCG-CLAUSE-*``: clause length divided by the number of variables.
* ``POSNEG-RATIO-CLAUSE-*``: per clause 2·|0.5 − positive/length|; ``POSNEG-RATIO-VAR-*``: per
  occurring variable 2·|0.5 − positive occurrences/occurrences| (0 = balanced, 1 = pure).
* ``UNARY``, ``BINARY+``, ``TRINARY+``: fractions of clauses of length 1, 2 and 3.
* ``horn-clauses-fraction``: clauses with at most one positive literal; ``HORNY-VAR-*``: per
  occurring variable, the number of Horn clauses it occurs in divided by the number of clauses.
* ``VG-*``: degree of each occurring variable in the variable graph (two variables adjacent when
  they share a clause) divided by the number of variables.

Statistics: ``mean``, ``coeff-variation`` (std/mean, 0 when the mean is 0), ``min``, ``max``,
``entropy`` (natural-log Shannon entropy of the empirical distribution of the values: exact values
for integer-valued quantities, 100 equal bins on [0, 1] for ratios). A statistic over an empty set
is NaN (e.g. a formula without clauses).
"""

from __future__ import annotations

import math

import numpy as np

from algoconf.instances.dimacs import CNF

__all__ = ["STAT_NAMES", "base_features", "variable_graph_features", "variable_adjacency", "BASE_FEATURES", "VG_FEATURES", "VG_MAX_WORK"]

STAT_NAMES = ("mean", "coeff-variation", "min", "max", "entropy")
VG_MAX_WORK = 50_000_000  # sum of squared clause lengths above which the variable graph is too costly


def _entropy(values: np.ndarray, integer: bool) -> float:
    if values.size == 0:
        return math.nan
    if integer:
        _, counts = np.unique(values, return_counts=True)
    else:
        counts, _ = np.histogram(np.clip(values, 0.0, 1.0), bins=100, range=(0.0, 1.0))
        counts = counts[counts > 0]
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum()) + 0.0  # no -0.0 for a single value


def _stats(prefix: str, values: np.ndarray, *, scale: float = 1.0, integer: bool = False, names=STAT_NAMES) -> dict[str, float]:
    """Statistics of ``values / scale``; entropy is taken on the unscaled values when integer."""
    out: dict[str, float] = {}
    if values.size == 0:
        return {f"{prefix}-{n}": math.nan for n in names}
    v = values / scale
    mean = float(v.mean())
    for n in names:
        if n == "mean":
            out[f"{prefix}-mean"] = mean
        elif n == "coeff-variation":
            out[f"{prefix}-coeff-variation"] = float(v.std() / mean) if mean > 0 else 0.0
        elif n == "stdev":
            out[f"{prefix}-stdev"] = float(v.std())
        elif n == "min":
            out[f"{prefix}-min"] = float(v.min())
        elif n == "max":
            out[f"{prefix}-max"] = float(v.max())
        elif n == "entropy":
            out[f"{prefix}-entropy"] = _entropy(values if integer else v, integer)
    return out


_VAR_BALANCE_STATS = ("mean", "stdev", "min", "max", "entropy")
_VG_STATS = ("mean", "coeff-variation", "min", "max")

BASE_FEATURES: tuple[str, ...] = (
    ("nvars", "nclauses", "vars-clauses-ratio", "clauses-vars-ratio")
    + tuple(f"VCG-VAR-{s}" for s in STAT_NAMES)
    + tuple(f"VCG-CLAUSE-{s}" for s in STAT_NAMES)
    + tuple(f"POSNEG-RATIO-CLAUSE-{s}" for s in STAT_NAMES)
    + tuple(f"POSNEG-RATIO-VAR-{s}" for s in _VAR_BALANCE_STATS)
    + ("UNARY", "BINARY+", "TRINARY+", "horn-clauses-fraction")
    + tuple(f"HORNY-VAR-{s}" for s in STAT_NAMES)
)
VG_FEATURES: tuple[str, ...] = tuple(f"VG-{s}" for s in _VG_STATS)


def _incidence(cnf: CNF) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lits = cnf.literals.astype(np.int64)
    var = np.abs(lits) - 1
    clause = np.repeat(np.arange(cnf.n_clauses), cnf.lengths)
    return var, lits > 0, clause


def base_features(cnf: CNF) -> dict[str, float]:
    """The cheap group: size, balance, Horn proximity, variable–clause graph degrees."""
    n, m = cnf.n_vars, cnf.n_clauses
    var, pos, clause = _incidence(cnf)
    lengths = cnf.lengths.astype(float)
    out: dict[str, float] = {
        "nvars": float(n),
        "nclauses": float(m),
        "vars-clauses-ratio": n / m if m else math.nan,
        "clauses-vars-ratio": m / n if n else math.nan,
    }
    var_deg = np.bincount(var, minlength=n).astype(float)
    occurring = var_deg > 0
    out.update(_stats("VCG-VAR", var_deg[occurring], scale=max(m, 1), integer=True))
    out.update(_stats("VCG-CLAUSE", lengths, scale=max(n, 1), integer=True))

    pos_per_clause = np.bincount(clause, weights=pos, minlength=m)
    nonempty = lengths > 0
    ratio_clause = 2.0 * np.abs(0.5 - pos_per_clause[nonempty] / lengths[nonempty])
    out.update(_stats("POSNEG-RATIO-CLAUSE", ratio_clause))
    pos_per_var = np.bincount(var, weights=pos, minlength=n)
    ratio_var = 2.0 * np.abs(0.5 - pos_per_var[occurring] / var_deg[occurring])
    out.update(_stats("POSNEG-RATIO-VAR", ratio_var, names=_VAR_BALANCE_STATS))

    out["UNARY"] = float(np.mean(lengths == 1)) if m else math.nan
    out["BINARY+"] = float(np.mean(lengths == 2)) if m else math.nan
    out["TRINARY+"] = float(np.mean(lengths == 3)) if m else math.nan
    horn = pos_per_clause <= 1
    out["horn-clauses-fraction"] = float(horn.mean()) if m else math.nan
    horn_per_var = np.bincount(var, weights=horn[clause], minlength=n)
    out.update(_stats("HORNY-VAR", horn_per_var[occurring], scale=max(m, 1), integer=True))
    return out


def variable_adjacency(cnf: CNF):
    """The variable graph as a CSR 0/1 matrix without self-loops (variables adjacent when they share
    a clause); ValueError when it is too large to build cheaply (:data:`VG_MAX_WORK`)."""
    work = float(np.sum(cnf.lengths.astype(float) ** 2))
    if work > VG_MAX_WORK:
        raise ValueError(f"variable graph too large ({work:.3g} pair visits > {VG_MAX_WORK})")
    from scipy import sparse  # imported here: the cheap group needs only numpy

    var, _, clause = _incidence(cnf)
    inc = sparse.csr_matrix((np.ones(var.size, dtype=np.float32), (clause, var)), shape=(cnf.n_clauses, cnf.n_vars))
    inc.data[:] = 1.0
    adjacency = (inc.T @ inc).tocsr()
    adjacency.setdiag(0)
    adjacency.eliminate_zeros()
    adjacency.data[:] = 1.0
    return adjacency


def variable_graph_features(cnf: CNF) -> dict[str, float]:
    """Variable-graph degree statistics; ValueError when the graph is too large to build cheaply."""
    adjacency = variable_adjacency(cnf)
    var, _, _ = _incidence(cnf)
    n = cnf.n_vars
    degree = np.diff(adjacency.indptr).astype(float)
    occurring = np.bincount(var, minlength=n) > 0
    return _stats("VG", degree[occurring], scale=max(n, 1), integer=True, names=_VG_STATS)
