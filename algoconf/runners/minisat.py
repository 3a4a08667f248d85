"""MiniSat 2.2 (Debian ``/usr/bin/minisat``).

Call: ``minisat -verb=0 -rnd-seed=<seed+1> -cpu-lim=<ceil(cutoff)+1> <options> <instance> /dev/stdout``.
minisat writes its model to the second file argument (``SAT`` then the literals, or ``UNSAT`` /
``INDET``), so that goes to stdout and the model is checked; on stdout it also prints a
``WARNING: for repeatability ...`` line and then ``SATISFIABLE`` / ``UNSATISFIABLE`` /
``INDETERMINATE`` (never parse the first line). Exit codes 10 / 20, and **0** when its own
``-cpu-lim`` (CPU seconds) fires, 1 on a bad option. ``-cpu-lim`` is only a backstop one second
above the cutoff: the executor's limit is the one that counts. Flags are ``-name`` / ``-no-name``;
``-rnd-seed`` must be > 0, so the run's seed + 1 is passed (it matters with ``rnd-freq`` > 0 or
``rnd-init``). Out-of-range values make minisat exit 1; the declared ranges are clamped first.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from algoconf.execution.limits import ProcessOutcome
from algoconf.records import RunRequest
from algoconf.runners.base import SolverRunner
from algoconf.runners.trace_probe import TraceProbe
from algoconf.targets.base import Answer
from algoconf.targets.parsers import SatCompetitionParser

__all__ = ["MINISAT", "MinisatParser"]


class MinisatParser(SatCompetitionParser):
    """minisat's answer lines plus its result file (``SAT`` + literals) sent to stdout; checks the model."""

    name = "minisat"

    def parse(self, outcome: ProcessOutcome, request: RunRequest, instance) -> Answer:
        lines, in_model = [], False
        for raw in outcome.stdout.splitlines():
            line = raw.strip()
            if line in ("SAT", "UNSAT", "INDET"):
                in_model = line == "SAT"
                continue
            if in_model and line and line.lstrip("-")[:1].isdigit():
                lines.append("v " + line)
                continue
            in_model = False
            lines.append(line)
        return super().parse(dataclasses.replace(outcome, stdout="\n".join(lines) + "\n"), request, instance)


def _translate(config: dict[str, Any], request: RunRequest) -> dict[str, Any]:
    out = dict(config)
    out["rnd-seed"] = float(int(request.seed) % 2**31 + 1)
    if request.limit is not None:
        out["cpu-lim"] = int(math.ceil(request.limit)) + 1
    return out


#: declared ranges of minisat's numeric options (minisat --help; open intervals kept inside)
_CLAMP = {
    "var-decay": (1e-6, 0.999999),
    "cla-decay": (1e-6, 0.999999),
    "rnd-freq": (0.0, 1.0),
    "gc-frac": (1e-6, 1e6),
    "rinc": (1.000001, 1e6),
    "rfirst": (1, 2**31 - 1),
    "phase-saving": (0, 2),
    "ccmin-mode": (0, 2),
    "simp-gc-frac": (1e-6, 1e6),
    "sub-lim": (-1, 2**31 - 1),
    "cl-lim": (-1, 2**31 - 1),
    "grow": (-(2**31), 2**31 - 1),
}

#: minisat -verb=1 prints a progress table (counts only) whose rows come at fixed conflict counts
#: (100, 250, 475, ... 11 330); minisat has no conflict limit, so the probe stops it after 10 rows.
#: The statistics (restarts/conflicts/decisions/propagations) count only when it ends earlier.
_PROBE = TraceProbe(
    command=("minisat", "-verb=1", "{config}", "{instance}", "/dev/stdout"),
    instance="u3-250-unsat.cnf",
    stop_after=(r"^\|\s+\d", 10),
    counters=r"^(restarts|conflicts|decisions|propagations|conflict literals)\s*:\s*(\d+)",
    verbatim=r"^(\|\s+\d.*|(UN)?SATISFIABLE|INDETERMINATE|UNSAT|SAT|INDET|-?\d+( -?\d+)*)$",
)

MINISAT = SolverRunner(
    name="minisat",
    description="MiniSat 2.2 with SatELite preprocessing (Debian package 'minisat')",
    command=("minisat", "-verb=0", "{config}", "{instance}", "/dev/stdout"),
    syntax="-name=value",
    parser=MinisatParser,
    bool_style="no-flag",
    flags=frozenset({"luby", "rnd-init", "pre", "elim", "asymm", "rcheck"}),
    clamp=_CLAMP,
    translate=_translate,
    trace_probe=_PROBE,
)
