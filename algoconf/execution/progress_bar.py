"""Progress drawn as rich bars on a stream: one bar per phase (tuning, guard, validation, a Hydra
iteration, ...), its total what the emitter says binds (runs, wall-clock or CPU seconds), with the
emitter's ETA; the final update of a phase is always drawn. The CLI chooses when
(:mod:`algoconf.cli.progress_view`); the Python API draws it on stderr for ``progress=True``.
"""

from __future__ import annotations

from typing import Any, TextIO

from algoconf.execution.progress import ProgressUpdate

__all__ = ["RichProgress"]


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
        fields: dict[str, Any] = dict(amount=_amount(update), eta=_eta(update), info=update.info)
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
