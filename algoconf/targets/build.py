"""build_target: a :class:`Target` from a scenario's ``TargetSpec``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from algoconf.errors import TargetError
from algoconf.targets.base import Target
from algoconf.targets.command import CommandTarget
from algoconf.targets.python import PythonTarget

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.scenario import TargetSpec

__all__ = ["build_target"]

#: TargetSpec.options understood by command targets (passed to CommandTarget)
_COMMAND_OPTIONS = ("bool_style", "switches", "clamp", "fixed_args", "cutoff_length")


def build_target(spec: "TargetSpec", root: Path) -> Target:
    """The target a spec describes; ``root`` is the scenario folder (default working folder).

    kind "command": :class:`CommandTarget` (``syntax``, ``output``, ``env``, ``cwd``; ``options`` may
    hold ``bool_style``, ``switches``, ``clamp``, ``fixed_args``, ``cutoff_length``); kind "python": :class:`PythonTarget`
    of ``callable``; kind "runner": ``algoconf.runners.get_runner(name).target(root)``.
    Raises :class:`TargetError` for a spec that cannot be built.
    """
    root = Path(root)
    cwd = Path(spec.cwd) if spec.cwd is not None else root
    if not cwd.is_absolute():
        cwd = root / cwd
    kind = spec.kind
    if kind == "command":
        if not spec.command:
            raise TargetError("a command target needs 'command'")
        options: dict[str, Any] = dict(spec.options or {})
        unknown = sorted(set(options) - set(_COMMAND_OPTIONS))
        if unknown:
            raise TargetError(f"unknown command target options {unknown}; known: {list(_COMMAND_OPTIONS)}")
        kwargs = {k: options[k] for k in _COMMAND_OPTIONS if k in options}
        return CommandTarget(spec.command, spec.syntax, spec.output, env=spec.env, cwd=cwd, **kwargs)
    if kind == "python":
        if not spec.callable:
            raise TargetError("a python target needs 'callable' ('package.module:function')")
        return PythonTarget(spec.callable, env=dict(spec.env or {}), cwd=str(cwd))
    if kind == "runner":
        if not spec.runner:
            raise TargetError("a runner target needs 'runner' (a solver name)")
        try:
            runners = importlib.import_module("algoconf.runners")
        except ImportError as exc:
            raise TargetError(f"algoconf.runners is not available: {exc}") from None
        try:
            runner = runners.get_runner(spec.runner)
        except KeyError as exc:
            raise TargetError(f"unknown runner {spec.runner!r}: {exc}") from None
        if runner.requires_module is not None and runner.missing():
            raise TargetError(f"runner {spec.runner!r} cannot run here: {runner.missing()}")
        target = runner.target(root)
        if not isinstance(target, Target):
            raise TargetError(f"runner {spec.runner!r} did not give a Target but {type(target).__name__}")
        return target
    raise TargetError(f"unknown target kind {kind!r}; expected 'command', 'python' or 'runner'")
