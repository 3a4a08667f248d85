"""algoconf: algorithm configuration, selection and dynamic configuration on real solvers.

The public API is listed in ``__all__``: ``configure`` (tune a Python function or a command),
``select`` / ``evaluate_selector`` (algorithm selection on an ASlib folder), ``ablate`` (the
ablation path of a finished run), ``ConfigureResult``,
and the record and error types. ``configure`` and friends load on first use, so ``import algoconf``
stays light; subpackages (``algoconf.execution``, ``algoconf.tuners``, ``algoconf.selection``,
``algoconf.dac``, ``algoconf.analysis``, ...) are imported on demand. docs/api.md has the guide.
"""

from algoconf.errors import AlgoconfError, InputError
from algoconf.records import Estimate, RunRequest, RunResult, Status, config_key

__version__ = "0.1.0"

_API = ("configure", "select", "evaluate_selector", "ablate", "ConfigureResult")

__all__ = [
    "configure",
    "select",
    "evaluate_selector",
    "ablate",
    "ConfigureResult",
    "AlgoconfError",
    "InputError",
    "Estimate",
    "RunRequest",
    "RunResult",
    "Status",
    "config_key",
    "__version__",
]


def __getattr__(name: str):
    if name in _API:
        import algoconf.api

        return getattr(algoconf.api, name)
    raise AttributeError(f"module 'algoconf' has no attribute {name!r}")
