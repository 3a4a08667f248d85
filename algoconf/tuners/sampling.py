"""Configuration sampling for tuners, on top of :mod:`algoconf.space`.

Every function returns configurations as plain dicts of *active* values with JSON types (the form
records.RunRequest carries). Randomness comes from an explicit integer seed per call, so a tuner
keeps only its own ``numpy.random.Generator`` as state and replays exactly after a resume.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace

from algoconf.errors import ConfigurationError
from algoconf.records import config_key
from algoconf.space import active_config, default_config, neighbours, sample_configs

__all__ = [
    "active_config",
    "default_config",
    "sample_configs",
    "neighbours",
    "to_configuration",
    "is_valid",
    "config_vector",
    "draw_seed",
]


def to_configuration(space: ConfigurationSpace, config: Mapping[str, Any]) -> Configuration:
    """A ConfigSpace Configuration from active values (raises ConfigurationError when invalid)."""
    return Configuration(space, values=active_config(space, config))


def is_valid(space: ConfigurationSpace, config: Mapping[str, Any]) -> bool:
    """True when ``config`` holds exactly the active parameters, in range, and no forbidden holds."""
    try:
        active = active_config(space, config)
    except ConfigurationError:
        return False
    return config_key(active) == config_key(config)


def config_vector(space: ConfigurationSpace, config: Mapping[str, Any]) -> np.ndarray:
    """Numeric vector of a configuration in [0, 1] per parameter; inactive parameters are -1."""
    vec = np.asarray(to_configuration(space, config).get_array(), dtype=float)
    return np.where(np.isfinite(vec), vec, -1.0)


def draw_seed(rng: np.random.Generator) -> int:
    """A fresh integer seed from a tuner's generator."""
    return int(rng.integers(0, 2**31 - 1))
