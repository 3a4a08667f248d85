"""``algoconf ablate RUNDIR [--instances N] [--racing] [--workers W] [--budget S] [--json]``.

Ablation from the default to the incumbent of a finished configuration run
(:mod:`algoconf.analysis.ablation`): real runs of the run's target on N training instance-seed
pairs, through the same executor and runners as ``configure``. Prints the path (step, parameter
changed, value, PAR-k on the pairs, improvement, share of the total improvement) or one JSON object
with ``--json``; writes ``RUNDIR/ablation.json``, which ``algoconf report`` shows. Runs are kept in
``RUNDIR/analysis/history.sqlite``: rerunning the command (after Ctrl-C or a spent ``--budget``)
continues without repeating a run. Bad input (not a finished run directory, incumbent = default,
N <= 0) is one line and exit code 2, before any run.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from algoconf.cli.progress_view import add_progress_flags, progress_observer

__all__ = ["register"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("ablate", help="ablation path from the default to a run's incumbent (real runs)")
    p.add_argument("rundir", help="a finished configuration run directory (algoconf configure)")
    p.add_argument("--instances", type=int, default=10, metavar="N",
                   help="training instance-seed pairs every step is evaluated on (default 10)")
    p.add_argument("--racing", action="store_true",
                   help="race the candidates of a step: drop one a paired t-test finds worse (alpha 0.05) "
                        "after 5 pairs (irace's ablation type 'racing'); default: every candidate on every pair")
    p.add_argument("--workers", type=int, default=1, help="parallel target runs (default 1)")
    p.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                   help="wall-clock seconds for this call; when spent, the path so far is written and a rerun "
                        "continues it")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_progress_flags(p)
    p.set_defaults(func=ablate_command)


def ablate_command(args: argparse.Namespace) -> int:
    from algoconf.analysis.ablation import ABLATION_FILE, format_ablation_table, run_ablation

    view = progress_observer(args)
    try:
        result = run_ablation(args.rundir, args.instances, workers=args.workers, budget=args.budget,
                              racing=args.racing, progress=view)
    finally:
        if view is not None:
            view.close()
    if args.json:
        print(json.dumps({"run_dir": args.rundir, "file": f"{args.rundir.rstrip('/')}/{ABLATION_FILE}",
                          **result.to_dict()}))
        return 0
    if not result.complete:
        print("algoconf: the ablation budget ran out; rerun the same command to continue", file=sys.stderr)
    print(format_ablation_table(result))
    print(f"written: {args.rundir.rstrip('/')}/{ABLATION_FILE}")
    return 0
