"""algoconf's Python API: a few verbs over the same machinery as the command line.

``configure`` tunes a Python function or a command (algoconf/api/configure.py); ``select`` and
``evaluate_selector`` fit and cross-validate algorithm selectors on an ASlib folder
(algoconf/api/selection.py). All three are exported by the top-level ``algoconf`` package.
"""

from algoconf.api.configure import ConfigureResult, configure
from algoconf.api.selection import evaluate_selector, select

__all__ = ["ConfigureResult", "configure", "evaluate_selector", "select"]
