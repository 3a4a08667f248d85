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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.runners.base import SolverRunner

__all__ = ["SolverRunner", "RunnerTarget", "RUNNERS", "get_runner", "REPO_RUNNERS_DIR"]

# Imported lazily (PEP 562): the per-run child programs of this package (cpsat_jobshop,
# pysat_solve) start a fresh interpreter for every run and must not pay for importing the
# targets, numpy and every runner (~0.3 s CPU) just because they live in this package.
_LAZY = {"SolverRunner": "algoconf.runners.base", "RunnerTarget": "algoconf.runners.base",
         "REPO_RUNNERS_DIR": "algoconf.runners.base"}
_registry: dict[str, "SolverRunner"] | None = None


def _all_runners() -> dict[str, "SolverRunner"]:
    global _registry
    if _registry is None:
        from algoconf.runners.cadical import CADICAL
        from algoconf.runners.clasp import CLASP
        from algoconf.runners.cpsat import CPSAT_JOBSHOP, CPSAT_JOBSHOP_QUALITY
        from algoconf.runners.minisat import MINISAT
        from algoconf.runners.pysat import PYSAT_RUNNERS

        _registry = {r.name: r for r in (MINISAT, CADICAL, CLASP, CPSAT_JOBSHOP, CPSAT_JOBSHOP_QUALITY,
                                         *PYSAT_RUNNERS.values())}
    return _registry


def get_runner(name: str) -> "SolverRunner":
    """The runner called ``name``; KeyError listing the known names otherwise."""
    runners = _all_runners()
    try:
        return runners[name]
    except KeyError:
        raise KeyError(f"no runner {name!r}; known: {', '.join(sorted(runners))}") from None


def __getattr__(name: str) -> Any:
    if name == "RUNNERS":  # every runner by name
        return _all_runners()
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'algoconf.runners' has no attribute {name!r}")
