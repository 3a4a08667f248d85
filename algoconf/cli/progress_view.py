"""When the CLI draws progress on stderr (the bars: :mod:`algoconf.execution.progress_bar`).

``--progress`` / ``--no-progress`` on the long commands; by default a bar is drawn only when stderr
is a terminal (so logs, pipes and CI stay clean). One bar per phase (tuning, guard, validation, a
Hydra iteration, ...): its total is what the emitter says binds (runs, wall-clock or CPU seconds),
with the emitter's ETA. The final update of a phase is always drawn.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from algoconf.execution.progress_bar import RichProgress

__all__ = ["add_progress_flags", "progress_observer", "wants_progress"]


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
