"""``algoconf features INSTANCES... -o features.csv``: instance features, parallel and cached.

Without ``-o``, ``--json`` prints the features themselves in its one JSON object (``values``,
``status`` and ``costs``: instance -> feature or group -> value, ``null`` for a missing value).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from algoconf.errors import InputError


def _parse_caps(text: str | None) -> dict[str, float]:
    caps: dict[str, float] = {}
    for item in filter(None, (text or "").split(",")):
        name, sep, value = item.partition("=")
        try:
            caps[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"--caps expects group=seconds[,group=seconds...], got {item!r}") from None
        if not sep or caps[name.strip()] <= 0:
            raise InputError(f"--caps expects group=seconds with seconds > 0, got {item!r}")
    return caps


def _records(frame) -> dict[str, dict[str, object]]:
    """instance -> column -> value of a DataFrame, NaN as None (JSON null)."""
    out: dict[str, dict[str, object]] = {}
    for instance, row in frame.iterrows():
        out[str(instance)] = {str(k): (None if v != v else (v.item() if hasattr(v, "item") else v))
                              for k, v in row.items()}
    return out


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    if args.output is None and not args.json:
        raise InputError("features needs -o FILE.csv, or --json to print the features on stdout")

    from algoconf.features.compute import compute_features, get_extractor

    paths = list(args.instances)
    if args.instance_list:
        from algoconf.instances import read_instance_list

        paths += [str(i.path) for i in read_instance_list(args.instance_list)]
    groups = [g for g in args.groups.split(",") if g] if args.groups else None
    if groups and args.extractor:
        known = get_extractor(args.extractor).groups
        bad = [g for g in groups if g not in known]
        if bad:
            raise InputError(f"unknown feature group(s) {bad} for extractor {args.extractor!r}; known: {list(known)}")
    console = Console(stderr=True)
    done = [0]

    def progress(path, group, result):
        done[0] += 1
        if not args.json:
            console.print(f"[dim]{done[0]:>5}[/] {group:<9} {result.status.value:<9} {result.cost:7.3f}s  {path}")

    try:
        comp = compute_features(
            paths,
            extractor=args.extractor,
            groups=groups,
            caps=_parse_caps(args.caps),
            workers=args.workers,
            cache_dir=args.cache,
            seed=args.seed,
            progress=progress,
        )
    except KeyError as err:
        raise InputError(str(err.args[0])) from None
    out, cost_path = comp.to_csv(args.output) if args.output is not None else (None, None)
    summary: dict[str, object] = {
        "instances": len(comp.values),
        "features": int(comp.values.shape[1]),
        "groups": list(comp.status.columns),
        "status_counts": {g: comp.status[g].value_counts().to_dict() for g in comp.status.columns},
        "mean_cost": {g: float(comp.costs[g].mean()) for g in comp.costs.columns},
        "cached": comp.cached,
        "computed": comp.computed,
        "output": str(out) if out is not None else None,
        "costs_output": str(cost_path) if cost_path is not None else None,
    }
    if out is None:
        summary.update(values=_records(comp.values), status=_records(comp.status), costs=_records(comp.costs))
    if args.json:
        json.dump(summary, sys.stdout)
        sys.stdout.write("\n")
    else:
        console.print(
            f"{summary['instances']} instances, {summary['features']} features -> {out} (costs: {cost_path}); "
            f"{comp.cached} cached, {comp.computed} computed"
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("features", help="compute instance features (parallel, capped, cached)")
    p.add_argument("instances", nargs="*", help="instance files (.cnf[.gz|.bz2|.xz], .jsp)")
    p.add_argument("--instance-list", help="an AClib instance list file, in addition to INSTANCES")
    p.add_argument("--extractor", choices=("cnf", "jobshop"), help="default: chosen by file suffix")
    p.add_argument("--groups", help="comma-separated feature groups (default: all); requirements are added")
    p.add_argument("--caps", help="time caps per group, e.g. unit=2,ls=3 (seconds of CPU)")
    p.add_argument("--workers", type=int, default=None, help="parallel runs (default: number of cores)")
    p.add_argument("--cache", type=Path, default=None, help="cache folder (default: ~/.cache/algoconf/features)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", type=Path, default=None, help="feature CSV to write")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object on stdout: a summary, and the features themselves without -o")
    p.set_defaults(func=_run)
