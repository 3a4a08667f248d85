"""Where the reference data sets that are never copied into the repository live (the ASlib scenario
library, GPLv3): one lookup for the benchmarks and the tests that use it.

The location is the first one *given* of: an explicit folder (a script's option),
``$ALGOCONF_ASLIB_DIR``, and ``<checkout>/../shared/data/aslib`` beside the checkout that holds the
imported package. A given location that is not a folder is reported as absent (``None``); the next
one is not tried in its place, so a mistyped ``ALGOCONF_ASLIB_DIR`` never falls back silently.
"""

from __future__ import annotations

import os
from pathlib import Path

from algoconf.benchmarking.provenance import repository_root

__all__ = ["ASLIB_ENV", "aslib_root"]

ASLIB_ENV = "ALGOCONF_ASLIB_DIR"


def aslib_root(explicit: str | Path | None = None) -> Path | None:
    """The ASlib folder (one sub-folder per scenario), or None when the chosen location is no folder."""
    given = explicit or os.environ.get(ASLIB_ENV)
    root = Path(given) if given else repository_root().parent / "shared" / "data" / "aslib"
    return root if root.is_dir() else None
