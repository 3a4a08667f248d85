"""Entry point of the ``algoconf`` command.

Each command group lives in its own module of this package and exposes
``register(subparsers) -> None``, adding its sub-commands with ``set_defaults(func=...)``; a command
function takes the parsed ``argparse.Namespace`` and returns the exit code.

Conventions every command follows:

* bad input -> one line on stderr (``algoconf: <file>:<line>: <message>``) and exit code 2;
* ``--json`` -> exactly one JSON object on stdout and nothing else there (progress goes to stderr);
* a SCENARIO argument accepts a YAML scenario and an AClib ``scenario.txt``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from algoconf import __version__
from algoconf.errors import AlgoconfError, InputError

# command-group modules, in the order --help lists them
COMMAND_MODULES: tuple[str, ...] = (
    "algoconf.cli.scenario_cmd",
    "algoconf.cli.space_cmd",
    "algoconf.cli.features_cmd",
    "algoconf.cli.dac_cmd",
    "algoconf.cli.configure_cmd",
    "algoconf.cli.portfolio_cmd",
    "algoconf.cli.run_cmd",
    "algoconf.cli.select_cmd",
    "algoconf.cli.report_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="algoconf",
        description="Configure, select and dynamically control solvers on real runs.",
    )
    parser.add_argument("--version", action="version", version=f"algoconf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as err:
        print(f"algoconf: {err}", file=sys.stderr)
        return 2
    except AlgoconfError as err:
        print(f"algoconf: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("algoconf: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
