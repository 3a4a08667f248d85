"""Wrapper entry points for algoconf's runners, so SMAC / ParamILS / irace users can call them.

AClib old call (SMAC, ParamILS, GenericWrapper4AC-style)::

    python -m algoconf.runners [--wall] [--memory-mb M] SOLVER <instance> <specifics> <cutoff> <cutoff_length> <seed> -p1 v1 ...

prints one line ``Result of this algorithm run: <SAT|UNSAT|SUCCESS|TIMEOUT|CRASHED|MEMOUT|ABORT>,
<runtime>, 0, <quality>, <seed>`` (runtime in CPU seconds clipped to the cutoff; quality = the
makespan for job-shop runners, else 0). Exit code 0 whenever a line was printed; 2 on bad
arguments, with ``ABORT`` printed so a configurator stops instead of blaming a configuration.

AClib2 call (GenericWrapper4AC 2, SMAC's ``aclib2`` syntax, algoconf's ``syntax: aclib2``)::

    python -m algoconf.runners [--wall] [--memory-mb M] SOLVER --instance <instance> --cutoff <cutoff> --seed <seed> [--runlength L] [--specifics S] --config -p1 v1 ...

prints ``Result of this algorithm run: {"status": ..., "cost": ..., "runtime": ..., "misc": ""}``
(the same statuses; cost = the makespan for job-shop runners, else the runtime). Exit codes as above.

irace target runner (``targetRunner`` calling this with irace's argument order)::

    python -m algoconf.runners --irace --cutoff C [--wall] [--memory-mb M] SOLVER <config_id> <instance_id> <seed> <instance> [<bound>] <switch value | switch=value> ...

prints ``<cost> <time>``: for runtime runners cost = the CPU runtime when solved, else
``10 * --cutoff`` (PAR10, also when a capping bound stopped it; the time is the CPU used); for quality runners (``cpsat-jobshop-quality``)
cost = the makespan. ``<bound>`` (irace's capping bound, when given) replaces the cutoff. Bad
arguments exit 2 with the reason on stderr (irace stops).

In both forms the run happens under algoconf's enforced limits (CPU time of the whole process tree
by default, ``--wall`` for wall clock) and the answer is checked: a wrong SAT/UNSAT answer, a bad
model or an invalid schedule is CRASHED.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

from algoconf.execution.base import execute_run
from algoconf.instances import Instance
from algoconf.records import RunRequest, RunResult, Status
from algoconf.runners import RUNNERS, get_runner
from algoconf.runners.base import split_options


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m algoconf.runners",
        description="Run one algoconf solver runner under the AClib (default) or irace (--irace) protocol.",
    )
    p.add_argument("--wall", action="store_true", help="enforce the cutoff on wall-clock time (default: CPU time)")
    p.add_argument("--memory-mb", type=float, default=None, help="address-space limit in MiB")
    p.add_argument("--irace", action="store_true", help="irace's target-runner call and 'cost time' output")
    p.add_argument("--cutoff", type=float, default=None, help="cutoff in seconds (--irace only; required there)")
    p.add_argument("solver", choices=sorted(RUNNERS))
    p.add_argument("rest", nargs=argparse.REMAINDER, help="the protocol's arguments")
    return p


def result_line(status: str, runtime: float, quality: float, seed: int) -> str:
    return f"Result of this algorithm run: {status}, {runtime:.4f}, 0, {quality:g}, {seed}"


def run_once(solver: str, instance_path: str, specifics: Sequence[str], config: dict, seed: int, cutoff: float,
             *, wall: bool = False, memory_mb: float | None = None) -> RunResult:
    """One checked run of ``solver`` under enforced limits; ValueError for bad arguments."""
    if not (cutoff > 0 and math.isfinite(cutoff)):
        raise ValueError(f"cutoff must be a positive number of seconds, got {cutoff}")
    path = Path(instance_path)
    if not path.is_file():
        raise ValueError(f"instance file {instance_path} does not exist")
    runner = get_runner(solver)
    problem = runner.missing()
    if problem:
        raise ValueError(problem)
    instance = Instance(path.name, path.resolve(), tuple(specifics))
    request = RunRequest(config=config, instance=instance.name, seed=seed, cutoff=cutoff)
    return execute_run(runner.target(Path.cwd()), request, instance,
                       time_kind="wall" if wall else "cpu", memory_limit_mb=memory_mb)


def _report_failure(result: RunResult) -> None:
    if result.status is not Status.SUCCESS and result.info.get("reason"):
        print(f"algoconf.runners: {result.status.value}: {result.info['reason']}", file=sys.stderr)


def _old_call(rest: Sequence[str]) -> tuple[str, str, float, int, dict]:
    """(instance, specifics, cutoff, seed, config) of ``<instance> <specifics> <cutoff> <cutoff_length> <seed> -p v ...``."""
    if len(rest) < 5:
        raise ValueError("expected <instance> <specifics> <cutoff> <cutoff_length> <seed> [-name value ...]")
    instance, specifics, cutoff_text, _cutoff_length, seed_text = rest[:5]
    return instance, specifics, _number(cutoff_text, "cutoff", float), _number(seed_text, "seed", int), \
        split_options(rest[5:])


_ACLIB2_KEYS = ("instance", "cutoff", "seed", "runlength", "specifics", "instance-info")


def _aclib2_call(rest: Sequence[str]) -> tuple[str, str, float, int, dict]:
    """The same from ``--instance I --cutoff C --seed S [--runlength L] [--specifics S] --config -p v ...``."""
    items = list(rest)
    if "--config" not in items:
        raise ValueError("the AClib2 call needs --config (followed by the '-name value' pairs, possibly none)")
    at = items.index("--config")
    head, config = items[:at], split_options(items[at + 1:])
    if len(head) % 2:
        raise ValueError(f"expected '--key value' pairs before --config, got {' '.join(head)}")
    given: dict[str, str] = {}
    for key, value in zip(head[::2], head[1::2]):
        name = key[2:] if key.startswith("--") else ""
        if name not in _ACLIB2_KEYS:
            raise ValueError(f"unknown AClib2 argument {key!r}; expected --{', --'.join(_ACLIB2_KEYS)}, --config")
        given[name] = value
    missing = [k for k in ("instance", "cutoff", "seed") if k not in given]
    if missing:
        raise ValueError(f"the AClib2 call needs --{', --'.join(missing)}")
    specifics = given.get("specifics", given.get("instance-info", "0"))
    return (given["instance"], specifics, _number(given["cutoff"], "cutoff", float),
            _number(given["seed"], "seed", int), config)


def _number(text: str, what: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{what} must be {'an integer' if kind is int else 'a number'}, got {text!r}") from None


def _aclib2_line(status: str, runtime: float, cost: float) -> str:
    return "Result of this algorithm run: " + json.dumps({"status": status, "cost": cost, "runtime": round(runtime, 4),
                                                          "misc": ""})


def _aclib(args: argparse.Namespace) -> int:
    rest = args.rest
    new_form = bool(rest) and rest[0].startswith("--")
    seed = 0
    try:
        instance, specifics, cutoff, seed, config = _aclib2_call(rest) if new_form else _old_call(rest)
        specifics_tokens = () if specifics in ("0", "") else tuple(specifics.split())
        result = run_once(args.solver, instance, specifics_tokens, config, seed, cutoff,
                          wall=args.wall, memory_mb=args.memory_mb)
    except (ValueError, KeyError) as exc:
        print(f"algoconf.runners: {exc}", file=sys.stderr)
        print(_aclib2_line("ABORT", 0.0, 0) if new_form else result_line("ABORT", 0.0, 0, seed))
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
    _report_failure(result)
    runtime = min(result.runtime, cutoff)
    if new_form:
        print(_aclib2_line(word, runtime, result.quality if result.quality is not None else round(runtime, 4)))
    else:
        print(result_line(word, runtime, result.quality if result.quality is not None else 0, seed))
    return 0


def irace_switches(tokens: Sequence[str]) -> dict[str, str]:
    """irace's parameter switches as a dict: ``--name=value``/``-name=value`` or ``-name value``."""
    config: dict[str, str] = {}
    items = list(tokens)
    while items:
        token = items.pop(0)
        if not token.startswith("-") or not token.lstrip("-"):
            raise ValueError(f"expected a switch starting with '-', got {token!r}")
        name, eq, value = token.lstrip("-").partition("=")
        if not eq:
            if not items:
                raise ValueError(f"switch {token!r} has no value")
            value = items.pop(0)
        config[name] = value
    return config


def _irace(args: argparse.Namespace) -> int:
    rest = args.rest
    try:
        if args.cutoff is None:
            raise ValueError("--irace needs --cutoff SECONDS")
        if len(rest) < 4:
            raise ValueError("expected <config_id> <instance_id> <seed> <instance> [<bound>] [switches ...]")
        _config_id, _instance_id, seed_text, instance = rest[:4]
        tail = rest[4:]
        cutoff = args.cutoff
        if tail and not tail[0].startswith("-"):
            cutoff = min(cutoff, float(tail[0]))  # irace's capping bound
            tail = tail[1:]
        result = run_once(args.solver, instance, (), irace_switches(tail), int(seed_text), cutoff,
                          wall=args.wall, memory_mb=args.memory_mb)
    except (ValueError, KeyError) as exc:
        print(f"algoconf.runners: {exc}", file=sys.stderr)
        return 2
    _report_failure(result)
    runner = get_runner(args.solver)
    if runner.reports_quality:
        cost = result.quality if result.status is Status.SUCCESS and result.quality is not None else math.inf
        if math.isinf(cost):
            print(f"algoconf.runners: no makespan ({result.status.value})", file=sys.stderr)
            return 1
    else:
        cost = min(result.runtime, cutoff) if result.status is Status.SUCCESS else 10.0 * args.cutoff
    print(f"{cost:g} {min(result.runtime, cutoff):.4f}")
    return 0


def _split_at_solver(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the options up to and including the solver name, the protocol's arguments after it).

    Split by hand: argparse would read a protocol argument such as the AClib2 call's ``--cutoff``
    as this program's own option.
    """
    items = list(argv)
    i = 0
    while i < len(items):
        token = items[i]
        if token in ("--memory-mb", "--cutoff"):
            i += 2
            continue
        if not token.startswith("-"):
            return items[:i + 1], items[i + 1:]
        i += 1
    return items, []


def main(argv: Sequence[str] | None = None) -> int:
    head, rest = _split_at_solver(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(head)
    args.rest = rest
    return _irace(args) if args.irace else _aclib(args)


if __name__ == "__main__":
    sys.exit(main())
