"""The CLI shows the library's log records: WARNING and above on stderr, one bare message a line.

The library only logs (loggers under ``algoconf``); ``algoconf.cli.main.main`` decides what the user
sees. A stand-in command group logs through a library logger, so the test does not depend on which
library path happens to warn today.
"""

from __future__ import annotations

import logging
import sys
import types

import pytest

from algoconf.cli import main as cli_main


@pytest.fixture
def logging_command(monkeypatch):
    """A command group ``emit`` whose command logs one INFO and one WARNING record, then fails or not."""
    module = types.ModuleType("algoconf_test_logging_cmd")

    def emit(args) -> int:
        log = logging.getLogger("algoconf.some.library.module")
        log.info("an info record the user does not see")
        log.warning("results.json not written: disk full")
        return 3

    def register(subparsers) -> None:
        subparsers.add_parser("emit").set_defaults(func=emit)

    module.register = register
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(cli_main, "COMMAND_MODULES", (*cli_main.COMMAND_MODULES, module.__name__))


def test_library_warnings_reach_stderr_as_bare_lines(logging_command, capsys):
    assert cli_main.main(["emit"]) == 3
    err = capsys.readouterr().err
    assert err.splitlines() == ["results.json not written: disk full"]


def test_a_quieter_root_logger_does_not_hide_them_nor_see_them(logging_command, capsys, monkeypatch):
    # what SMAC's logging setup does in the same process: root at ERROR, a handler on stdout
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", logging.ERROR)
    on_stdout = logging.StreamHandler(sys.stdout)
    root.addHandler(on_stdout)
    try:
        cli_main.main(["emit"])
    finally:
        root.removeHandler(on_stdout)
    out, err = capsys.readouterr()
    assert err.splitlines() == ["results.json not written: disk full"] and out == ""


def test_the_handler_lives_only_while_a_command_runs(logging_command, capsys):
    library_log = logging.getLogger("algoconf")
    before = list(library_log.handlers), library_log.level, library_log.propagate
    cli_main.main(["emit"])
    assert (list(library_log.handlers), library_log.level, library_log.propagate) == before
    capsys.readouterr()
    logging.getLogger("algoconf.some.library.module").warning("after the command")
    assert "after the command" not in capsys.readouterr().err
