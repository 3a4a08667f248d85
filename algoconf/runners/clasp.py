"""clasp 3.3 (Debian ``/usr/bin/clasp``) on DIMACS CNF.

Call: ``clasp --verbose=0 --seed=<seed> <--option=value ...> <instance>``; prints ``v`` lines (the
model, checked) and ``s SATISFIABLE`` / ``s UNSATISFIABLE``, exit 10 / 20, **1** with
``s UNKNOWN`` when its own (wall-clock) limit fires or on SIGTERM/SIGINT, 1 on a bad option. No
solver-side limit is passed: the executor's cutoff counts, and a killed run is TIMEOUT by the
executor's flag whatever clasp prints.

clasp's options are composite strings (``--restarts=x,100,1.5``), so runners/clasp/params.pcs
describes them by parts, which :func:`_translate` assembles:

* ``configuration`` is a preset (``auto`` = ``trendy`` on CNF); every other categorical has the
  value ``preset``, meaning "not passed: keep what the preset says";
* ``restarts`` in {luby, geometric, dynamic, fixed, no} with ``restart-base`` (conflicts) and
  ``restart-factor`` (geometric growth) -> ``L,<base>``, ``x,<base>,<factor>``, ``D,<base>,0.7``,
  ``F,<base>``, ``no``;
* ``rand-freq`` 0 is not passed (it is clasp's default);
* ``init-moms`` on/off -> ``--init-moms`` / ``--no-init-moms``; ``deletion`` + ``deletion-pct``
  -> ``--deletion=<algo>,<pct>``.
"""

from __future__ import annotations

from typing import Any

from algoconf.records import RunRequest
from algoconf.runners.base import SolverRunner
from algoconf.runners.trace_probe import TraceProbe
from algoconf.targets.parsers import SatCompetitionParser

__all__ = ["CLASP"]

_CLAMP = {
    "restart-base": (1, 100000),
    "restart-factor": (1.0, 10.0),
    "deletion-pct": (1, 100),
    "rand-freq": (0.0, 1.0),
}


def _translate(config: dict[str, Any], request: RunRequest) -> dict[str, Any]:
    rest = dict(config)
    out: dict[str, Any] = {}
    restarts = rest.pop("restarts", "preset")
    base = int(rest.pop("restart-base", 100))
    factor = float(rest.pop("restart-factor", 1.5))
    schedule = {
        "luby": f"L,{base}",
        "geometric": f"x,{base},{factor:g}",
        "dynamic": f"D,{base},0.7",
        "fixed": f"F,{base}",
        "no": "no",
    }
    if restarts != "preset":
        if restarts not in schedule:
            raise ValueError(f"restarts must be preset or one of {sorted(schedule)}, got {restarts!r}")
        out["restarts"] = schedule[restarts]
    deletion = rest.pop("deletion", "preset")
    pct = int(rest.pop("deletion-pct", 75))
    if deletion != "preset":
        out["deletion"] = "no" if deletion == "no" else f"{deletion},{pct}"
    moms = rest.pop("init-moms", "preset")
    if moms != "preset":
        out["init-moms"] = bool(moms) if isinstance(moms, bool) else str(moms).lower() in ("on", "true", "yes", "1")
    if float(rest.get("rand-freq", 0) or 0) == 0:
        rest.pop("rand-freq", None)  # 0 is clasp's default ("no"): leave it to the preset
    for name, value in rest.items():
        if value == "preset":
            continue
        out[name] = value
    out["seed"] = int(request.seed) % 2**31
    return out


#: clasp --stats prints choices, conflicts, restarts, lemmas, backjumps (times dropped);
#: --solve-limit stops the probe at 20 000 conflicts (exit 0, s UNKNOWN)
_PROBE = TraceProbe(
    command=("clasp", "--verbose=0", "--stats", "--solve-limit=20000", "{config}", "{instance}"),
    instance="u3-250-unsat.cnf",
    counters=r"^c (?!Time|CPU Time)([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)?)\s*:\s*(.*)$",
    verbatim=r"^[sv] ",
    exit_codes=frozenset({0, 10, 20}),
)

CLASP = SolverRunner(
    name="clasp",
    description="clasp 3.3 on DIMACS (Debian package 'clasp')",
    command=("clasp", "--verbose=0", "{config}", "{instance}"),
    syntax="--name=value",
    parser=SatCompetitionParser,
    bool_style="no-flag",
    clamp=_CLAMP,
    translate=_translate,
    trace_probe=_PROBE,
)
