"""Drawing progress on stderr with rich: the CLI side of :mod:`algoconf.execution.progress`.

``--progress`` / ``--no-progress`` on the long commands; by default a bar is drawn only when stderr
is a terminal (so logs, pipes and CI stay clean). One bar per phase (tuning, guard, validation, a
Hydra iteration, ...): its total is what the emitter says binds (runs, wall-clock or CPU seconds),
with the emitter's ETA. The final update of a phase is always drawn.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from algoconf.execution.progress import ProgressUpdate

__all__ = ["add_progress_flags", "progress_observer", "RichProgress"]


def add_progress_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--progress", dest="progress", action="store_true", default=None,
                       help="draw progress bars on stderr even when it is not a terminal")
    group.add_argument("--no-progress", dest="progress", action="store_false",
                       help="no progress bars (default when stderr is not a terminal)")


def wants_progress(flag: bool | None, stream: TextIO | None = None) -> bool:
    """The flag when given, else True exactly when ``stream`` (stderr) is a terminal."""
    if flag is not None:
        return bool(flag)
    stream = sys.stderr if stream is None else stream
    return bool(getattr(stream, "isatty", lambda: False)())


def progress_observer(args: argparse.Namespace, stream: TextIO | None = None) -> "RichProgress | None":
    """A renderer for the command's progress updates, or None when progress is off."""
    if not wants_progress(getattr(args, "progress", None), stream):
        return None
    return RichProgress(stream if stream is not None else sys.stderr)


class RichProgress:
    """An observer drawing :class:`ProgressUpdate` s as rich bars; ``close()`` when done."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"),
            TextColumn("{task.fields[eta]}"), TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
            console=Console(file=stream, force_terminal=stream.isatty() if hasattr(stream, "isatty") else False),
            transient=False)
        self._tasks: dict[str, Any] = {}
        self._started = False
        self.last: dict[str, ProgressUpdate] = {}  # the latest update drawn per phase

    def __call__(self, update: ProgressUpdate) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        task = self._tasks.get(update.phase)
        fields = dict(amount=_amount(update), eta=_eta(update), info=update.info)
        if task is None:
            task = self._tasks[update.phase] = self._progress.add_task(update.phase, total=update.total, **fields)
        self._progress.update(task, total=update.total, completed=update.done, **fields)
        if update.final:
            self._progress.refresh()
        self.last[update.phase] = update

    def close(self) -> None:
        if self._started:
            self._progress.refresh()
            self._progress.stop()
            self._started = False


def _amount(u: ProgressUpdate) -> str:
    if u.unit == "runs":
        return f"{u.done:.0f}/{u.total:.0f} runs" if u.total is not None else f"{u.done:.0f} runs"
    return f"{u.done:.0f}/{u.total:.0f} {u.unit}" if u.total is not None else f"{u.done:.0f} {u.unit}"


def _eta(u: ProgressUpdate) -> str:
    if u.final:
        return "done"
    if u.eta is None:
        return "ETA ?"
    m, s = divmod(int(round(u.eta)), 60)
    return f"ETA {m}:{s:02d}"
