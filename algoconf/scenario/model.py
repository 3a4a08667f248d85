"""The Scenario: everything that defines one configuration problem, frozen and serialisable.

A scenario is loaded from YAML (the schema is in docs/scenarios.md and :data:`YAML_KEYS`), from
an AClib/SMAC ``scenario.txt`` (:mod:`algoconf.scenario.aclib`) or from an irace ``scenario.txt``
(:mod:`algoconf.scenario.irace`); :func:`algoconf.scenario.load.load_scenario` picks by content.
Every problem in a scenario file raises :class:`~algoconf.errors.ScenarioError` (or the instance,
feature, space error) naming the file and line, before any target runs.

``fingerprint()`` is what must not change for a run directory to be resumed (space, training
instances, objective, cutoff, target, seed, ...); budgets and policies are not in it, so a stopped
run can be continued with a larger budget.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shlex
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml
from ConfigSpace import ConfigurationSpace

from algoconf.censored.utility import utility_from_spec
from algoconf.errors import ScenarioError
from algoconf.history.fingerprint import fingerprint_diff
from algoconf.instances import FeatureTable, InstanceSet

# one list each, owned by the command target that renders them
from algoconf.targets.command import PLACEHOLDERS, PROTOCOL_SYNTAXES, SYNTAXES
from algoconf.targets.parsers import OUTPUT_PARSERS
from algoconf.tuners.base import TuningProblem

__all__ = [
    "TargetSpec",
    "Budget",
    "Scenario",
    "space_text",
    "TARGET_KINDS",
    "SYNTAXES",
    "PLACEHOLDERS",
]

TARGET_KINDS = ("command", "python", "runner")
OBJECTIVES = ("runtime", "quality")
CRASH_POLICIES = ("record", "abort")
TIME_KINDS = ("cpu", "wall")
MAX_NUMBER = 10**15  # any number a scenario gives (an int beyond it cannot even become a float)
MAX_MEMORY_MB = 2**40  # memory_limit in MiB: 2**60 bytes, still a valid RLIMIT_AS


@dataclass(frozen=True)
class TargetSpec:
    """How to run the algorithm (validated further by ``algoconf.targets.build_target``).

    * ``kind="command"``: ``command`` is a template with placeholders ``{instance} {specifics}
      {seed} {cutoff} {cutoff_int} {config}`` (``{{``/``}}`` for literal braces); ``syntax`` says how
      ``{config}`` becomes arguments; ``output`` how the answer is read. ``syntax="aclib-old"``
      means the SMAC-2 call ``<command> <instance> <specifics> <cutoff> <cutoff_length> <seed>
      -name 'value' ...`` (the command is a prefix, without placeholders).
    * ``kind="python"``: ``callable`` is ``"package.module:function"``.
    * ``kind="runner"``: ``runner`` names a solver of ``algoconf.runners``.

    ``cwd`` is the working folder of the run (None: the scenario folder); ``options`` holds
    kind-specific extras (e.g. ``cutoff_length`` for AClib).
    """

    kind: str
    command: str | None = None
    callable: str | None = None
    runner: str | None = None
    syntax: str = "-name value"
    output: str = "aclib"
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "env", {str(k): str(v) for k, v in self.env.items()})
        object.__setattr__(self, "options", dict(self.options))
        if self.cwd is not None:
            object.__setattr__(self, "cwd", Path(self.cwd))
        problem = self.problem()
        if problem:
            raise ScenarioError(problem)

    def problem(self) -> str | None:
        """What is wrong with this spec, or None."""
        if self.kind not in TARGET_KINDS:
            return f"target kind must be one of {', '.join(TARGET_KINDS)}, got {self.kind!r}"
        need = {"command": "command", "python": "callable", "runner": "runner"}[self.kind]
        given = [k for k in ("command", "callable", "runner") if getattr(self, k)]
        if given != [need]:
            return f"a {self.kind} target needs exactly the key {need!r} (given: {', '.join(given) or 'none'})"
        if self.syntax not in SYNTAXES:
            return f"target syntax must be one of {', '.join(repr(s) for s in SYNTAXES)}, got {self.syntax!r}"
        if self.kind == "command" and self.command is not None:  # (given: a command target has one)
            try:
                fields = [f for _, f, _, _ in string.Formatter().parse(self.command) if f is not None]
            except ValueError as err:
                return f"bad command template {self.command!r}: {err} (write {{{{ and }}}} for literal braces)"
            for f in fields:
                if f not in PLACEHOLDERS:
                    return f"unknown placeholder {{{f}}} in the command; known: " + " ".join(
                        "{" + p + "}" for p in PLACEHOLDERS
                    )
            if self.syntax not in PROTOCOL_SYNTAXES and "instance" not in fields:
                return "the command has no {instance} placeholder"
            if self.output not in OUTPUT_PARSERS:
                return (f"target output must be one of {', '.join(repr(o) for o in sorted(OUTPUT_PARSERS))}, "
                        f"got {self.output!r}")
        if self.kind == "python" and self.callable is not None and ":" not in self.callable:
            return f"callable must be 'package.module:function', got {self.callable!r}"
        return None

    def placeholders(self) -> frozenset[str]:
        """The placeholders a command template uses (empty for other kinds)."""
        if self.kind != "command" or not self.command:
            return frozenset()
        return frozenset(f for _, f, _, _ in string.Formatter().parse(self.command) if f)

    def to_dict(self, root: Path | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind}
        ref = {"command": self.command, "python": self.callable, "runner": self.runner}[self.kind]
        d[{"command": "command", "python": "callable", "runner": "runner"}[self.kind]] = ref
        d["syntax"] = self.syntax
        d["output"] = self.output
        if self.env:
            d["env"] = dict(self.env)
        if self.cwd is not None:
            d["cwd"] = _relative(self.cwd, root)
        if self.options:
            d["options"] = dict(self.options)
        return d


@dataclass(frozen=True)
class Budget:
    """Limits of a whole configuration run; None means unlimited. ``cpu_time`` sums target runtimes."""

    runs: int | None = None
    wallclock: float | None = None
    cpu_time: float | None = None

    def __post_init__(self) -> None:
        for name in ("runs", "wallclock", "cpu_time"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not value > 0 or not math.isfinite(value)):
                raise ScenarioError(f"budget {name} must be a positive number, got {value!r}")
        if self.runs is not None and int(self.runs) != self.runs:
            raise ScenarioError(f"budget runs must be an integer, got {self.runs!r}")
        if self.runs is not None:
            object.__setattr__(self, "runs", int(self.runs))
        for name in ("wallclock", "cpu_time"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, float(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "wallclock": self.wallclock, "cpu_time": self.cpu_time}


def _plain(value: Any) -> Any:
    """Mappings and sequences as plain dicts and lists (YAML/JSON-safe)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Scenario:
    """One configuration problem. Build it with :func:`load_scenario` or directly (validated here).

    ``cutoff`` (seconds, measured on the ``time_kind`` clock) is required for a runtime objective;
    ``par_factor`` is k of PAR-k. ``memory_limit`` is in MB. ``crash_policy="abort"`` stops at the
    first failed run; ``max_failure_rate`` stops when more than that fraction of the first
    ``min_runs_for_failure_rate`` runs failed. ``crash_cost`` is the cost of a failed run under a
    quality objective.
    """

    name: str
    root: Path
    target: TargetSpec
    space: ConfigurationSpace = field(compare=False)
    train: InstanceSet
    space_file: Path | None = None
    test: InstanceSet | None = None
    features: FeatureTable | None = None
    objective: str = "runtime"
    maximize: bool = False
    cutoff: float | None = None
    par_factor: float = 10.0
    budget: Budget = field(default_factory=Budget)
    memory_limit: int | None = None
    deterministic: bool = False
    seed: int = 0
    crash_policy: str = "record"
    max_failure_rate: float | None = 0.5
    min_runs_for_failure_rate: int = 20
    time_kind: str = "cpu"
    crash_cost: float = math.inf
    utility: Mapping[str, Any] | None = None  # runtime objective scored by expected utility (censored/utility.py)
    equivalence_cache: bool = False  # share results between behaviour-equivalent configurations (a policy: not in the fingerprint)
    source: Path | None = field(default=None, compare=False)
    # spaces compare by canonical text: ConfigSpace 1.2 conditions compare unequal after a pickle round trip
    _space_text: str = field(default="", init=False, repr=False, compare=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))
        object.__setattr__(self, "_space_text", space_text(self.space))
        if self.space_file is not None:
            object.__setattr__(self, "space_file", Path(self.space_file))
        for name in ("cutoff", "par_factor", "crash_cost", "max_failure_rate"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, name, float(value))
        problem = self.problem()
        if problem:
            raise ScenarioError(problem, file=self.source)

    def problem(self) -> str | None:
        """What is wrong with this scenario as a whole, or None."""
        if self.objective not in OBJECTIVES:
            return f"objective must be 'runtime' or 'quality', got {self.objective!r}"
        if self.cutoff is not None and not (isinstance(self.cutoff, (int, float)) and 0 < self.cutoff < math.inf):
            return f"cutoff must be a positive number of seconds, got {self.cutoff!r}"
        if self.objective == "runtime" and self.cutoff is None:
            return "a runtime objective needs a cutoff (seconds)"
        if self.cutoff is None and self.target.placeholders() & {"cutoff", "cutoff_int"}:
            return "the target command uses {cutoff} but the scenario has no cutoff"
        if self.objective == "runtime" and self.maximize:
            return "a runtime objective cannot be maximised"
        if self.utility is not None:
            if self.objective != "runtime":
                return "a utility applies to a runtime objective only"
            try:
                upper = utility_from_spec(self.utility).captime.upper
            except ValueError as err:
                return str(err)
            if self.cutoff is not None and upper > self.cutoff:
                return f"the utility's largest captime ({upper:g} s) exceeds the cutoff ({self.cutoff:g} s): runs would be censored where the utility is not yet 0"
        if not self.par_factor >= 1:
            return f"par_factor must be at least 1, got {self.par_factor!r}"
        if self.memory_limit is not None and not self.memory_limit > 0:
            return f"memory_limit must be a positive number of MB, got {self.memory_limit!r}"
        if self.crash_policy not in CRASH_POLICIES:
            return f"crash_policy must be 'record' or 'abort', got {self.crash_policy!r}"
        if self.max_failure_rate is not None and not 0 < self.max_failure_rate <= 1:
            return f"max_failure_rate must be in (0, 1], got {self.max_failure_rate!r}"
        if self.min_runs_for_failure_rate < 1:
            return f"min_runs_for_failure_rate must be at least 1, got {self.min_runs_for_failure_rate!r}"
        if self.time_kind not in TIME_KINDS:
            return f"time_kind must be 'cpu' or 'wall', got {self.time_kind!r}"
        if len(self.train) == 0:
            return "the training set has no instances"
        if self.features is not None:
            lacking = [n for n in self.train.names if n not in self.features]
            if self.test is not None:
                lacking += [n for n in self.test.names if n not in self.features]
            if lacking:
                return f"instance {lacking[0]!r} has no features"
        return None

    # --- serialisation ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The scenario in the YAML schema (paths relative to ``root``)."""
        d: dict[str, Any] = {"name": self.name, "target": self.target.to_dict(self.root)}
        if self.space_file is not None:
            d["space"] = _relative(self.space_file, self.root)
        else:
            d["space"] = {"configspace": self.space.to_serialized_dict()}
            if self.space.meta:
                d["space"]["meta"] = _plain(self.space.meta)
        d["train"] = _instances_to_yaml(self.train, self.root)
        if self.test is not None:
            d["test"] = _instances_to_yaml(self.test, self.root)
        if self.features is not None and self.features.extractor_spec is not None:
            d["features"] = dict(self.features.extractor_spec)
        elif self.features is not None:
            if self.features.source is None:
                raise ScenarioError("features built in memory cannot be saved; read them from a file")
            d["features"] = _relative(Path(self.features.source), self.root)
            if self.features.cost_source is not None:
                d["feature_costs"] = _relative(Path(self.features.cost_source), self.root)
            if self.features.has_missing:
                d["allow_missing_features"] = True
        d.update(
            objective=self.objective,
            maximize=self.maximize,
            cutoff=self.cutoff,
            par_factor=self.par_factor,
            time_kind=self.time_kind,
            budget=self.budget.to_dict(),
            memory_limit=self.memory_limit,
            deterministic=self.deterministic,
            seed=self.seed,
            crash_policy=self.crash_policy,
            max_failure_rate=self.max_failure_rate,
            min_runs_for_failure_rate=self.min_runs_for_failure_rate,
            crash_cost=None if math.isinf(self.crash_cost) else self.crash_cost,
        )
        if self.utility is not None:
            d["utility"] = _plain(self.utility)
        if self.equivalence_cache:
            d["equivalence_cache"] = True
        return d

    def save_yaml(self, path: str | Path) -> None:
        """Write the scenario as YAML; paths are rewritten relative to the new file's folder."""
        path = Path(path)
        target = self.target
        if target.cwd is None and Path(self.root).resolve() != path.parent.resolve():
            target = dataclasses.replace(target, cwd=Path(self.root).resolve())  # runs stay where they were
        moved = dataclasses.replace(self, root=path.parent.resolve(), target=target)
        path.write_text(yaml.safe_dump(moved.to_dict(), sort_keys=False, default_flow_style=False))

    # --- resume ---------------------------------------------------------------------------------
    def fingerprint(self) -> dict[str, Any]:
        """What must be equal for a stored run to be resumed (JSON types only)."""
        target = self.target.to_dict(self.root)
        target.pop("cwd", None)  # where a run starts is not what it computes; moving a folder may resume
        return {
            "space": self._space_text,
            "train": [_instance_token(i) for i in self.train],
            "objective": self.objective,
            "maximize": self.maximize,
            "cutoff": self.cutoff,
            "par_factor": self.par_factor,
            "time_kind": self.time_kind,
            "memory_limit": self.memory_limit,
            "deterministic": self.deterministic,
            "seed": self.seed,
            "target": json.dumps(target, sort_keys=True),
        } | ({} if self.utility is None else {"utility": json.dumps(_plain(self.utility), sort_keys=True)})

    def diff(self, other: "Scenario") -> list[str]:
        """Human-readable differences (fingerprint, budget and policies), one line per key."""
        return fingerprint_diff(self._description(), other._description())

    def _description(self) -> dict[str, Any]:
        d = self.fingerprint()
        d.update(
            name=self.name,
            test=[_instance_token(i) for i in self.test] if self.test is not None else None,
            budget=json.dumps(self.budget.to_dict(), sort_keys=True),
            crash_policy=self.crash_policy,
            max_failure_rate=self.max_failure_rate,
            min_runs_for_failure_rate=self.min_runs_for_failure_rate,
            crash_cost=None if math.isinf(self.crash_cost) else self.crash_cost,
            features=None if self.features is None else list(self.features.names),
        )
        return d

    def tuning_problem(self):
        """The :class:`~algoconf.tuners.base.TuningProblem` a tuner sees (training instances)."""
        features = self.features.as_mapping(self.train.names) if self.features is not None else None
        return TuningProblem(
            space=self.space,
            instances=self.train.names,
            cutoff=self.cutoff,
            objective=self.objective,
            maximize=self.maximize,
            par_factor=self.par_factor,
            deterministic=self.deterministic,
            max_runs=self.budget.runs,
            features=features,
            crash_cost=self.crash_cost,
            extra=self._problem_extra(),
        )

    def _problem_extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"seed": self.seed, "time_kind": self.time_kind, "scenario": self.name}
        if self.utility is not None:
            extra["utility"] = utility_from_spec(self.utility)  # tuners minimise 1 - u(runtime)
        return extra


# --- helpers shared with the loaders ------------------------------------------------
def space_text(space: ConfigurationSpace) -> str:
    """A canonical text of a space (JSON, sorted): equal spaces give equal text, comments ignored."""
    d = dict(space.to_serialized_dict())
    for volatile in ("name", "python_module_version", "format_version"):
        d.pop(volatile, None)
    return json.dumps(d, sort_keys=True, indent=1)


def _instance_token(inst) -> str:
    return shlex.join([inst.name, *inst.specifics]) if inst.specifics else inst.name


def _relative(path: Path, root: Path | None) -> str:
    if root is None:
        return str(path)
    try:
        return os.path.relpath(Path(path).resolve(), Path(root).resolve())
    except ValueError:
        return str(path)


def _instances_to_yaml(instances: InstanceSet, root: Path) -> Any:
    source = instances.source or {}
    if "list" in source:
        return _relative(Path(source["list"]), root)
    if "generator" in source:
        return {k: source[k] for k in ("generator", "n", "seed", "kwargs") if k in source}
    if all(i.path is None for i in instances):
        return {"names": list(instances.names)}
    return [shlex.join([_relative(i.path, root), *i.specifics]) if i.path else i.name for i in instances]
