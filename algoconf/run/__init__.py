"""The composition root: one configuration run wired from its parts.

``session.py`` (:func:`open_session`, :func:`build_executor`) turns a scenario into a tuning problem,
a tuner, an executor and a history, and starts ``engine.py`` (:class:`Engine`, the one ask/tell
loop), which ends with the incumbent guard's runs (``incumbent_guard.py``); ``validation.py``
compares default and incumbent on the test instances. Wiring them here keeps the layers apart:
``execution`` imports no tuner, ``tuners`` import no engine (tests/test_package/test_import_graph.py).
"""

from algoconf.run.engine import Engine, EngineLimits, EngineOutcome
from algoconf.run.incumbent_guard import GuardVerdict, IncumbentGuard
from algoconf.run.session import Session, build_executor, open_session
from algoconf.run.validation import ValidationReport, validate

__all__ = [
    "Engine",
    "EngineLimits",
    "EngineOutcome",
    "GuardVerdict",
    "IncumbentGuard",
    "Session",
    "ValidationReport",
    "build_executor",
    "open_session",
    "validate",
]
