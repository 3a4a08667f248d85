"""Run the bad-input corpus (tests/data/bad_inputs): every case must end in one line, exit code 2.

:func:`run_case` runs one entry of ``cases.json`` in this process — through
:func:`algoconf.cli.main.main` for a command, through the library reader for a ``reader`` case — and
returns a :class:`CaseOutcome`: the exit code, the stderr lines, and ``problem`` (None when the case
behaved: exit code 2, exactly one line starting ``algoconf: ``, naming the case's file and, where the
case has one, ``:<line>:``). A traceback or any other exception is caught and reported as the problem.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

__all__ = ["CaseOutcome", "load_cases", "run_case"]


@dataclass(frozen=True)
class CaseOutcome:
    """What one bad input did."""

    id: str
    exit_code: int | None
    lines: tuple[str, ...]
    problem: str | None  # None: a one-line exit-2 error naming the file (and line)

    @property
    def ok(self) -> bool:
        return self.problem is None


def load_cases(corpus: str | Path) -> list[dict[str, Any]]:
    """The entries of ``<corpus>/cases.json``."""
    return json.loads((Path(corpus) / "cases.json").read_text())


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _read_cnf(path: Path) -> tuple[int, str]:
    from algoconf.instances.dimacs import read_cnf
    from algoconf.errors import InputError

    try:
        read_cnf(path)
    except InputError as err:
        return 2, f"algoconf: {err}"
    return 0, ""


def run_case(corpus: str | Path, entry: Mapping[str, Any]) -> CaseOutcome:
    """Run one corpus entry (see the module docstring)."""
    from algoconf.cli.main import main

    err = io.StringIO()
    code: int | None
    with tempfile.TemporaryDirectory(prefix="algoconf-bad-input-") as tmp, _environment(entry.get("env")):
        folder = Path(tmp) / "case"  # a copy: a command that wrongly accepted the input must not change the corpus
        shutil.copytree(Path(corpus) / "cases" / entry["id"], folder, symlinks=True)
        try:
            if entry.get("reader") == "read_cnf":
                code, text = _read_cnf(folder / entry["file"])
                err.write(text + "\n" if text else "")
            else:
                argv = [a.replace("{case}", str(folder)).replace("{tmp}", str(Path(tmp) / "scratch")) for a in entry["argv"]]
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    try:
                        code = int(main(argv) or 0)
                    except SystemExit as exc:  # argparse
                        code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001 - a traceback is exactly what the corpus looks for
            if isinstance(exc, KeyboardInterrupt):
                raise
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            return CaseOutcome(entry["id"], None, (tb,), f"raised {tb[:300]}")
    lines = tuple(ln for ln in err.getvalue().splitlines() if ln.strip())
    problem = None
    if code != 2:
        problem = f"exit code {code}, expected 2"
    elif len(lines) != 1:
        problem = f"{len(lines)} lines on stderr, expected 1"
    elif not lines[0].startswith("algoconf"):
        problem = "the line does not start with 'algoconf'"
    elif entry.get("file") and entry["file"] not in lines[0] and Path(entry["file"]).name not in lines[0]:
        problem = f"the line does not name {entry['file']}"
    elif entry.get("line") is not None and f":{entry['line']}:" not in lines[0]:
        problem = f"the line does not name line {entry['line']}"
    return CaseOutcome(entry["id"], code, lines, problem)
