"""Loading a YAML scenario, with the line of every key kept for error messages.

The schema (documented in docs/scenarios.md)::

    name: minisat-ksat              # default: the file's stem, or its folder's name for scenario.yaml
    target:                         # exactly one of command / callable / runner
      command: "minisat {config} -cpu-lim={cutoff_int} {instance}"
      syntax: "-name=value"         # -name=value | --name=value | -name value | --name value | irace | aclib-old
      output: satcomp               # aclib | aclib2 | irace | satcomp | ... (read by algoconf.targets)
      env: {OMP_NUM_THREADS: "1"}
      cwd: .                        # default: the scenario folder
      options: {}                   # kind-specific extras
    space: minisat.pcs              # PCS (old/new), irace parameters.txt or ConfigSpace JSON
    train: train.txt                # a list file | [inline paths] | {generator:, n:, seed:, kwargs:} | {names: [...]}
    test: test.txt                  # optional, same forms
    features: features.csv          # optional; feature_costs: costs.csv; allow_missing_features: false
    objective: runtime              # runtime | quality
    maximize: false                 # quality only
    cutoff: 10                      # seconds on the time_kind clock; required for runtime
    time_kind: cpu                  # cpu | wall
    par_factor: 10
    budget: {runs: 500, wallclock: 3600, cpu_time: null}
    memory_limit: 2048              # MB
    deterministic: false
    seed: 1
    crash_policy: record            # record | abort
    max_failure_rate: 0.5           # over the first min_runs_for_failure_rate runs; null: never stop
    min_runs_for_failure_rate: 20
    crash_cost: null                # quality objective: cost of a failed run (null: infinity)
    instance_cache: .algoconf/instances   # where generated instances are cached
    equivalence_cache: false        # share results between configurations that behave alike (runners with a probe)

Paths are relative to the scenario file's folder.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import shlex
from pathlib import Path
from typing import Any, Mapping, overload

import yaml
from ConfigSpace import ConfigurationSpace

from algoconf.errors import ScenarioError
from algoconf.features.compute import EXTRACTORS, compute_features
from algoconf.instances import FeatureTable, Instance, InstanceSet, read_feature_file, read_instance_list
from algoconf.scenario.model import MAX_MEMORY_MB, MAX_NUMBER, SYNTAXES, Budget, Scenario, TargetSpec
from algoconf.space import read_space
from algoconf.space.json_format import parse_json
from algoconf.targets.parsers import OUTPUT_PARSERS
from algoconf.text_files import read_user_text

__all__ = ["load_yaml_scenario", "YAML_KEYS", "REQUIRED_KEYS"]

YAML_KEYS = (
    "name", "target", "space", "train", "test", "features", "feature_costs", "allow_missing_features",
    "objective", "maximize", "cutoff", "time_kind", "par_factor", "budget", "memory_limit",
    "deterministic", "seed", "crash_policy", "max_failure_rate", "min_runs_for_failure_rate",
    "crash_cost", "instance_cache", "utility", "equivalence_cache",
)  # fmt: skip
REQUIRED_KEYS = ("target", "space", "train")
TARGET_KEYS = ("kind", "command", "callable", "runner", "syntax", "output", "env", "cwd", "options")
BUDGET_KEYS = ("runs", "wallclock", "cpu_time")
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")


class _Doc:
    """A parsed YAML document with the line of every key path."""

    #: at most this many values after expanding aliases (a 1 KB file of nested aliases expands to billions)
    MAX_NODES = 100_000

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines: dict[tuple, int] = {}
        self._walked = 0
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ScenarioError("the scenario file is empty", file=path)
            self.lines[()] = node.start_mark.line + 1
            self._walk(node, ())
            self.data = loader.construct_document(node)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            what = getattr(err, "problem", None) or str(err)
            raise ScenarioError(f"not valid YAML: {what}", file=path, line=mark.line + 1 if mark else None) from None
        finally:
            loader.dispose()
        if not isinstance(self.data, dict):
            raise ScenarioError("a scenario must be a mapping of keys to values", file=path, line=1)

    def _walk(self, node: yaml.Node, keypath: tuple) -> None:
        self._walked += 1
        if self._walked > self.MAX_NODES:
            raise ScenarioError(f"the YAML expands to more than {self.MAX_NODES} values (nested aliases?); "
                                "write the values out", file=self.path, line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in first:
                    raise ScenarioError(f"duplicate key {key!r} (first on line {first[key]})", file=self.path, line=line)
                first[key] = line
                self.lines[keypath + (key,)] = line
                self._walk(value_node, keypath + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[keypath + (i,)] = item.start_mark.line + 1
                self._walk(item, keypath + (i,))

    def line(self, *keypath) -> int | None:
        while keypath and keypath not in self.lines:
            keypath = keypath[:-1]
        return self.lines.get(keypath)

    def error(self, message: str, *keypath) -> ScenarioError:
        return ScenarioError(message, file=self.path, line=self.line(*keypath))

    def check_keys(self, mapping: Mapping, allowed, where: tuple, what: str) -> None:
        for key in mapping:
            if key not in allowed:
                raise self.error(f"unknown {what} key {key!r}; expected one of: {', '.join(allowed)}", *where, key)


def load_yaml_scenario(path: Path, text: str | None = None) -> Scenario:
    """Parse and validate a YAML scenario; see the module docstring for the schema."""
    path = Path(path)
    if text is None:
        text = read_user_text(path, ScenarioError, "scenario file")
    doc = _Doc(path, text)
    data = doc.data
    root = path.parent.resolve()
    doc.check_keys(data, YAML_KEYS, (), "scenario")
    for key in REQUIRED_KEYS:
        if key not in data:
            raise doc.error(f"missing required key {key!r}")

    objective = _choice(doc, data, "objective", ("runtime", "quality"), "runtime")
    cutoff = _number(doc, data, "cutoff", None, positive=True)
    if objective == "runtime" and cutoff is None:
        raise doc.error("missing key 'cutoff': a runtime objective needs a cutoff in seconds", "objective")
    target = _target(doc, data["target"], root)
    if cutoff is None and target.placeholders() & {"cutoff", "cutoff_int"}:
        raise doc.error("the target command uses {cutoff} but the scenario has no cutoff", "target", "command")
    space, space_file = _space(doc, data["space"], root)
    cache_text = _string(doc, data, "instance_cache", ".algoconf/instances")
    cache = root / cache_text
    if not os.path.normpath(cache).startswith(os.path.normpath(root) + os.sep):
        raise doc.error(f"instance_cache must be a folder inside the scenario's folder (generated instances are "
                        f"written there), got {cache_text!r}", "instance_cache")
    if cache.exists() and not cache.is_dir():
        raise doc.error(f"instance_cache {str(cache)!r} is a file; it must be a folder (or not exist yet)",
                        "instance_cache")
    train = _instances(doc, data["train"], root, cache, "train")
    test = _instances(doc, data["test"], root, cache, "test") if data.get("test") is not None else None
    features = None
    if data.get("features") is not None:
        features = _features(doc, data, root, train, test)
    elif data.get("feature_costs") is not None:
        raise doc.error("feature_costs given without features", "feature_costs")
    budget_data = data.get("budget") or {}
    if not isinstance(budget_data, Mapping):
        raise doc.error("budget must be a mapping with keys runs, wallclock, cpu_time", "budget")
    doc.check_keys(budget_data, BUDGET_KEYS, ("budget",), "budget")
    runs = _number(doc, budget_data, "runs", None, positive=True, integer=True, where=("budget",))
    wallclock = _number(doc, budget_data, "wallclock", None, positive=True, where=("budget",))
    cpu_time = _number(doc, budget_data, "cpu_time", None, positive=True, where=("budget",))
    crash_cost = _number(doc, data, "crash_cost", None)
    try:
        return Scenario(
            name=_name(doc, data, path.parent.resolve().name if path.stem == "scenario" else path.stem),
            root=root,
            target=target,
            space=space,
            space_file=space_file,
            train=train,
            test=test,
            features=features,
            objective=objective,
            maximize=_bool(doc, data, "maximize", False),
            cutoff=cutoff,
            par_factor=_number(doc, data, "par_factor", 10.0, minimum=1),
            budget=Budget(runs, wallclock, cpu_time),
            memory_limit=_number(doc, data, "memory_limit", None, positive=True, integer=True, maximum=MAX_MEMORY_MB),
            deterministic=_bool(doc, data, "deterministic", False),
            seed=_number(doc, data, "seed", 0, integer=True),
            crash_policy=_choice(doc, data, "crash_policy", ("record", "abort"), "record"),
            max_failure_rate=_number(doc, data, "max_failure_rate", 0.5, positive=True, maximum=1),
            min_runs_for_failure_rate=_number(doc, data, "min_runs_for_failure_rate", 20, positive=True, integer=True),
            time_kind=_choice(doc, data, "time_kind", ("cpu", "wall"), "cpu"),
            crash_cost=math.inf if crash_cost is None else crash_cost,
            utility=data.get("utility"),
            equivalence_cache=_bool(doc, data, "equivalence_cache", False),
            source=path,
        )
    except ScenarioError as err:
        if err.file is not None:
            raise
        raise ScenarioError(err.message, file=path) from None


# --- typed getters (each error names the key's line) --------------------------------------------------
@overload
def _string(doc: _Doc, data: Mapping, key: str, default: str, where: tuple = ()) -> str: ...
@overload
def _string(doc: _Doc, data: Mapping, key: str, default: None, where: tuple = ()) -> str | None: ...
def _string(doc: _Doc, data: Mapping, key: str, default: str | None, where: tuple = ()) -> str | None:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str) or not value:
        raise doc.error(f"{key} must be a non-empty string, got {value!r}", *where, key)
    return value


def _given_string(doc: _Doc, data: Mapping, key: str, where: tuple = ()) -> str:
    """The non-empty string under ``key`` (a missing key is an error here)."""
    value = _string(doc, data, key, None, where)
    if value is None:
        raise doc.error(f"missing key {key!r}", *where)
    return value


def _bool(doc: _Doc, data: Mapping, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise doc.error(f"{key} must be true or false, got {value!r}", key)
    return value


def _choice(doc: _Doc, data: Mapping, key: str, choices: tuple, default: str) -> str:
    value = data.get(key, default)
    if value not in choices:
        raise doc.error(f"{key} must be one of {', '.join(choices)}; got {value!r}", key)
    return value


def _name(doc: _Doc, data: Mapping, default: str) -> str:
    """The scenario's name: part of default run-directory paths, so a plain name, never a path."""
    name = _string(doc, data, "name", default)
    if "name" in data and not NAME_PATTERN.fullmatch(name):
        raise doc.error(f"name must be a plain name (letters, digits, '_', '-', '.', '+'; not a path), got {name!r}",
                        "name")
    return name


def _number(
    doc: _Doc,
    data: Mapping,
    key: str,
    default,
    *,
    positive: bool = False,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    where: tuple = (),
):
    if key not in data or data[key] is None:
        return default
    value = data[key]
    label = ".".join([*map(str, where), key])
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise doc.error(f"{label} must be {kind}, got {value!r}", *where, key)
    if isinstance(value, int) and abs(value) > MAX_NUMBER:
        raise doc.error(f"{label} is too large (at most {MAX_NUMBER:g})", *where, key)
    if not math.isfinite(value):
        raise doc.error(f"{label} must be finite, got {value!r}", *where, key)
    if positive and not value > 0:
        raise doc.error(f"{label} must be positive, got {value!r}", *where, key)
    if minimum is not None and value < minimum:
        raise doc.error(f"{label} must be at least {minimum}, got {value!r}", *where, key)
    if maximum is not None and value > maximum:
        raise doc.error(f"{label} must be at most {maximum}, got {value!r}", *where, key)
    return value


# --- sections ----------------------------------------------------------------------------------------
def _target(doc: _Doc, data: Any, root: Path) -> TargetSpec:
    if not isinstance(data, Mapping):
        raise doc.error("target must be a mapping with one of command, callable, runner", "target")
    doc.check_keys(data, TARGET_KEYS, ("target",), "target")
    refs = [k for k in ("command", "callable", "runner") if data.get(k) is not None]
    if len(refs) != 1:
        raise doc.error(
            f"target needs exactly one of command, callable, runner (given: {', '.join(refs) or 'none'})", "target"
        )
    inferred = {"command": "command", "callable": "python", "runner": "runner"}[refs[0]]
    kind = data.get("kind", inferred)
    if kind != inferred:
        raise doc.error(f"target kind {kind!r} does not match the key {refs[0]!r}", "target", "kind")
    for key in ("command", "callable", "runner", "syntax", "output"):
        _string(doc, data, key, None, where=("target",))
    if data.get("syntax", "-name value") not in SYNTAXES:
        raise doc.error(
            f"target syntax must be one of {', '.join(repr(s) for s in SYNTAXES)}, got {data['syntax']!r}",
            "target",
            "syntax",
        )
    if kind == "command" and data.get("output", "aclib") not in OUTPUT_PARSERS:
        raise doc.error(
            f"target output must be one of {', '.join(repr(o) for o in sorted(OUTPUT_PARSERS))}, "
            f"got {data['output']!r}",
            "target",
            "output",
        )
    env = data.get("env") or {}
    if not isinstance(env, Mapping):
        raise doc.error("target env must be a mapping of names to strings", "target", "env")
    options = data.get("options") or {}
    if not isinstance(options, Mapping):
        raise doc.error("target options must be a mapping", "target", "options")
    cwd = None
    if data.get("cwd") is not None:
        cwd = (root / _given_string(doc, data, "cwd", where=("target",))).resolve()
        if not cwd.is_dir():
            raise doc.error(f"target cwd {str(cwd)!r} is not a folder", "target", "cwd")
    try:
        return TargetSpec(
            kind=kind,
            command=data.get("command"),
            callable=data.get("callable"),
            runner=data.get("runner"),
            syntax=data.get("syntax", "-name value"),
            output=data.get("output", "aclib"),
            env=env,
            cwd=cwd,
            options=options,
        )
    except ScenarioError as err:
        raise doc.error(err.message, "target", refs[0]) from None


def _space(doc: _Doc, value: Any, root: Path) -> tuple[ConfigurationSpace, Path | None]:
    if isinstance(value, Mapping) and "configspace" in value and set(value) <= {"configspace", "meta"}:
        try:
            space = ConfigurationSpace.from_serialized_dict(copy.deepcopy(value["configspace"]))  # it pops keys
        except Exception as err:  # ConfigSpace raises assorted errors on a bad dict
            raise doc.error(f"space.configspace is not a serialised ConfigurationSpace: {err}", "space") from None
        if value.get("meta"):  # the space's own meta (e.g. irace digits), which ConfigSpace does not serialise
            space = parse_json(json.dumps({**value["configspace"], "meta": dict(value["meta"])}), "space.configspace")
        return space, None
    if not isinstance(value, str):
        raise doc.error("space must be the path of a parameter file", "space")
    space_file = (root / value).resolve()
    if not space_file.is_file():
        raise doc.error(f"space file {value!r} not found (looked at {space_file})", "space")
    return read_space(space_file), space_file


def _instances(doc: _Doc, value: Any, root: Path, cache: Path, key: str) -> InstanceSet:
    line = doc.line(key)
    if isinstance(value, str):
        list_file = root / value
        if not list_file.is_file():
            raise doc.error(f"{key} instance list {value!r} not found (looked at {list_file})", key)
        return read_instance_list(list_file)
    if isinstance(value, list):
        if not value:
            raise doc.error(f"{key} has no instances", key)
        instances: list[Instance] = []
        first: dict[str, int | None] = {}
        for i, entry in enumerate(value):
            if not isinstance(entry, str):
                raise doc.error(f"{key} entries must be instance paths, got {entry!r}", key, i)
            tokens = shlex.split(entry)
            name = tokens[0]
            if name in first:
                raise doc.error(f"duplicate instance {name!r} (first on line {first[name]})", key, i)
            first[name] = doc.line(key, i)
            p = Path(os.path.normpath(root / name))
            if not p.exists():
                raise doc.error(f"instance file {name!r} not found (looked at {p})", key, i)
            if p.is_dir():
                raise doc.error(f"instance {name!r} is a folder; instances must be files", key, i)
            instances.append(Instance(name, p, tuple(tokens[1:])))
        return InstanceSet(tuple(instances), source=None)
    if isinstance(value, Mapping) and "names" in value:
        doc.check_keys(value, ("names",), (key,), f"{key}")
        names = value["names"]
        if not isinstance(names, list) or not names:
            raise doc.error(f"{key}.names must be a non-empty list of instance names", key, "names")
        names = [str(n) for n in names]
        dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if dup is not None:
            raise doc.error(f"duplicate instance {dup!r}", key, "names", names.index(dup, names.index(dup) + 1))
        return InstanceSet.from_names(names)
    if isinstance(value, Mapping) and "generator" in value:
        return InstanceSet.from_generator(value, cache, file=doc.path, line=line)
    raise doc.error(
        f"{key} must be an instance list file, a list of paths, {{generator: ...}} or {{names: [...]}}", key
    )


_EXTRACTOR_KEYS = {"extractor", "groups", "caps", "workers"}


def _computed_features(doc: _Doc, spec: Mapping, train: InstanceSet, test: InstanceSet | None):
    """``features: {extractor: cnf, groups: [base, unit], caps: {unit: 2}, workers: 2}``: computed
    through the executor (cached by file content), instead of read from a file."""
    unknown = sorted(set(spec) - _EXTRACTOR_KEYS)
    if unknown:
        raise doc.error(f"unknown key {unknown[0]!r} in features; expected {sorted(_EXTRACTOR_KEYS)}", "features", unknown[0])
    if spec.get("extractor") not in EXTRACTORS:
        raise doc.error(f"features.extractor must be one of {list(EXTRACTORS)}, got {spec.get('extractor')!r}", "features")
    groups = spec.get("groups")
    if groups is not None and (not isinstance(groups, list) or not all(isinstance(g, str) for g in groups)):
        raise doc.error("features.groups must be a list of group names", "features", "groups")
    instances = list(train) + ([i for i in test if i.name not in train] if test is not None else [])
    pathless = [i.name for i in instances if i.path is None]
    if pathless:
        raise doc.error(f"features can only be computed for instance files; {pathless[0]!r} has none", "features")
    try:
        comp = compute_features(
            [i.path for i in instances if i.path is not None], extractor=spec["extractor"], groups=groups,
            caps=spec.get("caps"), workers=spec.get("workers"),
        )
    except KeyError as err:
        raise doc.error(str(err.args[0]), "features", "groups") from None
    by_path = {str(i.path): i.name for i in instances}
    values = {by_path[p]: row.to_numpy(dtype=float) for p, row in comp.values.iterrows()}
    costs = {by_path[p]: float(c) for p, c in comp.costs.sum(axis=1).items()}
    return FeatureTable(tuple(comp.values.columns), values, costs, extractor_spec=dict(spec))


def _features(doc: _Doc, data: Mapping, root: Path, train: InstanceSet, test: InstanceSet | None):
    if isinstance(data.get("features"), Mapping):
        return _computed_features(doc, data["features"], train, test)
    fpath = root / _given_string(doc, data, "features")
    if not fpath.is_file():
        raise doc.error(f"feature file {data['features']!r} not found (looked at {fpath})", "features")
    cpath = None
    if data.get("feature_costs") is not None:
        cpath = root / _given_string(doc, data, "feature_costs")
        if not cpath.is_file():
            raise doc.error(f"feature cost file {data['feature_costs']!r} not found (looked at {cpath})", "feature_costs")
    instances = list(train) + ([i for i in test if i.name not in train] if test is not None else [])
    return read_feature_file(fpath, instances, cpath, allow_missing=_bool(doc, data, "allow_missing_features", False))

