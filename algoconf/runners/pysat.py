"""python-sat solvers in a killable child (``python -m algoconf.runners.pysat_solve``).

* ``pysat-cadical195``: CaDiCaL 1.9.5 through ``Solver.configure()`` (parameters in
  runners/pysat-cadical195/params.pcs; numbers clamped to CaDiCaL's ranges, because neither the
  binding nor CaDiCaL rejects a bad value).
* ``pysat-glucose42``, ``pysat-kissat404``, ``pysat-minisat22``: fixed solvers (no parameters),
  portfolio members for algorithm selection.

The recorded runtime is the CPU time of the whole child from the kernel (so finished, timed-out and
raced runs are measured on one clock); it includes ~0.1-0.2 s of Python start-up and importing
python-sat. The solve call's own CPU time is kept in ``info["solve_cpu"]``. The answer is checked
like every SAT answer (model against the CNF; known answers from sidecars).
"""

from __future__ import annotations

import dataclasses
import re
import sys
from typing import Any

from algoconf.execution.limits import ProcessOutcome
from algoconf.records import RunRequest
from algoconf.runners.base import SolverRunner
from algoconf.runners.cadical import CADICAL_RANGES
from algoconf.targets.base import Answer
from algoconf.targets.parsers import SatCompetitionParser

__all__ = ["PYSAT_RUNNERS", "PysatParser"]

_SOLVE_CPU = re.compile(r"^c pysat .*solve_cpu=(\S+)", re.M)


class PysatParser(SatCompetitionParser):
    """SAT competition output; the child's ``solve_cpu`` goes to ``info`` (not the runtime)."""

    name = "pysat"

    def parse(self, outcome: ProcessOutcome, request: RunRequest, instance) -> Answer:
        answer = super().parse(outcome, request, instance)
        found = _SOLVE_CPU.search(outcome.stdout)
        if found:
            return dataclasses.replace(answer, info={**answer.info, "solve_cpu": float(found.group(1))})
        return answer


def _cadical_translate(config: dict[str, Any], request: RunRequest) -> dict[str, Any]:
    out = {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in config.items()}
    out["seed"] = int(request.seed) % 2_000_000_000
    return out


def _fixed_solver(config: dict[str, Any], request: RunRequest) -> dict[str, Any]:
    return dict(config)  # pysat_solve refuses options for solvers configure() ignores


def _runner(solver: str, configurable: bool) -> SolverRunner:
    return SolverRunner(
        name=f"pysat-{solver}",
        description=f"python-sat {solver} in a child process" + (" (configure())" if configurable else ""),
        command=(sys.executable, "-m", "algoconf.runners.pysat_solve", solver, "{instance}", "{config}"),
        syntax="--name=value",
        parser=PysatParser,
        bool_style="value",
        flags=frozenset({"elim", "probe", "vivify", "subsume", "stabilize", "walk", "rephase", "lucky",
                         "inprocessing", "phase", "restart", "minimize"}) if configurable else frozenset(),
        clamp={k: v for k, v in CADICAL_RANGES.items()} if configurable else {},
        translate=_cadical_translate if configurable else _fixed_solver,
        pcs=f"pysat-{solver}" if configurable else None,
        requires_module="pysat",
    )


PYSAT_RUNNERS = {
    r.name: r
    for r in (
        _runner("cadical195", True),
        _runner("glucose42", False),
        _runner("kissat404", False),
        _runner("minisat22", False),
    )
}
