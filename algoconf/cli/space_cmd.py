"""``algoconf space``: convert, show and sample parameter files (pcs, pcs_new, irace, json)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from algoconf.errors import InputError
from algoconf.space import FORMATS, describe_space, read_space, sample_configs, space_to_text
from algoconf.space.files import detect_format, format_for_path

__all__ = ["register"]


def register(subparsers: Any) -> None:
    space = subparsers.add_parser("space", help="convert, show and sample configuration spaces")
    sub = space.add_subparsers(dest="space_command", metavar="SUBCOMMAND")
    sub.required = True

    convert = sub.add_parser("convert", help="convert a parameter file between pcs, pcs_new, irace and json")
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT", help="output file, or - for stdout")
    convert.add_argument("--from", dest="from_format", choices=FORMATS, help="input format (default: detected)")
    convert.add_argument(
        "--to", dest="to_format", choices=FORMATS, help="output format (default: from OUT's suffix: .json, .txt = irace, else pcs_new)"
    )
    convert.set_defaults(func=_convert)

    show = sub.add_parser("show", help="summarise a parameter file: parameters, conditions, forbiddens, default")
    show.add_argument("file", metavar="FILE")
    show.add_argument("--from", dest="from_format", choices=FORMATS, help="input format (default: detected)")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=_show)

    sample = sub.add_parser("sample", help="draw valid configurations (active values only)")
    sample.add_argument("file", metavar="FILE")
    sample.add_argument("-n", type=int, default=10, help="number of configurations (default 10)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sample.add_argument("--from", dest="from_format", choices=FORMATS, help="input format (default: detected)")
    sample.add_argument("--json", action="store_true", help="print one JSON object")
    sample.set_defaults(func=_sample)


def _convert(args: argparse.Namespace) -> int:
    space = read_space(args.input, args.from_format)
    if args.to_format is None and args.output == "-":
        raise InputError("--to is required when writing to stdout")
    fmt = args.to_format or format_for_path(args.output)
    text = space_to_text(space, fmt)
    if args.output == "-":
        print(text, end="")
    else:
        with open(args.output, "w") as handle:
            handle.write(text)
    return 0


def _show(args: argparse.Namespace) -> int:
    space = read_space(args.file, args.from_format)
    summary = describe_space(space)
    if args.json:
        path = Path(args.file)
        fmt = args.from_format or detect_format(path.read_text(), path.suffix)
        print(json.dumps({"file": args.file, "format": fmt, **summary}))
        return 0
    params = summary["parameters"]
    print(f"{args.file}: {len(params)} parameters, {len(summary['conditions'])} conditional, "
          f"{len(summary['forbiddens'])} forbidden combinations")
    width = max((len(p["name"]) for p in params), default=4)
    for p in params:
        if "choices" in p:
            domain = "{" + ", ".join(map(str, p["choices"])) + "}"
        else:
            domain = f"[{p['lower']}, {p['upper']}]" + (" log" if p["log"] else "")
        line = f"  {p['name']:<{width}}  {p['type']:<11}  {domain}  default {p['default']}"
        if p["name"] in summary["conditions"]:
            line += f"  | {summary['conditions'][p['name']]}"
        print(line)
    for clause in summary["forbiddens"]:
        print(f"  forbidden: {{{clause}}}")
    print("default: " + " ".join(f"{k}={v}" for k, v in summary["default"].items()))
    return 0


def _sample(args: argparse.Namespace) -> int:
    if args.n < 0:
        raise InputError(f"-n must not be negative, got {args.n}")
    space = read_space(args.file, args.from_format)
    configs = sample_configs(space, args.n, args.seed)
    if args.json:
        print(json.dumps({"file": args.file, "seed": args.seed, "configurations": configs}))
    else:
        for config in configs:
            print(" ".join(f"{k}={v}" for k, v in config.items()))
    return 0
