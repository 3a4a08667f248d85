"""algoconf.tuners: ask/tell strategies, one engine loop drives them all.

``TUNERS`` maps a tuner name to ``"module:Class"``; :func:`get_tuner` imports it on demand, so an
optional backend (SMAC3, Optuna) is only needed when it is used.
"""

from __future__ import annotations

import importlib

from algoconf.errors import InputError
from algoconf.tuners.base import Tuner, TuningProblem

__all__ = ["TUNERS", "get_tuner", "Tuner", "TuningProblem"]

TUNERS: dict[str, str] = {
    "random": "algoconf.tuners.random:RandomTuner",
    "acband": "algoconf.tuners.acband:ACBand",
    "smac": "algoconf.tuners.smac:SMACTuner",
    "optuna": "algoconf.tuners.optuna:OptunaTuner",
}


def get_tuner(name: str) -> type[Tuner]:
    """The tuner class registered under ``name`` (InputError for an unknown name)."""
    try:
        module, cls = TUNERS[name].split(":")
    except KeyError:
        raise InputError(f"unknown tuner {name!r}; expected one of {', '.join(sorted(TUNERS))}") from None
    return getattr(importlib.import_module(module), cls)
