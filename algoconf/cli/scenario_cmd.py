"""``algoconf scenario check|convert`` and ``algoconf history show|export``.

``scenario check FILE`` loads a YAML scenario or an AClib ``scenario.txt``, validates every part
(space, instances, features, the target through ``algoconf.targets.build_target``) and prints a
summary; ``--json`` prints it as one JSON object. Bad input exits with code 2 and one line naming
the file and line. ``history show RUNDIR`` summarises a run's history; ``history export RUNDIR -o
out.csv`` writes every result (one column per parameter) as CSV.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

from algoconf.errors import InputError

__all__ = ["register", "check_summary"]


def register(subparsers: Any) -> None:
    scenario = subparsers.add_parser("scenario", help="validate and summarise scenarios")
    sub = scenario.add_subparsers(dest="scenario_command", metavar="SUBCOMMAND")
    sub.required = True
    check = sub.add_parser("check", help="validate a scenario (YAML or AClib scenario.txt) and summarise it")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=_check)
    convert = sub.add_parser("convert", help="write a scenario (e.g. an AClib scenario.txt) as YAML")
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT", help="YAML file to write (paths are rewritten relative to it)")
    convert.set_defaults(func=_convert)

    history = subparsers.add_parser("history", help="inspect and export the run history of a run directory")
    hsub = history.add_subparsers(dest="history_command", metavar="SUBCOMMAND")
    hsub.required = True
    show = hsub.add_parser("show", help="summarise a run directory's history")
    show.add_argument("run_dir", metavar="RUNDIR")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=_history_show)
    export = hsub.add_parser("export", help="write every result as CSV (one column per parameter)")
    export.add_argument("run_dir", metavar="RUNDIR")
    export.add_argument("-o", "--output", required=True, help="CSV file to write, or - for stdout")
    export.set_defaults(func=_history_export)


# --- scenario check ---------------------------------------------------------------------------------
def check_summary(path: str | Path) -> dict[str, Any]:
    """Load and validate a scenario; the summary ``scenario check`` prints (JSON types only)."""
    from algoconf.scenario import load_scenario
    from algoconf.space import describe_space
    from algoconf.targets import build_target

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario = load_scenario(path)
    target = build_target(scenario.target, scenario.root)
    space = describe_space(scenario.space)
    fingerprint = json.dumps(scenario.fingerprint(), sort_keys=True)
    return {
        "file": str(path),
        "name": scenario.name,
        "valid": True,
        "target": {**scenario.target.to_dict(scenario.root), "built": repr(target)},
        "space": {
            "file": str(scenario.space_file) if scenario.space_file else None,
            "parameters": len(space["parameters"]),
            "conditional": len(space["conditions"]),
            "forbiddens": len(space["forbiddens"]),
            "default": space["default"],
        },
        "train": _instances_summary(scenario.train),
        "test": _instances_summary(scenario.test) if scenario.test is not None else None,
        "features": None
        if scenario.features is None
        else {
            "file": scenario.features.source,
            "count": len(scenario.features.names),
            "costs": scenario.features.costs is not None,
            "missing_values": scenario.features.has_missing,
        },
        "objective": scenario.objective,
        "maximize": scenario.maximize,
        "cutoff": scenario.cutoff,
        "time_kind": scenario.time_kind,
        "par_factor": scenario.par_factor,
        "budget": scenario.budget.to_dict(),
        "memory_limit": scenario.memory_limit,
        "deterministic": scenario.deterministic,
        "seed": scenario.seed,
        "crash_policy": scenario.crash_policy,
        "max_failure_rate": scenario.max_failure_rate,
        "crash_cost": None if math.isinf(scenario.crash_cost) else scenario.crash_cost,
        "fingerprint": hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
        "warnings": [str(w.message) for w in caught],
    }


def _instances_summary(instances) -> dict[str, Any]:
    source = dict(instances.source or {})
    return {
        "count": len(instances),
        "source": source if "names" not in source else {"names": len(source["names"])},
        "first": list(instances.names[:3]),
        "with_specifics": sum(1 for i in instances if i.specifics),
    }


def _check(args: argparse.Namespace) -> int:
    summary = check_summary(args.file)
    if args.json:
        print(json.dumps(summary))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"scenario {summary['name']} ({summary['file']}): valid", show_header=False)
    table.add_column("part", style="bold")
    table.add_column("value")
    t = summary["target"]
    ref = t.get("command") or t.get("callable") or t.get("runner")
    table.add_row("target", f"{t['kind']}: {ref}\nsyntax {t['syntax']}, output {t['output']}")
    s = summary["space"]
    table.add_row(
        "space", f"{s['parameters']} parameters ({s['conditional']} conditional, {s['forbiddens']} forbidden)"
        + (f"\n{s['file']}" if s["file"] else "")
    )
    for key in ("train", "test"):
        part = summary[key]
        if part is not None:
            noun = "instance" if part["count"] == 1 else "instances"
            table.add_row(key, f"{part['count']} {noun}: {', '.join(part['first'])}"
                          + (", ..." if part["count"] > len(part["first"]) else ""))
    if summary["features"]:
        f = summary["features"]
        table.add_row("features", f"{f['count']} features" + (" with costs" if f["costs"] else ""))
    goal = "maximise" if summary["maximize"] else "minimise"
    objective = f"{goal} {summary['objective']}"
    if summary["cutoff"] is not None:
        objective += f", cutoff {summary['cutoff']:g} s ({summary['time_kind']})"
    if summary["objective"] == "runtime":
        objective += f", PAR{summary['par_factor']:g}"
    table.add_row("objective", objective)
    b = summary["budget"]
    budget = ", ".join(f"{k} {v:g}" for k, v in b.items() if v is not None) or "unlimited"
    table.add_row("budget", budget)
    limits = f"memory {summary['memory_limit']} MB" if summary["memory_limit"] else "no memory limit"
    table.add_row("runs", f"{limits}; {'deterministic' if summary['deterministic'] else 'seeded'} (seed "
                  f"{summary['seed']}); on crash: {summary['crash_policy']}")
    table.add_row("fingerprint", summary["fingerprint"])
    for w in summary["warnings"]:
        table.add_row("warning", w)
    Console(file=sys.stdout, width=110).print(table)
    return 0


def _convert(args: argparse.Namespace) -> int:
    from algoconf.scenario import load_scenario

    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"the output must be a .yaml file, got {args.output!r}")
    load_scenario(args.input).save_yaml(out)
    print(f"wrote {out}", file=sys.stderr)
    return 0


# --- history ------------------------------------------------------------------------------------------
def _open_existing(run_dir: str):
    from algoconf.history import HISTORY_FILE, RunHistory

    path = Path(run_dir) / HISTORY_FILE
    if not path.is_file():
        raise InputError(f"no run history here (expected {HISTORY_FILE})", file=run_dir)
    return RunHistory.open(run_dir)


def _history_show(args: argparse.Namespace) -> int:
    with _open_existing(args.run_dir) as history:
        results = history.results()
        statuses = Counter(r.status.value for r in results)
        summary = {
            "run_dir": args.run_dir,
            "results": len(results),
            "configurations": len(history.configs()),
            "instances": len({r.request.instance for r in results}),
            "statuses": dict(sorted(statuses.items())),
            "runtime_total": sum(r.runtime for r in results),
            "fingerprint_stored": history.fingerprint is not None,
        }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{args.run_dir}: {summary['results']} results of {summary['configurations']} configurations on "
            f"{summary['instances']} instances; "
            + ", ".join(f"{k} {v}" for k, v in summary["statuses"].items())
            + f"; {summary['runtime_total']:.1f} s of target time"
        )
    return 0


def _history_export(args: argparse.Namespace) -> int:
    with _open_existing(args.run_dir) as history:
        if args.output == "-":
            try:
                history.frame(config_columns=True).to_csv(sys.stdout, index=False)
                sys.stdout.flush()
            except BrokenPipeError:  # e.g. piped into `head`: the reader has all it wanted
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        n = history.to_csv(args.output)
    print(f"wrote {n} results to {args.output}", file=sys.stderr)
    return 0
