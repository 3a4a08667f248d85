"""Named configurations a user gives as JSON (hand-picked settings, known good configurations, tuner
incumbents), completed from the space's default: a value given overrides the default's.

``{"name": {...} | null, ...}`` keeps its names (``null`` or ``{}`` is the default itself); a list
``[{...}, ...]`` is named ``<label>[0]``, ``<label>[1]``, ... The result is active configurations of
the space (inactive values dropped, conditions applied)."""

from __future__ import annotations

from typing import Any

from ConfigSpace import ConfigurationSpace

from algoconf.errors import InputError
from algoconf.space import active_config, default_config

__all__ = ["named_configs"]


def named_configs(
    given: Any, space: ConfigurationSpace, *, label: str, file: str | None = None
) -> dict[str, dict[str, Any]]:
    """``given`` (parsed JSON: an object of name to configuration or null, or a list of
    configurations) as full active configurations of ``space``; InputError naming ``file`` otherwise."""
    if isinstance(given, dict):
        items = list(given.items())
    elif isinstance(given, list):
        items = [(f"{label}[{i}]", c) for i, c in enumerate(given)]
    else:
        raise InputError("expected a JSON object of name: configuration, or a list of configurations", file=file)
    default = default_config(space)
    out = {}
    for name, config in items:
        if config is not None and not isinstance(config, dict):
            raise InputError(f"configuration {name!r} is not an object of parameter values", file=file)
        out[str(name)] = active_config(space, {**default, **(config or {})})
    return out
