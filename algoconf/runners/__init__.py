"""Real solvers as algoconf targets, and the AClib wrapper entry point.

``get_runner(name)`` returns a :class:`SolverRunner` (program, call, parameter file, answer
parsing); ``runner.target(root)`` is the :class:`~algoconf.targets.Target` executors run. A scenario
uses one with ``target: {runner: minisat}``. ``python -m algoconf.runners SOLVER <instance>
<specifics> <cutoff> <cutoff_length> <seed> -param value ...`` runs one solver under enforced
limits and prints the AClib result line, so SMAC and irace can call these runners too.

Runners: minisat, cadical, clasp (Debian binaries), cpsat-jobshop and cpsat-jobshop-quality
(OR-Tools), pysat-cadical195 (configurable), pysat-glucose42, pysat-kissat404, pysat-minisat22.
"""

from __future__ import annotations

from algoconf.runners.base import REPO_RUNNERS_DIR, RunnerTarget, SolverRunner
from algoconf.runners.cadical import CADICAL
from algoconf.runners.clasp import CLASP
from algoconf.runners.cpsat import CPSAT_JOBSHOP, CPSAT_JOBSHOP_QUALITY
from algoconf.runners.minisat import MINISAT
from algoconf.runners.pysat import PYSAT_RUNNERS

__all__ = ["SolverRunner", "RunnerTarget", "RUNNERS", "get_runner", "REPO_RUNNERS_DIR"]

#: every runner by name
RUNNERS: dict[str, SolverRunner] = {
    r.name: r for r in (MINISAT, CADICAL, CLASP, CPSAT_JOBSHOP, CPSAT_JOBSHOP_QUALITY, *PYSAT_RUNNERS.values())
}


def get_runner(name: str) -> SolverRunner:
    """The runner called ``name``; KeyError listing the known names otherwise."""
    try:
        return RUNNERS[name]
    except KeyError:
        raise KeyError(f"no runner {name!r}; known: {', '.join(sorted(RUNNERS))}") from None
