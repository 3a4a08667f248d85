"""Optional dependencies: which extra of ``pip install "algoconf[EXTRA]"`` brings which module.

``pip install algoconf`` installs the core (numpy, scipy, pandas, scikit-learn, ConfigSpace, PyYAML,
rich): spaces, scenarios, command and Python targets, the random and AC-Band tuners, the history,
validation, features without probes, offline selection. Solver backends, plotting and the other
tuners come with extras (``[all]`` has every one; the README's ``install.sh`` installs that).
:func:`require` imports an optional module or raises :class:`~algoconf.errors.MissingExtraError`
with the one-line ``pip install "algoconf[EXTRA]"`` to run.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from algoconf.errors import MissingExtraError

__all__ = ["EXTRA_OF", "install_hint", "require"]

#: top-level module -> the extra that installs it (setup.cfg's [options.extras_require])
EXTRA_OF: dict[str, str] = {
    "ortools": "cpsat",
    "pysat": "pysat",
    "matplotlib": "plots",
    "smac": "smac",
    "optuna": "optuna",
    "cmaes": "optuna",
    "dask": "dask",
    "distributed": "dask",
    "gymnasium": "dac",
    "cma": "dac",
    "sksurv": "selection",
}


def install_hint(module: str) -> str:
    """``pip install "algoconf[EXTRA]"`` for the extra that brings ``module`` (a dotted name)."""
    return f'pip install "algoconf[{EXTRA_OF[module.split(".")[0]]}]"'


def require(module: str, purpose: str) -> ModuleType:
    """``importlib.import_module(module)``, or MissingExtraError naming the extra when it is absent.

    ``purpose`` completes "PURPOSE needs MODULE", e.g. ``"the HTML report"``. An ImportError raised
    from inside an installed module (a broken installation, not an absent one) propagates unchanged.
    """
    top = module.split(".")[0]
    if top not in EXTRA_OF:
        raise KeyError(f"{top!r} is not an optional dependency of algoconf")
    try:
        return importlib.import_module(module)
    except ImportError as err:
        if err.name is None or err.name.split(".")[0] != top:
            raise
        raise MissingExtraError(f"{purpose} needs {top}, which is not installed: {install_hint(top)}") from None
