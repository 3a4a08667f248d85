"""``algoconf report RUNDIR [-o report.html] [--json]``: one self-contained HTML page per run.

RUNDIR is a configuration run directory (``algoconf configure``), a DAC policy-search run directory
(``algoconf dac search --run-dir``) or a DAC evaluation trace (``algoconf dac evaluate --trace``).
The page embeds every figure; the same figures are written as PNG files beside it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="write a self-contained HTML report of a run directory")
    p.add_argument("rundir", help="run directory (configure, dac search --run-dir) or a DAC trace .jsonl")
    p.add_argument("-o", "--output", default=None, help="HTML file to write (default: RUNDIR/report.html)")
    p.add_argument("--json", action="store_true", help="print one JSON object (paths and the numbers shown)")
    p.set_defaults(func=report_command)


def report_command(args: argparse.Namespace) -> int:
    from algoconf.analysis.report import build_report

    report = build_report(args.rundir, args.output)
    if args.json:
        print(json.dumps(report.to_dict(), default=str))
        return 0
    print(f"report: {report.html}")
    for path in report.figures:
        print(f"  figure: {path}")
    return 0
