"""Scenarios: the frozen :class:`Scenario` model and its three file formats.

``model`` (``Scenario``, ``TargetSpec``, ``Budget``, the fingerprint) ← the loaders ``yaml_format``,
``aclib``, ``irace`` ← ``load`` (:func:`load_scenario` picks the loader by content).
"""

from algoconf.scenario.load import load_scenario
from algoconf.scenario.model import (
    PLACEHOLDERS,
    SYNTAXES,
    TARGET_KINDS,
    Budget,
    Scenario,
    TargetSpec,
    space_text,
)

__all__ = [
    "Budget",
    "PLACEHOLDERS",
    "SYNTAXES",
    "Scenario",
    "TARGET_KINDS",
    "TargetSpec",
    "load_scenario",
    "space_text",
]
