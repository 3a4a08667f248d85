"""Configuration sampling for tuners, on top of :mod:`algoconf.space`.

Every function returns configurations as plain dicts of *active* values with JSON types (the form
records.RunRequest carries). Randomness comes from an explicit integer seed per call, so a tuner
keeps only its own ``numpy.random.Generator`` as state and replays exactly after a resume.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

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
    "config_vectors",
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
    return config_vectors(space, [config])[0]


def config_vectors(space: ConfigurationSpace, configs: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """(len(configs), n_parameters): ConfigSpace's vector encoding of each configuration (the
    same numbers as ``Configuration.get_array()``, up to the ~1e-13 rounding a Configuration applies
    to float values), inactive parameters -1.

    The configurations must be valid active-value dicts (as the samplers return them); they are not
    re-validated. One ``to_vector`` call per parameter for the whole batch, so a pool of hundreds
    of candidates costs about a millisecond instead of a Configuration object each.
    """
    names = list(space.keys())
    out = np.full((len(configs), len(names)), -1.0)
    for j, name in enumerate(names):
        rows = [i for i, c in enumerate(configs) if name in c]
        if not rows:
            continue
        hp = space[name]
        values = [configs[i][name] for i in rows]
        symbolic = hasattr(hp, "choices") or hasattr(hp, "sequence") or isinstance(values[0], str)
        array = np.array(values, dtype=object) if symbolic else np.asarray(values, dtype=float)
        out[rows, j] = np.asarray(hp.to_vector(array), dtype=float)
    return np.where(np.isfinite(out), out, -1.0)


def draw_seed(rng: np.random.Generator) -> int:
    """A fresh integer seed from a tuner's generator."""
    return int(rng.integers(0, 2**31 - 1))
