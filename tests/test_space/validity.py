"""An independent validity check for tests: it reads the canonical text of conditions and forbidden
clauses (``describe_space``) with its own tiny evaluator, so it shares no code with
``algoconf.space.evaluate`` (which walks ConfigSpace objects) nor with ConfigSpace's checks."""

from __future__ import annotations

import math
import re

from algoconf.space import describe_space
from algoconf.space.values import format_value

_ATOM = re.compile(r"^(\S+) (in|==|!=|<|>|<=|>=) (.+)$")


def _holds(atom: str, config: dict, params: dict) -> bool:
    name, op, rest = _ATOM.match(atom).groups()
    if name not in config:
        return False
    value = config[name]
    if op == "in":
        allowed = [v.strip() for v in rest.strip("{}").split(",") if v.strip()]
        return format_value(value) in allowed
    if rest.startswith("@"):
        other = rest[1:]
        if other not in config:
            return False
        right = config[other]
    else:
        right = float(rest)
    left = value
    return {"==": left == right, "!=": left != right, "<": left < right, ">": left > right,
            "<=": left <= right, ">=": left >= right}[op]


def _condition_holds(text: str, config: dict, params: dict) -> bool:
    return any(all(_holds(a, config, params) for a in conj.split(" && ")) for conj in text.split(" || "))


def _forbidden_holds(text: str, config: dict, params: dict) -> bool:
    for part in text.split(", "):
        if "=" in part and not re.search(r" (==|!=|<=|>=) ", part):
            name, value = part.split("=", 1)
            if name not in config or format_value(config[name]) != value:
                return False
        elif not _holds(part, config, params):
            return False
    return True


def problems(space, config: dict) -> list[str]:
    """Everything wrong with ``config`` (a dict of active values); empty when it is valid."""
    summary = describe_space(space)
    params = {p["name"]: p for p in summary["parameters"]}
    out = [f"unknown {name}" for name in config if name not in params]
    for name, p in params.items():
        cond = summary["conditions"].get(name)
        # a parent must be decided before its child: iterate to a fixed point
        active = cond is None or _condition_holds(cond, config, params)
        if active != (name in config):
            out.append(f"{name}: active={active} but present={name in config}")
        if name not in config:
            continue
        value = config[name]
        if "choices" in p:
            if value not in p["choices"]:
                out.append(f"{name}: {value!r} not in {p['choices']}")
        else:
            expected = int if p["type"] == "integer" else float
            if type(value) is not expected or not math.isfinite(value):
                out.append(f"{name}: {value!r} is not {expected.__name__}")
            elif not p["lower"] <= value <= p["upper"]:
                out.append(f"{name}: {value!r} outside [{p['lower']}, {p['upper']}]")
    for clause in summary["forbiddens"]:
        if _forbidden_holds(clause, config, params):
            out.append(f"forbidden {{{clause}}}")
    return out
