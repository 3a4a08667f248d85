"""CaDiCaL 1.5 (Debian ``/usr/bin/cadical``).

Call: ``cadical -q --seed=<seed> <--name=value ...> <instance>``; prints ``s SATISFIABLE`` /
``s UNSATISFIABLE`` and the model as ``v`` lines (checked), exit 10 / 20, **0** with ``s UNKNOWN``
when its own limit fires, 1 on an unknown option or a non-numeric value. Traps handled here:

* cadical reads options from ``CADICAL_<NAME>`` environment variables: the target drops them from
  the child's environment (CommandTarget.drop_env_prefixes);
* it also reads ``c --name=value`` comment lines of the DIMACS header (highest priority): our
  generators never write such lines;
* it **accepts out-of-range values silently** (``--elim=5`` runs): every numeric option is clamped
  to the range ``cadical --help`` prints before it is passed;
* its ``-t`` limit is wall-clock time, so none is passed: the executor's cutoff counts.
"""

from __future__ import annotations

from typing import Any

from algoconf.records import RunRequest
from algoconf.runners.base import SolverRunner
from algoconf.runners.trace_probe import TraceProbe
from algoconf.targets.parsers import SatCompetitionParser

__all__ = ["CADICAL", "CADICAL_RANGES"]

#: ranges printed by ``cadical --help`` (1.5.3) for the options of runners/cadical/params.pcs
CADICAL_RANGES: dict[str, tuple[float, float]] = {
    "chrono": (0, 2),
    "elimreleff": (1, 1e5),
    "elimrounds": (1, 512),
    "emagluefast": (1, 2e9),
    "emaglueslow": (1, 2e9),
    "minimizedepth": (0, 1e3),
    "probereleff": (1, 1e5),
    "reduceint": (10, 1e6),
    "reducetarget": (10, 100),
    "reducetier1glue": (1, 2e9),
    "reducetier2glue": (1, 2e9),
    "reluctant": (0, 2e9),
    "reluctantmax": (0, 2e9),
    "rephaseint": (1, 2e9),
    "restartint": (1, 2e9),
    "restartmargin": (0, 100),
    "scorefactor": (500, 1000),
    "shrink": (0, 3),
    "stabilizefactor": (101, 2e9),
    "stabilizeint": (1, 2e9),
    "subsumereleff": (1, 1e5),
    "target": (0, 2),
    "vivifyreleff": (1, 1e5),
    "walkreleff": (1, 1e5),
}

_FLAGS = frozenset({
    "bump", "bumpreason", "chronoreusetrail", "compact", "decompose", "eagersubsume", "elim",
    "flush", "forcephase", "inprocessing", "lucky", "minimize", "phase", "probe", "rephase",
    "restart", "score", "stabilize", "stabilizeonly", "subsume", "ternary", "vivify", "walk",
})  # fmt: skip


def _translate(config: dict[str, Any], request: RunRequest) -> dict[str, Any]:
    out = {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in config.items()}
    out["seed"] = int(request.seed) % 2_000_000_000
    return out


#: without -q cadical prints its statistics (counts first); -c stops the probe at 25 000 conflicts
_PROBE = TraceProbe(
    command=("cadical", "-c", "25000", "{config}", "{instance}"),
    instance="u3-250-unsat.cnf",
    counters=r"^c ([a-z_]+):\s+(\d+)\s",
    verbatim=r"^[sv] ",
    section=r"^c -+ \[ statistics \]",
    exit_codes=frozenset({0, 10, 20}),
)

CADICAL = SolverRunner(
    name="cadical",
    description="CaDiCaL 1.5 (Debian package 'cadical')",
    command=("cadical", "-q", "{config}", "{instance}"),
    syntax="--name=value",
    parser=SatCompetitionParser,
    bool_style="value",
    flags=_FLAGS,
    clamp=CADICAL_RANGES,
    translate=_translate,
    trace_probe=_PROBE,
)
