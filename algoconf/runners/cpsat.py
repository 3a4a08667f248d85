"""CP-SAT (OR-Tools) on job-shop instances: two runners, one program.

Both launch ``python -m algoconf.runners.cpsat_jobshop <instance> --seed=<seed> --name=value ...``
(one worker, so CPU time is meaningful and results are reproducible). The runtime recorded is the
CPU time of the whole process tree from the kernel, like every other target, so that finished,
timed-out and raced (CAPPED) runs are measured on one clock; it includes ~0.2 s of Python start-up
and OR-Tools import per run (the same for every configuration). The search's own CPU time is kept
in ``info["solve_cpu"]``.

* ``cpsat-jobshop`` (objective **runtime to a proven optimum**): ``s OPTIMUM FOUND`` -> SUCCESS
  with ``quality`` = the makespan; a schedule without an optimality proof or ``s UNKNOWN`` (CP-SAT
  stopped on its own limit) -> TIMEOUT.
* ``cpsat-jobshop-quality`` (objective **makespan at a fixed deterministic-time limit** of 0.2
  units, reproducible bit for bit with one worker): any schedule -> SUCCESS with ``quality`` =
  makespan; no schedule -> TIMEOUT.

Answers are checked, not trusted: the printed schedule must start every operation at a
non-negative time, respect each job's order, never overlap two operations on one machine, and its
makespan must equal the printed objective and be at least the instance's trivial lower bound;
otherwise the run is CRASHED.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

from algoconf.execution.limits import ProcessOutcome
from algoconf.instances.generators.jobshop import JobShop, read_jobshop
from algoconf.records import RunRequest, Status
from algoconf.runners.base import SolverRunner
from algoconf.targets.base import Answer
from algoconf.targets.parsers import OutputParser

__all__ = ["CPSAT_JOBSHOP", "CPSAT_JOBSHOP_QUALITY", "JobShopParser", "schedule_violation"]

QUALITY_DETERMINISTIC_TIME = 0.2
_FIELD = re.compile(r"(\w+)=(\S+)")


def schedule_violation(shop: JobShop, starts: dict[tuple[int, int], int], makespan: int) -> str | None:
    """None when ``starts[(job, op)]`` is a valid schedule of ``shop`` with this makespan, else why not."""
    expected = {(j, k) for j, job in enumerate(shop.jobs) for k in range(len(job))}
    if set(starts) != expected:
        missing = sorted(expected - set(starts))[:3]
        extra = sorted(set(starts) - expected)[:3]
        return f"schedule lists the wrong operations (missing {missing}, unknown {extra})"
    end = 0
    busy: dict[int, list[tuple[int, int, int, int]]] = {}
    for j, job in enumerate(shop.jobs):
        ready = 0
        for k, (machine, duration) in enumerate(job):
            s = starts[(j, k)]
            if s < ready:
                return f"job {j} operation {k} starts at {s}, before its predecessor ends ({ready})"
            ready = s + duration
            busy.setdefault(machine, []).append((s, s + duration, j, k))
        end = max(end, ready)
    for machine, ops in busy.items():
        ops.sort()
        for (_, e1, j1, k1), (s2, _, j2, k2) in zip(ops, ops[1:]):
            if s2 < e1:
                return f"machine {machine}: job {j1} op {k1} and job {j2} op {k2} overlap"
    if end != makespan:
        return f"reported makespan {makespan} but the schedule ends at {end}"
    if makespan < shop.lower_bound:
        return f"makespan {makespan} is below the lower bound {shop.lower_bound}"
    return None


class JobShopParser(OutputParser):
    """Reads cpsat_jobshop's output and checks the schedule (see module docstring)."""

    name = "jobshop"

    def __init__(self, need_optimum: bool = True):
        self.need_optimum = need_optimum

    def parse(self, outcome: ProcessOutcome, request: RunRequest, instance) -> Answer:
        if outcome.exit_code != 0:
            return Answer.crashed(f"exit code {outcome.exit_code}")
        said, makespan, facts = None, None, {}
        starts: dict[tuple[int, int], int] = {}
        try:
            for raw in outcome.stdout.splitlines():
                tokens = raw.split()
                if not tokens:
                    continue
                if tokens[0] == "s":
                    said = " ".join(tokens[1:])
                elif tokens[0] == "o":
                    makespan = int(tokens[1])
                elif tokens[0] == "v":
                    starts[(int(tokens[1]), int(tokens[2]))] = int(tokens[3])
                elif tokens[:2] == ["c", "cpsat"]:
                    facts = dict(_FIELD.findall(raw))
        except (IndexError, ValueError):
            return Answer.crashed(f"unreadable output line {raw[:100]!r}")
        if said is None or "solve_cpu" not in facts:
            return Answer.crashed("no 's ...' line or no 'c cpsat' summary in the output")
        info: dict[str, Any] = {"answer": said, "cpsat_status": facts.get("status"),
                                "solve_cpu": float(facts["solve_cpu"]),
                                "deterministic_time": float(facts.get("deterministic_time", "nan"))}
        if said == "UNSATISFIABLE":
            return Answer.crashed("CP-SAT says a job shop has no schedule (every job shop has one)", **info)
        if said == "UNKNOWN" or makespan is None:
            return Answer(Status.TIMEOUT, info={**info, "reason": "no schedule found"})
        try:
            shop = read_jobshop(instance.path)
        except (OSError, ValueError) as exc:
            return Answer.crashed(f"cannot read the instance to check the schedule: {exc}", **info)
        problem = schedule_violation(shop, starts, makespan)
        if problem:
            return Answer.crashed(f"invalid schedule: {problem}", **info)
        if self.need_optimum and said != "OPTIMUM FOUND":
            return Answer(Status.TIMEOUT, quality=float(makespan), info={**info, "reason": "no optimality proof"})
        return Answer(Status.SUCCESS, quality=float(makespan), info=info)


def _translate(config: dict[str, Any], request: RunRequest) -> dict[str, Any]:
    return {k: (int(v) if isinstance(v, float) and v.is_integer() and k in _INTEGER else v) for k, v in config.items()}


_INTEGER = {"linearization_level", "cp_model_probing_level", "symmetry_level", "boolean_encoding_level",
            "max_presolve_iterations", "restart_period", "binary_minimization_algorithm"}
_FLAGS = frozenset({"cp_model_presolve", "use_phase_saving", "optimize_with_core", "use_lns_only",
                    "use_optional_variables", "use_overload_checker_in_cumulative",
                    "use_timetable_edge_finding_in_cumulative", "use_disjunctive_constraint_in_cumulative",
                    "use_precedences_in_disjunctive_constraint", "use_objective_lb_search",
                    "use_objective_shaving_search", "exploit_all_precedences", "cp_model_use_sat_presolve",
                    "use_dynamic_precedence_in_disjunctive", "use_strong_propagation_in_disjunctive"})
_CLAMP = {
    "linearization_level": (0, 2),
    "cp_model_probing_level": (0, 2),
    "symmetry_level": (0, 4),
    "boolean_encoding_level": (0, 3),
    "max_presolve_iterations": (0, 1000),
    "random_polarity_ratio": (0.0, 1.0),
    "random_branches_ratio": (0.0, 1.0),
    "variable_activity_decay": (0.0, 1.0),
    "clause_activity_decay": (0.0, 1.0),
    "clause_cleanup_ratio": (0.0, 1.0),
    "restart_period": (1, 10**6),
}

_PROGRAM = (sys.executable, "-m", "algoconf.runners.cpsat_jobshop", "{instance}", "--seed={seed}")

CPSAT_JOBSHOP = SolverRunner(
    name="cpsat-jobshop",
    description="OR-Tools CP-SAT (1 worker) on job shop, runtime to a proven optimal makespan",
    command=_PROGRAM + ("{config}",),
    syntax="--name=value",
    parser=JobShopParser,
    instance_kind="jobshop",
    bool_style="value",
    flags=_FLAGS,
    clamp=_CLAMP,
    translate=_translate,
    pcs="cpsat",
    requires_module="ortools",
)

CPSAT_JOBSHOP_QUALITY = SolverRunner(
    name="cpsat-jobshop-quality",
    description=f"OR-Tools CP-SAT (1 worker) on job shop, makespan after {QUALITY_DETERMINISTIC_TIME} deterministic time",
    command=_PROGRAM + (f"--deterministic-time={QUALITY_DETERMINISTIC_TIME}", "{config}"),
    syntax="--name=value",
    parser=functools.partial(JobShopParser, need_optimum=False),
    reports_quality=True,
    instance_kind="jobshop",
    bool_style="value",
    flags=_FLAGS,
    clamp=_CLAMP,
    translate=_translate,
    pcs="cpsat",
    requires_module="ortools",
)
