"""Entry point of the ``algoconf`` command.

Each command group lives in its own module of this package and exposes
``register(subparsers) -> None``, adding its sub-commands with ``set_defaults(func=...)``; a command
function takes the parsed ``argparse.Namespace`` and returns the exit code.

Conventions every command follows:

* bad input -> one line on stderr (``algoconf: <file>:<line>: <message>``) and exit code 2;
* ``--json`` -> exactly one JSON object on stdout and nothing else there (progress goes to stderr);
* a closed stdout (``algoconf ... | head``) ends the command quietly with exit code 141;
* a SCENARIO argument accepts a YAML scenario and an AClib ``scenario.txt``;
* SIGTERM and SIGHUP (how batch schedulers, systemd and a closed terminal stop a job) are handled
  like Ctrl-C: the running target runs are stopped and killed with their descendants, the history
  keeps every finished run, and the exit code is 128 + the signal (143, 129; 130 for SIGINT).
  Further SIGTERM/SIGHUP during that shutdown are ignored; SIGKILL still works.
* the library logs (``logging``, loggers under ``algoconf``) and warns (``warnings``); the command
  shows its log records of level WARNING and above on stderr, one message a line.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any, Callable, Sequence

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
    "algoconf.cli.ablate_cmd",
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


STOP_SIGNALS: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)
#: what ``signal.signal`` takes and returns
SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class _Stopped:
    """Which stop signal arrived (SIGINT when none did: Python raised KeyboardInterrupt itself)."""

    signum: int = signal.SIGINT


def _install_stop_handlers(stopped: _Stopped) -> dict[int, SignalHandler]:
    """SIGTERM/SIGHUP raise KeyboardInterrupt in the main thread, so the shutdown is Ctrl-C's."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, frame: object) -> None:
        stopped.signum = signum
        for sig in STOP_SIGNALS:  # the shutdown itself must not be interrupted again
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous: dict[int, SignalHandler] = {}
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is signal.SIG_IGN:  # nohup: keep ignoring it
            continue
        previous[sig] = signal.signal(sig, handler)
    return previous


class _StderrLog(logging.Handler):
    """Shows the library's log records on stderr as their bare message (what Python's last-resort
    handler showed before the CLI chose); ``sys.stderr`` is looked up per record, as it may be
    replaced (tests capture it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    stopped = _Stopped()
    previous = _install_stop_handlers(stopped)
    # the library's records go to this handler only, whatever other libraries did to the root logger
    # (SMAC's setup sets its level and adds a handler on stdout, which --json keeps for its JSON)
    library_log = logging.getLogger("algoconf")
    saved = library_log.level, library_log.propagate
    shown = _StderrLog(logging.WARNING)
    library_log.addHandler(shown)
    library_log.setLevel(logging.WARNING)
    library_log.propagate = False
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a reader that went away (``| head``) is noticed here, not at exit
        return code
    except BrokenPipeError:
        # the reader of stdout closed it: stop quietly, like other Unix tools. Python would flush
        # stdout again at exit and print a second traceback, so stdout now points at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by the broken pipe
    except InputError as err:
        print(f"algoconf: {err}", file=sys.stderr)
        return 2
    except AlgoconfError as err:
        print(f"algoconf: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        name = signal.Signals(stopped.signum).name
        print(f"algoconf: stopped by {name}; rerun the same command to resume", file=sys.stderr)
        return 128 + int(stopped.signum)
    finally:
        library_log.removeHandler(shown)
        library_log.setLevel(saved[0])
        library_log.propagate = saved[1]
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
