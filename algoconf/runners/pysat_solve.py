"""A python-sat solver on a DIMACS CNF, as a killable child process (the ``pysat-*`` runners).

Usage::

    python -m algoconf.runners.pysat_solve SOLVER INSTANCE [--name=value ...]

``SOLVER`` is a python-sat solver name (``cadical195``, ``glucose42``, ``minisat22``, ...). The
``--name=value`` options go to ``Solver.configure()``, which python-sat honours **only** for the
CaDiCaL 1.5.3/1.9.5/3.0 and Glucose 4.2 bindings (and silently ignores elsewhere, and ignores
unknown names): so this program refuses options for any other solver (exit 2), and the runner's
parameter file lists only options CaDiCaL 1.9.5 knows. CaDiCaL and kissat cannot be interrupted
in-process, which is why every run is its own process: the executor kills it at the cutoff.

Output: ``s SATISFIABLE`` + ``v`` lines (the model, checked by the caller), ``s UNSATISFIABLE``, and
``c pysat solver=<name> solve_cpu=<s>`` (kernel CPU time of the solve call alone; start-up and
import cost ~0.1 s and are excluded). Exit code 10 / 20, 2 on bad arguments.
"""

from __future__ import annotations

import sys
import time
from typing import Sequence

CONFIGURABLE = ("cadical103", "cadical153", "cadical195", "cadical300", "glucose42")


def _value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    lowered = text.lower()
    if lowered in ("true", "on", "yes"):
        return 1
    if lowered in ("false", "off", "no"):
        return 0
    raise ValueError(f"option value {text!r} is not a number or a boolean")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if len(argv) < 2:
            raise ValueError("usage: pysat_solve SOLVER INSTANCE [--name=value ...]")
        name, instance, rest = argv[0], argv[1], argv[2:]
        options = {}
        for arg in rest:
            key, eq, text = arg.lstrip("-").partition("=")
            if not arg.startswith("--") or not eq:
                raise ValueError(f"expected --name=value, got {arg!r}")
            options[key] = _value(text)
        if options and name not in CONFIGURABLE:
            raise ValueError(f"python-sat ignores options for {name}; configurable: {', '.join(CONFIGURABLE)}")
        from pysat.formula import CNF
        from pysat.solvers import Solver

        formula = CNF(from_file=instance)
    except (ValueError, OSError) as exc:
        print(f"pysat_solve: {exc}", file=sys.stderr)
        return 2
    with Solver(name=name, bootstrap_with=formula.clauses) as solver:
        if options:
            solver.configure(options)
        c0 = time.process_time()
        sat = solver.solve()
        solve_cpu = time.process_time() - c0
        lines = []
        if sat:
            lines.append("s SATISFIABLE")
            model = solver.get_model() or []
            for i in range(0, len(model), 20):
                lines.append("v " + " ".join(map(str, model[i : i + 20])))
            lines.append("v 0")
        else:
            lines.append("s UNSATISFIABLE")
        lines.append(f"c pysat solver={name} solve_cpu={solve_cpu:.6f}")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    return 10 if sat else 20


if __name__ == "__main__":
    sys.exit(main())
