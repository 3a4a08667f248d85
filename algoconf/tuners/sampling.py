"""Configuration sampling for tuners: defaults, seeded random draws, neighbours, validity.

Every function returns configurations as plain dicts of *active* values with JSON types (the form
records.RunRequest carries). Randomness comes from an explicit integer seed per call, so a tuner
keeps only its own ``numpy.random.Generator`` as state and replays exactly after a resume.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace
from ConfigSpace.util import get_one_exchange_neighbourhood

from algoconf.records import config_key, normalise_config

__all__ = [
    "active_values",
    "default_config",
    "sample_configs",
    "neighbours",
    "to_configuration",
    "is_valid",
    "config_vector",
    "draw_seed",
]


def active_values(config: Configuration | Mapping[str, Any]) -> dict[str, Any]:
    """Active values of a configuration as a plain, JSON-typed dict."""
    return normalise_config(dict(config))


def default_config(space: ConfigurationSpace) -> dict[str, Any]:
    """The space's default configuration (active values)."""
    return active_values(space.get_default_configuration())


def sample_configs(space: ConfigurationSpace, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` uniform random valid configurations (conditions and forbiddens hold), seeded."""
    if n <= 0:
        return []
    space.seed(int(seed) % (2**31 - 1))
    drawn = [space.sample_configuration()] if n == 1 else space.sample_configuration(size=n)
    return [active_values(c) for c in drawn]


def neighbours(space: ConfigurationSpace, config: Mapping[str, Any], n: int, seed: int) -> list[dict[str, Any]]:
    """Up to ``n`` valid one-exchange neighbours of ``config``, seeded."""
    out: list[dict[str, Any]] = []
    for neighbour in get_one_exchange_neighbourhood(to_configuration(space, config), seed=int(seed) % (2**31 - 1)):
        out.append(active_values(neighbour))
        if len(out) >= n:
            break
    return out


def to_configuration(space: ConfigurationSpace, config: Mapping[str, Any]) -> Configuration:
    """A ConfigSpace Configuration from active values (raises when the values are not valid)."""
    values = {}
    for name, value in config.items():
        hp = space[name]
        choices = getattr(hp, "choices", None) or getattr(hp, "sequence", None)
        if choices is not None and value not in choices:
            # JSON round trips turn e.g. numpy bools into Python bools; match by string form
            matches = [c for c in choices if str(c) == str(value)]
            if matches:
                value = matches[0]
        values[name] = value
    return Configuration(space, values=values)


def is_valid(space: ConfigurationSpace, config: Mapping[str, Any]) -> bool:
    """True when ``config`` holds exactly the active parameters, in range, and no forbidden holds."""
    try:
        c = to_configuration(space, config)
        space.check_configuration(c)
    except Exception:  # noqa: BLE001 - ConfigSpace raises several types for invalid values
        return False
    return config_key(active_values(c)) == config_key(config)


def config_vector(space: ConfigurationSpace, config: Mapping[str, Any]) -> np.ndarray:
    """Numeric vector of a configuration in [0, 1] per parameter; inactive parameters are -1."""
    vec = np.asarray(to_configuration(space, config).get_array(), dtype=float)
    return np.where(np.isfinite(vec), vec, -1.0)


def draw_seed(rng: np.random.Generator) -> int:
    """A fresh integer seed from a tuner's generator."""
    return int(rng.integers(0, 2**31 - 1))
