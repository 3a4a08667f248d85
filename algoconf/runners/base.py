"""SolverRunner: everything algoconf knows about one real solver, and the target it builds.

A runner names the program and how to call it (command template, switch syntax), how its answer is
read and checked (output parser), which parameters it has (``runners/<solver>/params.pcs`` in the
repository) and how a configuration from that file becomes the solver's own options
(:meth:`SolverRunner.native_config`: ``on``/``off`` flags to booleans, numbers clamped to the
declared range, composite options assembled, the run's seed and a solver-side backstop limit
added). The target it builds (:class:`RunnerTarget`) is a :class:`~algoconf.targets.CommandTarget`,
so the executor launches the solver binary directly: no interpreter per run.

Answer checking: on top of the solver's parser, an answer that contradicts a known answer of the
instance (``instance.meta["answer"]`` or the generator's ``<instance>.json`` sidecar) is CRASHED.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from algoconf.errors import ConfigurationError
from algoconf.execution.limits import ProcessOutcome
from algoconf.extras import install_hint
from algoconf.instances.generators import read_sidecar
from algoconf.records import RunRequest
from algoconf.runners.trace_probe import RunnerProbe
from algoconf.targets.base import Answer
from algoconf.targets.command import CommandTarget
from algoconf.targets.parsers import OutputParser

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.instances import Instance
    from algoconf.runners.trace_probe import TraceProbe

__all__ = ["SolverRunner", "RunnerTarget", "REPO_RUNNERS_DIR", "FLAG_WORDS"]

#: the repository's runners/ folder (parameter files live in runners/<solver>/params.pcs)
REPO_RUNNERS_DIR = Path(__file__).resolve().parents[2] / "runners"

#: spellings of booleans accepted for flag parameters (PCS files use on/off)
FLAG_WORDS = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False,
              "1": True, "0": False}


def _as_flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word not in FLAG_WORDS:
        raise ValueError(f"parameter {name!r} is a flag (on/off), got {value!r}")
    return FLAG_WORDS[word]


def _as_number(name: str, value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueError(f"parameter {name!r} is numeric, got {value!r}")
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"parameter {name!r} is numeric, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"parameter {name!r} must be finite, got {value!r}")
    return number


Translate = Callable[[dict[str, Any], RunRequest], dict[str, Any]]


def _no_translation(config: dict[str, Any], request: RunRequest) -> dict[str, Any]:
    return config


@dataclass(frozen=True)
class SolverRunner:
    """One solver: program, call, parameters, answer parsing.

    ``command`` is a CommandTarget template (``{instance}``, ``{config}``, ...; the first token is the
    program, looked up on PATH unless absolute). ``flags`` are parameters given as on/off and
    rendered per ``bool_style``; ``clamp`` maps a numeric parameter to the solver's own range (values
    outside are clamped, for solvers that accept them silently); ``translate(config, request)`` turns
    the clamped configuration into the solver's option dict (seed, backstop limits, composite
    options). ``instance_kind`` is ``"cnf"`` or ``"jobshop"``; ``reports_quality`` says the runner's
objective is the quality it reports (not its runtime). ``trace_probe`` (capability): how to
    take a deterministic trace of the solver for equivalence caching (:mod:`algoconf.runners.trace_probe`),
    None for a solver without one.
    """

    name: str
    description: str
    command: tuple[str, ...]
    syntax: str
    parser: Callable[[], OutputParser]
    instance_kind: str = "cnf"
    bool_style: str = "value"
    flags: frozenset[str] = frozenset()
    clamp: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    translate: Translate = _no_translation
    pcs: str | None = None
    requires_module: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    reports_quality: bool = False
    trace_probe: "TraceProbe | None" = None

    # --- where things are ------------------------------------------------------------------------
    @property
    def program(self) -> str:
        return self.command[0]

    def params_file(self) -> Path:
        """``runners/<pcs>/params.pcs`` of the repository (``pcs`` defaults to the runner's name)."""
        return REPO_RUNNERS_DIR / (self.pcs or self.name) / "params.pcs"

    def missing(self) -> str | None:
        """Why this runner cannot run here (a binary or module is absent), or None when it can."""
        if self.program != sys.executable and shutil.which(self.program) is None:
            return f"solver program {self.program!r} not found on PATH"
        if self.requires_module is not None:
            try:
                found = importlib.util.find_spec(self.requires_module) is not None
            except ImportError:  # a finder that refuses the name
                found = False
            if not found:
                return f"Python module {self.requires_module!r} is not installed: {install_hint(self.requires_module)}"
        return None

    def available(self) -> bool:
        return self.missing() is None

    # --- configurations -----------------------------------------------------------------------------
    def native_config(self, config: Mapping[str, Any], request: RunRequest) -> dict[str, Any]:
        """The solver's options for ``config`` on this run (flags, clamping, translation, seed).

        ValueError for a value that is not of its parameter's kind (a flag that is not on/off, a
        non-numeric value of a clamped parameter).
        """
        out: dict[str, Any] = {}
        for name, value in config.items():
            if name in self.flags:
                value = _as_flag(name, value)
            elif name in self.clamp:
                lo, hi = self.clamp[name]
                number = _as_number(name, value)
                clamped = min(max(number, lo), hi)
                value = int(clamped) if isinstance(number, int) else float(clamped)
            out[name] = value
        return self.translate(out, request)

    # --- the target -----------------------------------------------------------------------------------
    def target(self, root: str | Path | None = None) -> "RunnerTarget":
        """The target running this solver; ``root`` is the working folder (scenario folder)."""
        return RunnerTarget(self, cwd=root)

    def __repr__(self) -> str:
        return f"SolverRunner({self.name!r})"


class RunnerTarget(CommandTarget):
    """A CommandTarget whose configuration is translated by its :class:`SolverRunner` first."""

    def __init__(self, runner: SolverRunner, cwd: str | Path | None = None):
        super().__init__(
            list(runner.command),
            runner.syntax,
            runner.parser(),
            env=dict(runner.env),
            cwd=cwd,
            bool_style=runner.bool_style,
        )
        self.runner = runner

    def __repr__(self) -> str:
        return f"RunnerTarget({self.runner.name!r})"

    def config_args(self, request: RunRequest, instance: "Instance") -> list[str]:
        try:
            native = self.runner.native_config(request.config, request)
        except ValueError as exc:
            raise ConfigurationError(f"{self.runner.name}: {exc}") from None
        return super().config_args(dataclasses.replace(request, config=native), instance)

    def answer(self, request: RunRequest, instance: "Instance", outcome: ProcessOutcome) -> Answer:
        return self.parser.parse(outcome, request, with_known_answer(instance))

    def behaviour_probe(self) -> "RunnerProbe | None":
        """The runner's behaviour probe (equivalence caching), or None when it declares none."""
        probe = self.runner.trace_probe
        if probe is None:
            return None
        target = RunnerTarget(dataclasses.replace(self.runner, command=probe.command), cwd=self.cwd)
        return RunnerProbe(self.runner, probe, target)


def with_known_answer(instance: "Instance") -> "Instance":
    """The instance with ``meta["answer"]`` filled from its generator sidecar when it has none."""
    meta = dict(getattr(instance, "meta", None) or {})
    path = getattr(instance, "path", None)
    if "answer" in meta or path is None:
        return instance
    answer = read_sidecar(path).get("answer")
    if answer is None:
        return instance
    meta["answer"] = answer
    return dataclasses.replace(instance, meta=meta)


def split_options(argv: Sequence[str]) -> dict[str, str]:
    """``-name value`` pairs (the AClib call's configuration) as a dict; ValueError when malformed."""
    out: dict[str, str] = {}
    items = list(argv)
    if len(items) % 2:
        raise ValueError(f"expected '-name value' pairs, got an odd number of tokens: {' '.join(items)}")
    for name, value in zip(items[::2], items[1::2]):
        if not name.startswith("-") or len(name.lstrip("-")) == 0:
            raise ValueError(f"expected a parameter name starting with '-', got {name!r}")
        out[name.lstrip("-")] = value.strip("'\"")
    return out
