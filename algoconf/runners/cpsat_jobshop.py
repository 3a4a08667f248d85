"""CP-SAT on a job-shop instance: the program the ``cpsat`` runner launches, one process per run.

Usage::

    python -m algoconf.runners.cpsat_jobshop INSTANCE [--seed=S] [--time-limit=T]
        [--deterministic-time=D] [--<sat_parameter>=<value> ...]

Every ``--name=value`` other than the three options above is a field of CP-SAT's ``SatParameters``
(``--linearization_level=0``, ``--search_branching=FIXED_SEARCH``, ``--use_phase_saving=false``),
applied through ``merge_text_format``; an unknown name or a bad value exits with code 2 before
solving. The search always runs with ``num_workers: 1`` (one core; a configuration cannot change
this) and ``random_seed`` = ``--seed``. ``--time-limit`` is a backstop in wall seconds; the
executor's cutoff is the limit that counts.

Output (stdout), made to be checked by the caller, not trusted::

    s OPTIMUM FOUND | s SATISFIABLE | s UNKNOWN | s UNSATISFIABLE
    o <makespan>
    v <job> <operation> <start>          (one line per operation, when a schedule was found)
    c cpsat status=<name> objective=<v> bound=<b> user_time=<s> wall_time=<s> deterministic_time=<d>
      solve_elapsed=<s> solve_cpu=<s>   (solve_cpu: CPU seconds of the search alone, from the kernel)

Exit code: 0 after a search (whatever its result), 2 on bad arguments or a bad instance file.
"""

from __future__ import annotations

import sys
import time
import types
from typing import Any, Sequence

from algoconf.instances.generators.jobshop import JobShop, read_jobshop

OWN_OPTIONS = ("seed", "time-limit", "deterministic-time")
FORCED = {"num_workers": "1"}


def import_cp_model():
    """``ortools.sat.python.cp_model``, imported without pandas.

    cp_model imports pandas (~0.2 s CPU, two thirds of its import cost) only for its
    ``*_series`` helpers and type hints, which this program never uses. Since every run is a fresh
    process, a placeholder ``pandas`` module with empty ``Index``/``Series`` classes is put in
    ``sys.modules`` for the import and removed after it (only when pandas is not loaded already).
    If a future OR-Tools needed pandas on the path used here, runs would fail loudly (CRASHED, and
    the runner tests fail), never silently.
    """
    if "pandas" in sys.modules or "ortools.sat.python.cp_model" in sys.modules:
        from ortools.sat.python import cp_model

        return cp_model
    placeholder = types.ModuleType("pandas")
    vars(placeholder).update(Index=type("Index", (), {}), Series=type("Series", (), {}))
    sys.modules["pandas"] = placeholder
    try:
        from ortools.sat.python import cp_model
    finally:
        if sys.modules.get("pandas") is placeholder:
            del sys.modules["pandas"]
    return cp_model


def build_model(shop: JobShop):
    """(model, start variables [job][op], makespan variable) of the classic disjunctive model."""
    cp_model = import_cp_model()

    model = cp_model.CpModel()
    horizon = shop.horizon
    starts: list[list[Any]] = []
    per_machine: list[list[Any]] = [[] for _ in range(shop.n_machines)]
    for j, job in enumerate(shop.jobs):
        row: list[Any] = []
        previous_end = None
        for k, (machine, duration) in enumerate(job):
            start = model.new_int_var(0, horizon, f"s{j}_{k}")
            end = model.new_int_var(0, horizon, f"e{j}_{k}")
            per_machine[machine].append(model.new_interval_var(start, duration, end, f"i{j}_{k}"))
            if previous_end is not None:
                model.add(start >= previous_end)
            row.append(start)
            previous_end = end
        starts.append(row)
    for intervals in per_machine:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(shop.lower_bound, horizon, "makespan")
    for j, job in enumerate(shop.jobs):
        model.add(makespan >= starts[j][-1] + job[-1][1])
    model.minimize(makespan)
    return model, starts, makespan


def _parameter_text(name: str, value: str) -> str:
    return f"{name}: {value}"


def parse_arguments(argv: Sequence[str]) -> tuple[str, dict[str, str], dict[str, str]]:
    """(instance, own options, SatParameters text values); ValueError on a malformed argument."""
    if not argv or argv[0].startswith("-"):
        raise ValueError("expected the instance file as the first argument")
    instance, own, params = argv[0], {}, {}
    rest = list(argv[1:])
    while rest:
        arg = rest.pop(0)
        if not arg.startswith("--"):
            raise ValueError(f"expected --name=value, got {arg!r}")
        name, eq, value = arg[2:].partition("=")
        if not eq:
            if not rest:
                raise ValueError(f"option --{name} needs a value")
            value = rest.pop(0)
        if name in OWN_OPTIONS:
            own[name] = value
        elif name in FORCED:
            raise ValueError(f"--{name} is fixed to {FORCED[name]} by this runner")
        else:
            params[name] = value
    return instance, own, params


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        instance, own, params = parse_arguments(argv)
        shop = read_jobshop(instance)
        seed = int(own.get("seed", "0"))
    except (ValueError, OSError) as err:
        print(f"cpsat_jobshop: {err}", file=sys.stderr)
        return 2
    cp_model = import_cp_model()
    solver = cp_model.CpSolver()
    texts = [_parameter_text(k, v) for k, v in params.items()]
    texts += [_parameter_text(k, v) for k, v in FORCED.items()]
    texts.append(_parameter_text("random_seed", str(seed % 2**31)))
    if "time-limit" in own:
        texts.append(_parameter_text("max_time_in_seconds", own["time-limit"]))
    if "deterministic-time" in own:
        texts.append(_parameter_text("max_deterministic_time", own["deterministic-time"]))
    for text in texts:  # one at a time, so an error names the culprit
        if not solver.parameters.merge_text_format(text):
            print(f"cpsat_jobshop: invalid CP-SAT parameter {text!r}", file=sys.stderr)
            return 2
    model, starts, makespan = build_model(shop)
    t0, c0 = time.perf_counter(), time.process_time()
    status = solver.solve(model)
    elapsed, solve_cpu = time.perf_counter() - t0, time.process_time() - c0
    name = solver.status_name(status)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    line = {"OPTIMAL": "OPTIMUM FOUND", "FEASIBLE": "SATISFIABLE", "INFEASIBLE": "UNSATISFIABLE"}
    out = [f"s {line.get(name, 'UNKNOWN')}"]
    if found:
        out.append(f"o {solver.value(makespan)}")
        for j, row in enumerate(starts):
            out.extend(f"v {j} {k} {solver.value(s)}" for k, s in enumerate(row))
    objective = solver.objective_value if found else float("nan")
    out.append(
        f"c cpsat status={name} objective={objective:g} bound={solver.best_objective_bound:g} "
        f"user_time={solver.user_time:.6f} wall_time={solver.wall_time:.6f} "
        f"deterministic_time={solver.deterministic_time:.6f} solve_elapsed={elapsed:.6f} "
        f"solve_cpu={solve_cpu:.6f}"
    )
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
