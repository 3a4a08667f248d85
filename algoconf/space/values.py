"""Parameter values: reading tokens as numbers, checking them against a domain, printing them.

Shared by the readers (tokens from a file), the assembler (condition and forbidden values) and
:func:`algoconf.space.active_config` (values from a tuner or a user).
"""

from __future__ import annotations

import math
from typing import Any

from ConfigSpace.hyperparameters import (
    CategoricalHyperparameter,
    Constant,
    FloatHyperparameter,
    Hyperparameter,
    IntegerHyperparameter,
    NumericalHyperparameter,
    OrdinalHyperparameter,
)

__all__ = [
    "format_value",
    "domain_text",
    "parse_number",
    "choices_of",
    "is_finite_domain",
    "is_numerical",
    "as_numerical",
    "kind_of",
    "enumerable_values",
    "allowed_values",
    "MAX_ENUMERATED_INTEGERS",
]


def kind_of(hp: Hyperparameter) -> str:
    """One of "categorical", "ordinal", "integer", "real", "constant"."""
    if isinstance(hp, CategoricalHyperparameter):
        return "categorical"
    if isinstance(hp, OrdinalHyperparameter):
        return "ordinal"
    if isinstance(hp, IntegerHyperparameter):
        return "integer"
    if isinstance(hp, FloatHyperparameter):
        return "real"
    if isinstance(hp, Constant):
        return "constant"
    raise TypeError(f"unsupported hyperparameter type {type(hp).__name__} ({hp.name})")


def choices_of(hp: Hyperparameter) -> tuple[Any, ...]:
    """The values of a categorical, ordinal or constant parameter, in declared order."""
    if isinstance(hp, CategoricalHyperparameter):
        return tuple(hp.choices)
    if isinstance(hp, OrdinalHyperparameter):
        return tuple(hp.sequence)
    if isinstance(hp, Constant):
        return (hp.value,)
    raise TypeError(f"{hp.name} has no finite list of values")


def is_finite_domain(hp: Hyperparameter) -> bool:
    return isinstance(hp, (CategoricalHyperparameter, OrdinalHyperparameter, Constant))


def is_numerical(hp: Hyperparameter) -> bool:
    return isinstance(hp, (IntegerHyperparameter, FloatHyperparameter))


def as_numerical(hp: Hyperparameter) -> NumericalHyperparameter:
    """``hp`` as an integer or real parameter (with ``lower``, ``upper``, ``log``); TypeError for a
    parameter with a finite list of values."""
    if not isinstance(hp, NumericalHyperparameter):
        raise TypeError(f"{hp.name} is not an integer or real parameter")
    return hp


def format_value(value: Any) -> str:
    """A value as written in a parameter file: ints plainly, floats round-trip exact (``repr``)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def domain_text(hp: Hyperparameter) -> str:
    """The domain as shown in error messages: ``{a, b, c}`` or ``[1, 100]``."""
    if is_finite_domain(hp):
        return "{" + ", ".join(format_value(c) for c in choices_of(hp)) + "}"
    num = as_numerical(hp)
    return f"[{format_value(num.lower)}, {format_value(num.upper)}]"


def parse_number(token: Any) -> float | None:
    """A finite number from a token (str, int, float), or None when it is not one."""
    if isinstance(token, bool):
        return None
    if isinstance(token, (int, float)):
        value = float(token)
    else:
        try:
            value = float(str(token).strip())
        except ValueError:
            return None
    return value if math.isfinite(value) else None


#: integer parameters with at most this many values count as finite when a comparison has to be
#: spelled out as a set (old PCS has only ``in``; canonical descriptions compare sets)
MAX_ENUMERATED_INTEGERS = 1000


def enumerable_values(hp: Hyperparameter) -> list[Any] | None:
    """Every value of a finite domain (or of an integer range of at most MAX_ENUMERATED_INTEGERS), else None."""
    if is_finite_domain(hp):
        return list(choices_of(hp))
    if isinstance(hp, IntegerHyperparameter) and hp.upper - hp.lower < MAX_ENUMERATED_INTEGERS:
        return list(range(int(hp.lower), int(hp.upper) + 1))
    return None


def allowed_values(hp: Hyperparameter, op: str, values: tuple[Any, ...]) -> list[Any] | None:
    """The values of ``hp`` for which ``hp op values`` holds, in domain order; None if not enumerable
    (or a comparison on a categorical parameter, which has no order)."""
    domain = enumerable_values(hp)
    if domain is None:
        return None
    if op == "==":
        return [v for v in domain if v == values[0]]
    if op == "in":
        return [v for v in domain if v in values]
    if op == "!=":
        return [v for v in domain if v != values[0]]
    if isinstance(hp, CategoricalHyperparameter) or isinstance(hp, Constant):
        return None
    if isinstance(hp, OrdinalHyperparameter):
        i = domain.index(values[0])
        return {"<": domain[:i], ">": domain[i + 1 :], "<=": domain[: i + 1], ">=": domain[i:]}[op]
    test = {"<": lambda v: v < values[0], ">": lambda v: v > values[0],
            "<=": lambda v: v <= values[0], ">=": lambda v: v >= values[0]}[op]
    return [v for v in domain if test(v)]
