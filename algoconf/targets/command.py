"""CommandTarget: a command-line program started directly (no shell, no wrapper interpreter).

The command template is a string (split like a shell would, with :func:`shlex.split`) or a list of
tokens. Placeholders inside tokens: ``{instance}`` (path), ``{specifics}`` (a token that is exactly
``{specifics}`` becomes one argument per specifics token, none when there are none), ``{seed}``, ``{cutoff}``
(seconds, float), ``{cutoff_int}`` (whole seconds, rounded up), ``{bound}`` (the stop time of this
run, its cutoff when no bound). A token that is exactly ``{config}`` is replaced by the configuration's
arguments; without it the arguments are appended. Literal braces are written ``{{`` and ``}}``.

Argument syntaxes (:data:`SYNTAXES`), for a configuration ``{"a": 1, "b": "x"}``:

====================  =====================================================================
``-name=value``       ``-a=1 -b=x``
``--name=value``      ``--a=1 --b=x``
``-name value``       ``-a 1 -b x``
``--name value``      ``--a 1 --b x``
``aclib-old``         ``<instance> <specifics|0> <cutoff> <cutoff_length> <seed> -a 1 -b x``
                      (cutoff_length: ``cutoff_length`` or 2147483647, "no limit")
``aclib2``            ``--instance I --cutoff C --seed S --config -a 1 -b x``
``irace``             each parameter's switch (``switches[name]``) glued to its value
====================  =====================================================================

For the protocol syntaxes (aclib-old, aclib2) the protocol tail replaces ``{config}``. Python bools
are rendered per ``bool_style``: ``"value"`` (``true``/``false``), ``"flag"`` (the switch alone when
True, nothing when False), ``"no-flag"`` (``-name`` / ``-no-name``). ``clamp`` maps a parameter name
to ``(low, high)``: numeric values are clamped before rendering (for solvers that silently accept
out-of-range values). Environment variables whose names start with one of ``drop_env_prefixes`` are
removed from the child's environment (cadical reads options from ``CADICAL_*``).
"""

from __future__ import annotations

import math
import os
import shlex
import string
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from algoconf.errors import TargetError
from algoconf.execution.limits import ProcessOutcome
from algoconf.records import RunRequest
from algoconf.targets.base import Answer, Launch, Target
from algoconf.targets.parsers import OUTPUT_PARSERS, OutputParser

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.instances import Instance

__all__ = ["CommandTarget", "PLACEHOLDERS", "PROTOCOL_SYNTAXES", "SYNTAXES", "render_config"]

SYNTAXES = ("-name=value", "--name=value", "-name value", "--name value", "aclib-old", "aclib2", "irace")
#: syntaxes whose protocol tail carries the instance (the template needs no ``{instance}``)
PROTOCOL_SYNTAXES = ("aclib-old", "aclib2")
BOOL_STYLES = ("value", "flag", "no-flag")
PLACEHOLDERS = ("instance", "specifics", "seed", "cutoff", "cutoff_int", "bound", "config")
_MAX_CUTOFF_LENGTH = "2147483647"


def _cutoff_length(value: int | str | None) -> str:
    """AClib's run-length limit: an integer, or ``max`` / None for "no limit"."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "max"):
        return _MAX_CUTOFF_LENGTH
    try:
        return str(int(value))
    except (TypeError, ValueError):
        raise TargetError(f"cutoff_length must be an integer or 'max', got {value!r}") from None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)  # keep '2.0' a float on the command line
    return str(value)


_ENV_CACHE: dict[tuple[str, ...], tuple[dict, dict[str, str]]] = {}


def _sanitised_environ(drop_prefixes: tuple[str, ...]) -> dict[str, str]:
    """``os.environ`` without the variables starting with ``drop_prefixes`` (shared: do not mutate).

    Copying the environment costs 50-300 us, a tenth of a tiny solver run, so the copy is reused
    until ``os.environ`` changes (checked by comparing its raw bytes mapping, well under 1 us).
    """
    raw = getattr(os.environ, "_data", None)
    cached = _ENV_CACHE.get(drop_prefixes)
    if raw is not None and cached is not None and cached[0] == raw:
        return cached[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop_prefixes)}
    if raw is not None:
        _ENV_CACHE[drop_prefixes] = (dict(raw), env)
    return env


def _instance_arg(instance: "Instance") -> str:
    path = getattr(instance, "path", None)
    return str(path) if path is not None else str(instance.name)


def render_config(
    config: Mapping[str, Any],
    syntax: str,
    *,
    bool_style: str = "value",
    switches: Mapping[str, str] | None = None,
) -> list[str]:
    """The configuration's arguments in one of the plain syntaxes (also used for aclib/aclib2 tails)."""
    args: list[str] = []
    for name, value in config.items():
        if syntax == "irace":
            if switches is None or name not in switches:
                raise TargetError(f"syntax 'irace' needs a switch for parameter {name!r}")
            args.append(f"{switches[name]}{_text(value)}")
            continue
        prefix = "--" if syntax.startswith("--") else "-"
        joined = syntax.endswith("=value")
        if isinstance(value, bool) and bool_style != "value":
            if value:
                args.append(f"{prefix}{name}")
            elif bool_style == "no-flag":
                args.append(f"{prefix}no-{name}")
            continue
        if joined:
            args.append(f"{prefix}{name}={_text(value)}")
        else:
            args.extend([f"{prefix}{name}", _text(value)])
    return args


class CommandTarget(Target):
    """A command-line program; see the module docstring for the template and syntaxes."""

    drop_env_prefixes: tuple[str, ...] = ("CADICAL_",)

    def __init__(
        self,
        command: str | Sequence[str],
        syntax: str = "-name=value",
        parser: OutputParser | str = "sat",
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike | None = None,
        clamp: Mapping[str, tuple[float, float]] | None = None,
        *,
        bool_style: str = "value",
        switches: Mapping[str, str] | None = None,
        fixed_args: Sequence[str] = (),
        cutoff_length: int | str | None = None,
    ):
        tokens = shlex.split(command) if isinstance(command, str) else [str(t) for t in command]
        if not tokens:
            raise TargetError("empty command")
        if syntax not in SYNTAXES:
            raise TargetError(f"unknown argument syntax {syntax!r}; expected one of {', '.join(SYNTAXES)}")
        if bool_style not in BOOL_STYLES:
            raise TargetError(f"unknown bool_style {bool_style!r}; expected one of {BOOL_STYLES}")
        formatter = string.Formatter()
        for token in tokens:
            try:
                fields = [f for _, f, _, _ in formatter.parse(token) if f is not None]
            except ValueError as exc:
                raise TargetError(f"bad command token {token!r}: {exc}") from None
            for field_name in fields:
                if field_name not in PLACEHOLDERS:
                    raise TargetError(
                        f"unknown placeholder {{{field_name}}} in {token!r}; "
                        f"known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
                    )
                if field_name == "config" and token != "{config}":
                    raise TargetError("{config} must be a token of its own in the command")
        if isinstance(parser, str):
            if parser not in OUTPUT_PARSERS:
                raise TargetError(f"unknown output parser {parser!r}; expected one of {sorted(OUTPUT_PARSERS)}")
            parser = OUTPUT_PARSERS[parser]()
        self.tokens = tokens
        self.syntax = syntax
        self.parser = parser
        self.env = dict(env or {})
        self.cwd = os.fspath(cwd) if cwd is not None else None
        self.clamp = {k: (float(lo), float(hi)) for k, (lo, hi) in (clamp or {}).items()}
        self.bool_style = bool_style
        self.switches = dict(switches) if switches is not None else None
        self.fixed_args = [str(a) for a in fixed_args]
        self.cutoff_length = _cutoff_length(cutoff_length)

    def __repr__(self) -> str:
        return f"CommandTarget({shlex.join(self.tokens)!r}, syntax={self.syntax!r}, parser={self.parser.name!r})"

    # --- launch ---------------------------------------------------------------------------------
    def _clamped(self, config: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(config)
        for name, (lo, hi) in self.clamp.items():
            value = out.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                clamped = min(max(value, lo), hi)
                out[name] = type(value)(clamped) if isinstance(value, int) else clamped
        return out

    def config_args(self, request: RunRequest, instance: "Instance") -> list[str]:
        """The arguments that replace ``{config}`` for this run."""
        plain = "-name value" if self.syntax in PROTOCOL_SYNTAXES else self.syntax
        args = self.fixed_args + render_config(
            self._clamped(request.config), plain, bool_style=self.bool_style, switches=self.switches
        )
        cutoff = request.limit if request.limit is not None else 0
        specifics = " ".join(str(s) for s in getattr(instance, "specifics", ()) or ()) or "0"
        if self.syntax == "aclib-old":
            return [_instance_arg(instance), specifics, _text(float(cutoff)), self.cutoff_length, str(request.seed), *args]
        if self.syntax == "aclib2":
            return ["--instance", _instance_arg(instance), "--cutoff", _text(float(cutoff)),
                    "--seed", str(request.seed), "--config", *args]
        return args

    def prepare(self, request: RunRequest, instance: "Instance") -> Launch:
        limit = request.limit
        values = {
            "instance": _instance_arg(instance),
            "specifics": " ".join(str(s) for s in getattr(instance, "specifics", ()) or ()),
            "seed": str(int(request.seed)),
            "cutoff": _text(float(request.cutoff)) if request.cutoff is not None else "0",
            "cutoff_int": str(int(math.ceil(request.cutoff))) if request.cutoff is not None else "0",
            "bound": _text(float(limit)) if limit is not None else "0",
        }
        config_args = self.config_args(request, instance)
        argv: list[str] = []
        placed = False
        for token in self.tokens:
            if token == "{config}":
                argv.extend(config_args)
                placed = True
            elif token == "{specifics}":
                argv.extend(str(t) for t in getattr(instance, "specifics", ()) or ())
            else:
                argv.append(token.format_map(values))
        if not placed:
            argv.extend(config_args)
        env = _sanitised_environ(self.drop_env_prefixes)
        if self.env:
            env = {**env, **self.env}
        return Launch(argv=argv, env=env, cwd=self.cwd)

    # --- answer ---------------------------------------------------------------------------------
    def answer(self, request: RunRequest, instance: "Instance", outcome: ProcessOutcome) -> Answer:
        return self.parser.parse(outcome, request, instance)
