"""algoconf: algorithm configuration, selection and dynamic configuration on real solvers.

The public API is listed in ``__all__``; subpackages (``algoconf.execution``, ``algoconf.tuners``,
``algoconf.selection``, ``algoconf.dac``, ``algoconf.analysis``, ...) are imported on demand.
"""

from algoconf.errors import AlgoconfError, InputError
from algoconf.records import Estimate, RunRequest, RunResult, Status, config_key

__version__ = "0.1.0"

__all__ = [
    "AlgoconfError",
    "InputError",
    "Estimate",
    "RunRequest",
    "RunResult",
    "Status",
    "config_key",
    "__version__",
]
