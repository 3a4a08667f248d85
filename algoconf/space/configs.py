"""Configurations as plain dicts of active values: validation, canonical key, default, sampling,
one-exchange neighbours.

Contract: every function returns (and :func:`active_config` accepts) a ``dict`` mapping the names of
the *active* parameters to JSON-typed values: ``int`` for integer parameters, ``float`` for real ones,
and for categorical/ordinal parameters the declared choice itself (``str`` for choices read from a
parameter file). Validity (conditions, forbidden clauses) is decided by :mod:`algoconf.space.evaluate`,
not by ConfigSpace's samplers.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
from ConfigSpace import ConfigurationSpace
from ConfigSpace.hyperparameters import (
    Constant,
    Hyperparameter,
    IntegerHyperparameter,
    OrdinalHyperparameter,
)

from algoconf.errors import ConfigurationError, SpaceError
from algoconf.records import config_key
from algoconf.space.evaluate import SpaceIndex
from algoconf.space.values import as_numerical, choices_of, domain_text, format_value, is_finite_domain

__all__ = [
    "active_config",
    "space_config_key",
    "default_config",
    "sample_configs",
    "neighbours",
    "describe_forbidden",
]

#: sampling gives up after this many rejected draws per requested configuration (and at least
#: ``MIN_TRIES`` in all), then raises SpaceError: the forbidden clauses leave (almost) nothing.
TRIES_PER_CONFIG = 100
MIN_TRIES = 1000


def describe_forbidden(clause: Any) -> str:
    return str(clause).replace("Forbidden: ", "")


def _coerce(hp: Hyperparameter, value: Any) -> Any:
    """The value as the parameter's type, or raise ConfigurationError (wrong type, out of domain)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    name = hp.name
    if is_finite_domain(hp):
        choices = choices_of(hp)
        for choice in choices:
            if type(choice) is type(value) and choice == value:
                return choice
        as_text = [c for c in choices if format_value(c) == format_value(value)]
        if len(as_text) == 1:
            return as_text[0]
        raise ConfigurationError(f"parameter {name!r}: {value!r} is not one of {domain_text(hp)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = "an integer" if isinstance(hp, IntegerHyperparameter) else "a number"
        raise ConfigurationError(f"parameter {name!r}: expected {kind}, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise ConfigurationError(f"parameter {name!r}: {value!r} is not finite")
    if isinstance(hp, IntegerHyperparameter):
        if float(value) != int(value):
            raise ConfigurationError(f"parameter {name!r}: expected an integer, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    num = as_numerical(hp)
    if not (num.lower <= value <= num.upper):
        raise ConfigurationError(f"parameter {name!r}: {format_value(value)} is outside {domain_text(hp)}")
    return value


def _rounded(index: SpaceIndex, hp: Hyperparameter, value: Any) -> Any:
    """Real values rounded to the space's irace ``digits`` (irace's own semantics), if it has them."""
    if index.digits is None or not isinstance(value, float) or is_finite_domain(hp):
        return value
    num = as_numerical(hp)
    return float(min(max(round(value, index.digits), num.lower), num.upper))


def _check(index: SpaceIndex, values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(index.hps))
    if unknown:
        raise ConfigurationError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; the space has {', '.join(index.order)}"
        )
    active: dict[str, Any] = {}
    for name in index.order:
        if not index.is_active(name, active):
            continue
        if name not in values or values[name] is None:
            raise ConfigurationError(
                f"parameter {name!r} is active (its condition {index.conditions[name]} holds) but has no value"
                if name in index.conditions
                else f"parameter {name!r} has no value (it is unconditional, so always active)"
            )
        active[name] = _rounded(index, index.hps[name], _coerce(index.hps[name], values[name]))
    clause = index.violated(active)
    if clause is not None:
        raise ConfigurationError(f"configuration is forbidden by clause {{{describe_forbidden(clause)}}}")
    return active


def active_config(space: ConfigurationSpace, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``values`` and return the active values only, with JSON types.

    Inactive values are dropped (whatever they are). Raises :class:`ConfigurationError` for an unknown
    name, a value of the wrong type or outside the domain, an active parameter without a value, and
    a configuration some forbidden clause excludes. A categorical/ordinal value may be given as the
    choice itself or as its text (``"1"`` for choice ``1``); the declared choice is returned.
    """
    return _check(SpaceIndex.of(space), values)


def space_config_key(space: ConfigurationSpace, values: Mapping[str, Any]) -> str:
    """``config_key`` of the active values: configurations differing only in inactive values share it."""
    return config_key(active_config(space, values))


def default_config(space: ConfigurationSpace) -> dict[str, Any]:
    """The default configuration (active values only); ConfigurationError if it is forbidden."""
    index = SpaceIndex.of(space)
    return _check(index, {name: hp.default_value for name, hp in index.hps.items()})


def _draw(hp: Hyperparameter, rng: np.random.Generator) -> Any:
    if is_finite_domain(hp):
        choices = choices_of(hp)
        return choices[int(rng.integers(len(choices)))]
    num = as_numerical(hp)
    lower, upper, log = num.lower, num.upper, bool(getattr(num, "log", False))
    if isinstance(hp, IntegerHyperparameter):
        if log:
            x = math.exp(rng.uniform(math.log(lower - 0.5 if lower > 0.5 else lower), math.log(upper + 0.5)))
            return int(min(max(round(x), lower), upper))
        return int(rng.integers(int(lower), int(upper) + 1))
    if log:
        return float(min(max(math.exp(rng.uniform(math.log(lower), math.log(upper))), lower), upper))
    return float(rng.uniform(lower, upper))


def _draw_one(index: SpaceIndex, rng: np.random.Generator) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in index.order:
        if index.is_active(name, values):
            values[name] = _rounded(index, index.hps[name], _draw(index.hps[name], rng))
    return values


def sample_configs(space: ConfigurationSpace, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` configurations drawn uniformly (log-uniformly on log scales) among the valid ones.

    Deterministic for a seed; draws that violate a forbidden clause are rejected. Duplicates are
    possible in small spaces. Raises SpaceError after ``max(MIN_TRIES, TRIES_PER_CONFIG * n)``
    rejected draws.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    index = SpaceIndex.of(space)
    rng = np.random.default_rng(seed)
    out: list[dict[str, Any]] = []
    budget = max(MIN_TRIES, TRIES_PER_CONFIG * n)
    tries = 0
    while len(out) < n:
        if tries >= budget:
            raise SpaceError(
                f"forbidden clauses rejected {tries} of {tries} sampled configurations "
                f"({len(out)} of {n} found); the space is (almost) empty"
            )
        tries += 1
        values = _draw_one(index, rng)
        if index.violated(values) is None:
            out.append(values)
    return out


def _step(hp: Hyperparameter, value: Any, rng: np.random.Generator) -> Any:
    """A different value near ``value`` (None when the parameter has a single value)."""
    if isinstance(hp, OrdinalHyperparameter):
        seq = list(hp.sequence)
        i = seq.index(value)
        options = [j for j in (i - 1, i + 1) if 0 <= j < len(seq)]
        return seq[options[int(rng.integers(len(options)))]] if options else None
    if is_finite_domain(hp):
        others = [c for c in choices_of(hp) if c != value]
        return others[int(rng.integers(len(others)))] if others else None
    num = as_numerical(hp)
    lower, upper, log = num.lower, num.upper, bool(getattr(num, "log", False))
    if lower == upper:
        return None
    to_unit = (lambda x: math.log(x)) if log else (lambda x: float(x))
    lo, hi = to_unit(lower), to_unit(upper)
    for _ in range(20):
        u = to_unit(value) + rng.normal(0.0, 0.2 * (hi - lo))
        u = min(max(u, lo), hi)
        x = math.exp(u) if log else u
        if isinstance(hp, IntegerHyperparameter):
            x = int(min(max(round(x), lower), upper))
            if x == value:
                x = int(value) + (1 if rng.random() < 0.5 else -1)
                if not lower <= x <= upper:
                    x = int(value) - (x - int(value))
        else:
            x = float(min(max(x, lower), upper))
        if x != value:
            return x
    return None


def neighbours(space: ConfigurationSpace, config: Mapping[str, Any], n: int, seed: int) -> list[dict[str, Any]]:
    """Up to ``n`` distinct valid one-exchange neighbours of ``config`` (deterministic for a seed).

    One active parameter changes (categorical: another choice; ordinal: an adjacent one; numerical:
    a Gaussian step of 0.2 of the (log) range); parameters that become active take their default,
    or a random value when the default makes the neighbour forbidden. Fewer than ``n`` only when
    bounded tries find no more distinct valid neighbours.
    """
    index = SpaceIndex.of(space)
    base = _check(index, config)
    rng = np.random.default_rng(seed)
    movable = [name for name in index.order if name in base and not isinstance(index.hps[name], Constant)]
    seen = {config_key(base)}
    out: list[dict[str, Any]] = []
    for _ in range(max(50, 20 * n)):
        if len(out) >= n or not movable:
            break
        name = movable[int(rng.integers(len(movable)))]
        new_value = _step(index.hps[name], base[name], rng)
        if new_value is None:
            continue
        for fill_random in (False, True):
            values: dict[str, Any] = {}
            for other in index.order:
                if not index.is_active(other, values):
                    continue
                if other == name:
                    values[other] = new_value
                elif other in base:
                    values[other] = base[other]
                elif fill_random:
                    values[other] = _draw(index.hps[other], rng)
                else:
                    values[other] = index.hps[other].default_value
            try:
                checked = _check(index, values)
            except ConfigurationError:  # forbidden: fill the newly active parameters at random
                continue
            key = config_key(checked)
            if key not in seen:
                seen.add(key)
                out.append(checked)
            break
    return out
