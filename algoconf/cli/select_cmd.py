"""``algoconf select ...``: algorithm selection, offline (fit/run/evaluate) and online.

The group is split in two modules, each registering its own sub-commands on the ``select`` parser:
``select_offline`` (fit, run, evaluate) and ``select_online`` (online).
"""

from __future__ import annotations

import argparse

from algoconf.cli import select_offline, select_online


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("select", help="algorithm selection: fit, run, evaluate, online")
    sub = parser.add_subparsers(dest="select_command", metavar="SUBCOMMAND")
    sub.required = True
    select_offline.register(sub)
    select_online.register(sub)
