"""AClib wrapper protocol (old call) for algoconf's runners, for SMAC / irace / ParamILS users.

    python -m algoconf.runners SOLVER <instance> <specifics> <cutoff> <cutoff_length> <seed> -p1 v1 -p2 v2 ...

runs SOLVER (a name of :data:`algoconf.runners.RUNNERS`) once, with the CPU-time cutoff enforced
on its whole process tree (``--wall`` for wall-clock) and an optional ``--memory-mb`` limit
(wrapper options go *before* SOLVER), and prints one line::

    Result of this algorithm run: <SAT|UNSAT|SUCCESS|TIMEOUT|CRASHED|MEMOUT|ABORT>, <runtime>, 0, <quality>, <seed>

(runtime in CPU seconds, clipped to the cutoff; quality the makespan for job-shop runners, else 0).
A SAT answer whose model is wrong, or an answer contradicting a known one, is CRASHED. Exit code 0
whenever a line was printed (the status is in the line), 2 on bad arguments (then ABORT is printed,
so a configurator stops instead of recording a crash of a good configuration).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Sequence

from algoconf.execution.base import execute_run
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.runners import RUNNERS, get_runner
from algoconf.runners.base import split_options


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m algoconf.runners",
        description="Run one algoconf solver runner under the AClib wrapper protocol (old call).",
    )
    p.add_argument("--wall", action="store_true", help="enforce the cutoff on wall-clock time (default: CPU time)")
    p.add_argument("--memory-mb", type=float, default=None, help="address-space limit in MiB")
    p.add_argument("solver", choices=sorted(RUNNERS))
    p.add_argument("instance")
    p.add_argument("specifics")
    p.add_argument("cutoff", type=float)
    p.add_argument("cutoff_length")
    p.add_argument("seed", type=int)
    p.add_argument("params", nargs=argparse.REMAINDER, help="-name value pairs")
    return p


def result_line(status: str, runtime: float, quality: float, seed: int) -> str:
    return f"Result of this algorithm run: {status}, {runtime:.4f}, 0, {quality:g}, {seed}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    seed = args.seed
    try:
        config = split_options(args.params)
        if not (args.cutoff > 0 and math.isfinite(args.cutoff)):
            raise ValueError(f"cutoff must be a positive number of seconds, got {args.cutoff}")
        path = Path(args.instance)
        if not path.is_file():
            raise ValueError(f"instance file {args.instance} does not exist")
        runner = get_runner(args.solver)
        problem = runner.missing()
        if problem:
            raise ValueError(problem)
        specifics = () if args.specifics in ("0", "") else tuple(args.specifics.split())
        instance = Instance(path.name, path.resolve(), specifics)
        request = RunRequest(config=config, instance=instance.name, seed=seed, cutoff=args.cutoff)
        target = runner.target(Path.cwd())
        result = execute_run(target, request, instance, time_kind="wall" if args.wall else "cpu",
                             memory_limit_mb=args.memory_mb)
    except (ValueError, KeyError) as exc:
        print(f"algoconf.runners: {exc}", file=sys.stderr)
        print(result_line("ABORT", 0.0, 0, seed))
        return 2
    status = result.status
    answer = result.info.get("answer")
    if status is Status.SUCCESS:
        word = answer if answer in ("SAT", "UNSAT") else "SUCCESS"
    elif status in (Status.TIMEOUT, Status.CAPPED):
        word = "TIMEOUT"
    elif status is Status.ABORTED:
        word = "ABORT"
    else:
        word = status.value
    if status is not Status.SUCCESS and result.info.get("reason"):
        print(f"algoconf.runners: {status.value}: {result.info['reason']}", file=sys.stderr)
    runtime = min(result.runtime, args.cutoff)
    print(result_line(word, runtime, result.quality if result.quality is not None else 0, seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
