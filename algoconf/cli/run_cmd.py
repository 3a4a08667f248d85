"""``algoconf run``: evaluate one configuration of a scenario over its instances.

    algoconf run SCENARIO [--config default|FILE|k=v,...] [--instances train|test] [--seeds N]
                 [--workers N] [--scheduler ADDR] [--out DIR] [--json]

Every (instance, seed) pair is one run through the scenario's target and the executor (limits
enforced there). Each result is written to the RunHistory of ``--out`` as soon as it arrives, so a
killed command, rerun, executes only the runs that are missing. Seeds are ``scenario.seed + i`` for
``i < --seeds``. The summary (a table on stdout, or one JSON object with ``--json``) counts solved
runs, timeouts and failures, and gives PAR-k (k = the scenario's ``par_factor``), mean and median
runtime — each marked as a lower bound (``>=``) when censored runs make it one —, for a quality
objective the mean quality and the mean cost (failed runs at the scenario's crash_cost), and the CPU time
used (the process trees' CPU from the kernel; for runners that report the solver's own time as the
runtime this is larger than the sum of runtimes). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from algoconf.errors import ConfigurationError, FailureRateExceeded, InputError, RunAborted
from algoconf.execution.base import failure_summary
from algoconf.records import (
    Estimate,
    RunRequest,
    RunResult,
    Status,
    mean_cost,
    par_cost,
    quantile_runtime,
    result_cost,
)

__all__ = ["register", "parse_config_arg", "summarise", "evaluate"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run",
        help="evaluate one configuration over a scenario's instances",
        description="Evaluate one configuration over a scenario's train or test instances; every run is "
                    "recorded in the run directory's history, so a rerun executes only the missing runs.",
    )
    p.add_argument("scenario", help="scenario.yaml or AClib scenario.txt")
    p.add_argument("--config", default="default",
                   help="'default', a file (JSON object or 'name=value' lines), or 'k=v,k=v' (others default)")
    p.add_argument("--instances", choices=("train", "test"), default="train")
    p.add_argument("--seeds", type=int, default=1, help="runs per instance (seeds scenario.seed + i)")
    p.add_argument("--workers", type=int, default=1, help="parallel runs (keep <= cores for CPU-time cutoffs)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address tcp://host:port instead of local runs")
    p.add_argument("--out", default=None, help="run directory holding the history (default: <scenario folder>/.algoconf/runs/<name>)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.set_defaults(func=run_command)


# --- the configuration ----------------------------------------------------------------------------
def _scalar(text: str) -> Any:
    text = text.strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _pairs_from_text(text: str, source: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep:
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise ConfigurationError("expected 'name=value' or 'name value'", file=source, line=lineno)
            name, value = parts
        values[name.strip().lstrip("-")] = _scalar(value.strip().strip("'\""))
    return values


def parse_config_arg(arg: str, space) -> dict[str, Any]:
    """The configuration ``--config`` names, validated against ``space`` (active values only).

    ``default``; a file (a JSON object, or ``name=value`` / ``name value`` lines, ``#`` comments);
    or ``k=v,k=v`` inline. Parameters not given keep their default values; values of parameters
    that end up inactive are dropped. ConfigurationError names what is wrong.
    """
    from algoconf.space import active_config, default_config

    base = default_config(space)
    if arg == "default":
        return base
    path = Path(arg)
    if path.is_file():
        text = path.read_text()
        if text.lstrip().startswith("{"):
            try:
                given = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ConfigurationError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None
            if not isinstance(given, dict):
                raise ConfigurationError("expected a JSON object of parameter values", file=path)
        else:
            given = _pairs_from_text(text, str(path))
    elif "=" in arg:
        given = {}
        for item in arg.split(","):
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise ConfigurationError(f"--config: expected k=v,k=v, got {item!r}")
            given[name.strip()] = _scalar(value)
    else:
        raise ConfigurationError(f"--config: {arg!r} is not 'default', an existing file, or k=v,...")
    return active_config(space, {**_all_defaults(space), **given})


def _all_defaults(space) -> dict[str, Any]:
    return {hp.name: hp.default_value for hp in space.values()}


# --- running ----------------------------------------------------------------------------------------
def _executor(scenario, target, instances, workers: int, scheduler: str | None):
    if scheduler:
        from algoconf.execution.dask import DaskExecutor, connect_scheduler

        client = connect_scheduler(scheduler)
        return DaskExecutor(client, target, instances, memory_limit_mb=scenario.memory_limit,
                            time_kind=scenario.time_kind), client
    from algoconf.execution.local import LocalExecutor

    return LocalExecutor(target, instances, n_workers=workers, memory_limit_mb=scenario.memory_limit,
                         time_kind=scenario.time_kind), None


def _progress(total: int, done: int, quiet: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]algoconf run"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                        console=console, disable=quiet or not console.is_terminal)
    task = progress.add_task("runs", total=total, completed=done, status="")
    return progress, task


def evaluate(scenario, config: Mapping[str, Any], instances, seeds: Sequence[int], history, *,
             workers: int = 1, scheduler: str | None = None, quiet: bool = False) -> tuple[list[RunResult], int]:
    """All results of ``config`` on ``instances`` x ``seeds`` (stored ones reused), and how many ran now.

    New results are recorded in ``history`` one by one as they arrive. The scenario's crash policy
    applies: ``abort`` stops at the first failed run, ``max_failure_rate`` when too many failed;
    both raise after the finished runs are recorded (a rerun resumes).
    """
    from algoconf.targets import build_target

    requests = [RunRequest(config, inst.name, seed, scenario.cutoff) for inst in instances for seed in seeds]
    stored = {r.key: r for r in (history.get(req.key) for req in requests) if r is not None}
    missing = [req for req in requests if req.key not in stored]
    results = dict(stored)
    if missing:
        target = build_target(scenario.target, scenario.root)
        executor, client = _executor(scenario, target, instances.as_mapping(), workers, scheduler)
        progress, task = _progress(len(requests), len(stored), quiet)
        failures = sum(r.status.failed for r in stored.values())
        last_failed = next((r for r in reversed(list(stored.values())) if r.status.failed), None)
        try:
            with progress:
                futures = [executor.submit(req) for req in missing]
                for future in executor.as_completed(futures):
                    result = future.result()
                    history.record(result)
                    results[result.key] = result
                    failures += result.status.failed
                    last_failed = result if result.status.failed else last_failed
                    solved = sum(r.status.solved for r in results.values())
                    progress.update(task, advance=1, status=f"solved {solved}, failed {failures}")
                    _check_failures(scenario, result, last_failed, failures, len(results))
        finally:
            executor.close()
            if client is not None:
                client.close()
    return [results[req.key] for req in requests], len(missing)


def _check_failures(scenario, result: RunResult, last_failed: RunResult | None, failures: int,
                    finished: int) -> None:
    if result.status.failed and scenario.crash_policy == "abort":
        raise RunAborted(f"run on {result.request.instance} ended {result.status.value} "
                         f"({result.info.get('reason', 'see its stderr tail in the history')}); "
                         "crash_policy is 'abort'")
    rate = scenario.max_failure_rate
    if rate is not None and finished >= scenario.min_runs_for_failure_rate and failures / finished > rate:
        raise FailureRateExceeded(f"{failures} of {finished} runs failed (more than {rate:.0%}); "
                                  f"the last: {failure_summary(last_failed) if last_failed else '?'}; "
                                  "fix the target and rerun to resume")


# --- the summary --------------------------------------------------------------------------------------
def _estimate_dict(est: Estimate) -> dict[str, Any]:
    value = est.value if math.isfinite(est.value) else None
    return {"value": value, "exact": bool(est.exact)}


def summarise(scenario, results: Sequence[RunResult]) -> dict[str, Any]:
    """Counts, PAR-k, censoring-aware mean/median runtime, CPU time (JSON types)."""
    cutoff = scenario.cutoff
    n = len(results)
    runtime_est = [Estimate(r.runtime, not r.censored, 1, int(r.censored)) for r in results]
    out: dict[str, Any] = {
        "n": n,
        "solved": sum(r.status is Status.SUCCESS for r in results),
        "timeouts": sum(r.status in (Status.TIMEOUT, Status.CAPPED) for r in results),
        "crashed": sum(r.status is Status.CRASHED for r in results),
        "memouts": sum(r.status is Status.MEMOUT for r in results),
        "aborted": sum(r.status is Status.ABORTED for r in results),
        "cpu_time": math.fsum(float(r.info.get("cpu_time", r.runtime)) for r in results),
        "wallclock": math.fsum(r.wallclock for r in results),
    }
    if cutoff is not None:
        par10 = mean_cost(par_cost(r, cutoff, 10.0) for r in results)
        par = mean_cost(par_cost(r, cutoff, scenario.par_factor) for r in results)
        out["par10"] = par10.value if n else None
        out["par10_exact"] = bool(par10.exact)
        out["par"] = {"k": scenario.par_factor, **_estimate_dict(par)}
    mean = mean_cost(runtime_est)
    median = quantile_runtime(list(results), 0.5)
    out["mean_runtime"] = _estimate_dict(mean)
    out["median_runtime"] = _estimate_dict(median)
    qualities = [r.quality for r in results if r.status is Status.SUCCESS and r.quality is not None]
    if qualities:
        out["mean_quality"] = statistics.fmean(qualities)
        out["n_quality"] = len(qualities)
    if getattr(scenario, "objective", "runtime") == "quality" and n:
        cost = mean_cost(result_cost(r, objective="quality", maximize=scenario.maximize,
                                     crash_cost=scenario.crash_cost) for r in results)
        out["quality_cost"] = cost.value if math.isfinite(cost.value) else None
    return out


def _fmt(est: Mapping[str, Any] | None) -> str:
    if not est or est.get("value") is None:
        return "-"
    return ("" if est["exact"] else ">= ") + f"{est['value']:.3f}"


def _print_table(summary: Mapping[str, Any], header: Mapping[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{header['scenario']} · {header['instances']} · config {header['config_key']}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("runs", f"{summary['n']} ({header['new_runs']} new, {header['reused_runs']} from the history)")
    table.add_row("solved", str(summary["solved"]))
    table.add_row("timeouts", str(summary["timeouts"]))
    failed = summary["crashed"] + summary["memouts"] + summary["aborted"]
    table.add_row("failed (crashed/memout/aborted)", f"{failed} ({summary['crashed']}/{summary['memouts']}/{summary['aborted']})")
    if summary.get("par10") is not None:
        table.add_row("PAR10", _fmt({"value": summary["par10"], "exact": summary["par10_exact"]}))
        if summary["par"]["k"] != 10:
            table.add_row(f"PAR{summary['par']['k']:g}", _fmt(summary["par"]))
    table.add_row("mean runtime (s)", _fmt(summary["mean_runtime"]))
    table.add_row("median runtime (s)", _fmt(summary["median_runtime"]))
    if "mean_quality" in summary:
        table.add_row("mean quality (solved runs)", f"{summary['mean_quality']:.6g}")
    if "quality_cost" in summary:
        shown = "inf" if summary["quality_cost"] is None else f"{summary['quality_cost']:.6g}"
        table.add_row("quality cost (failures at crash_cost)", shown)
    table.add_row("CPU time (s)", f"{summary['cpu_time']:.2f}")
    table.add_row("elapsed (s)", f"{header['elapsed']:.1f}")
    Console().print(table)


def run_command(args: argparse.Namespace) -> int:
    from algoconf.history import RunHistory
    from algoconf.scenario import load_scenario

    if args.seeds < 1:
        raise InputError(f"--seeds must be at least 1, got {args.seeds}")
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    scenario = load_scenario(args.scenario)
    instances = scenario.train if args.instances == "train" else scenario.test
    if instances is None:
        raise InputError(f"scenario {scenario.name} has no test instances", file=args.scenario)
    config = parse_config_arg(args.config, scenario.space)
    seeds = [scenario.seed + i for i in range(args.seeds)]
    out = Path(args.out) if args.out else scenario.root / ".algoconf" / "runs" / scenario.name
    started = time.perf_counter()
    with RunHistory.open(out, scenario) as history:
        results, new = evaluate(scenario, config, instances, seeds, history, workers=args.workers,
                                scheduler=args.scheduler, quiet=False)
    summary = summarise(scenario, results)
    from algoconf.records import config_key

    header = {
        "scenario": scenario.name,
        "instances": args.instances,
        "config": config,
        "config_key": config_key(config),
        "seeds": seeds,
        "out": str(out),
        "new_runs": new,
        "reused_runs": len(results) - new,
        "elapsed": time.perf_counter() - started,
    }
    if args.json:
        payload = {**header, **summary, "results": [
            {"instance": r.request.instance, "seed": r.request.seed, "status": r.status.value,
             "runtime": r.runtime, "wallclock": r.wallclock, "quality": r.quality,
             "cpu_time": r.info.get("cpu_time"), "reason": r.info.get("reason")}
            for r in results]}
        json.dump(payload, sys.stdout, allow_nan=False, default=str)
        sys.stdout.write("\n")
    else:
        _print_table(summary, header)
    failed = [r for r in results if r.status.failed]
    if failed:
        first = failed[0]
        tail = str(first.info.get("stderr_tail", "")).strip().splitlines()[-1:] or [""]
        print(f"algoconf run: {len(failed)} failed run(s); first: {first.request.instance}: "
              f"{first.status.value}: {first.info.get('reason', '')} {tail[0]}".rstrip(), file=sys.stderr)
    return 0
