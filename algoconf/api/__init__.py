"""algoconf's Python API: a few verbs over the same machinery as the command line.

``configure`` tunes a Python function or a command (algoconf/api/configure.py); ``select`` and
``evaluate_selector`` fit and cross-validate algorithm selectors on an ASlib folder
(algoconf/api/selection.py); ``ablate`` walks the ablation path of a finished run
(algoconf/api/ablation.py). All are exported by the top-level ``algoconf`` package.
"""

from algoconf.api.ablation import ablate
from algoconf.api.configure import ConfigureResult, configure
from algoconf.api.selection import evaluate_selector, select

__all__ = ["ConfigureResult", "ablate", "configure", "evaluate_selector", "select"]
