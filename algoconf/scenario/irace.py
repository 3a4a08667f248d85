"""Loading an irace ``scenario.txt`` (``name = value`` R assignments, ``#`` comments).

irace evaluates the file as R code; algoconf reads its assignments of literal values only
(strings, numbers such as ``100`` or ``687542627L``, ``TRUE``/``FALSE``) and refuses any other R code
with its line. As in irace, names are case-sensitive, a name irace does not know is an error (names
starting with ``.`` are the user's own and are skipped), every unset option takes irace's default,
and relative paths are relative to the scenario file's folder. What each option becomes:

==========================================  =================================================
``parameterFile`` (``./parameters.txt``)    space (irace format); ``digits`` and a
                                            ``forbiddenFile`` are added to it as irace 3 does
``execDir`` (``./``)                        the target's working folder
``targetRunner`` (``./target-runner``)      the command ``<targetRunner> 1 1 <seed> <instance>
                                            <switches...>`` (irace's call, with configuration and
                                            instance ids fixed to 1); its output ``cost [time]``
``trainInstancesDir`` (``./Instances``),    train: the file's lines (each prefixed with the
``trainInstancesFile``                      folder, as irace does), or every file in the folder
``testInstancesDir``, ``testInstancesFile``  test, likewise
``maxExperiments``, ``maxTime``             budget.runs, budget.cpu_time (one must be positive)
``deterministic``, ``seed``                 deterministic, seed
==========================================  =================================================

The objective is irace's: the cost the target runner prints (``quality``), minimised. Options
that steer irace's own racing (``firstTest``, ``testType``, ``parallel``, ``logFile``, ...) are
accepted and ignored with a warning; ``targetEvaluator``, ``targetRunnerLauncher`` and
``capping`` (irace's runtime capping) are refused, as algoconf does not implement them.
"""

from __future__ import annotations

import math
import re
import shlex
import warnings
from pathlib import Path
from typing import Any

from algoconf.errors import ScenarioError
from algoconf.instances import Instance, InstanceSet
from algoconf.scenario.aclib import scenario_name
from algoconf.scenario.model import Budget, Scenario, TargetSpec
from algoconf.space import parse_space
from algoconf.space.irace import split_comment

__all__ = ["load_irace_scenario", "IRACE_OPTIONS", "looks_like_irace"]

#: irace 3.5's scenario options (``.irace.params.def``) and irace 4's additions
IRACE_OPTIONS = frozenset(
    """scenarioFile execDir parameterFile forbiddenFile configurationsFile logFile recoveryFile instances
    trainInstancesDir trainInstancesFile sampleInstances testInstancesDir testInstancesFile testInstances
    testNbElites testIterationElites testType firstTest eachTest targetRunner targetRunnerLauncher
    targetRunnerLauncherArgs targetRunnerRetries targetRunnerTimeout targetRunnerData targetRunnerParallel
    targetEvaluator deterministic maxExperiments minExperiments maxTime budgetEstimation minMeasurableTime
    parallel loadBalancing mpi batchmode digits debugLevel nbIterations nbExperimentsPerIteration
    minNbSurvival nbConfigurations mu confidence seed softRestart softRestartThreshold elitist
    elitistNewInstances elitistLimit repairConfiguration capping cappingType boundType boundMax
    boundDigits boundPar boundAsTimeout postselection aclib quiet initConfigurations
    iterations experiments""".split()
)
_USED = frozenset(
    """execDir parameterFile forbiddenFile trainInstancesDir trainInstancesFile testInstancesDir
    testInstancesFile targetRunner deterministic maxExperiments maxTime digits seed""".split()
)
_REFUSED = {
    "targetEvaluator": "irace's targetEvaluator (costs computed after all runs of an iteration)",
    "targetRunnerLauncher": "irace's targetRunnerLauncher",
    "capping": "irace's runtime capping",
    "instances": "instances given as an R vector",
    "testInstances": "test instances given as an R vector",
}
#: irace-only option names that tell an irace scenario from an AClib one
_IRACE_ONLY = _USED - {"deterministic", "seed", "digits"} | {"configurationsFile", "logFile", "firstTest", "testType"}
_ASSIGN = re.compile(r"^\s*([.A-Za-z_][.A-Za-z0-9_]*)\s*(?:=|<-)\s*(.*?)\s*;?\s*$")
_DEFAULTS = {
    "execDir": "./",
    "parameterFile": "./parameters.txt",
    "trainInstancesDir": "./Instances",
    "targetRunner": "./target-runner",
    "digits": 4,
    "maxExperiments": 0,
    "maxTime": 0,
    "deterministic": False,
    "seed": None,
}


def looks_like_irace(text: str) -> bool:
    """True when an assignment names an option only irace has (``parameterFile``, ``maxExperiments``, ...)."""
    for raw in text.splitlines():
        m = _ASSIGN.match(split_comment(raw)[0])
        if m and m.group(1) in _IRACE_ONLY:
            return True
    return False


def _literal(text: str) -> Any:
    """An R literal: a string, a number (``10``, ``1e3``, ``5L``), TRUE/FALSE, NULL/NA; else ValueError."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text in ("TRUE", "T"):
        return True
    if text in ("FALSE", "F"):
        return False
    if text in ("NULL", "NA"):
        return None
    m = re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?L?", text)
    if m:
        value = float(text.rstrip("L"))
        return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    if text == "Inf":
        return math.inf
    raise ValueError(text)


def _read(path: Path, text: str) -> dict[str, tuple[Any, int]]:
    entries: dict[str, tuple[Any, int]] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        code = split_comment(raw)[0]
        if not code:
            continue
        m = _ASSIGN.match(code)
        if not m:
            raise ScenarioError(
                f"expected 'name = value', got {code[:60]!r} (algoconf reads an irace scenario's assignments "
                "of literal values, not other R code)",
                file=path,
                line=lineno,
            )
        name, value_text = m.group(1), m.group(2)
        if name.startswith("."):
            continue  # the user's own variables (irace's rule)
        if name not in IRACE_OPTIONS:
            raise ScenarioError(
                f"unknown irace option {name!r} (irace's names are case-sensitive: parameterFile, "
                "trainInstancesDir, targetRunner, maxExperiments, ...)",
                file=path,
                line=lineno,
            )
        try:
            value = _literal(value_text)
        except ValueError:
            raise ScenarioError(
                f"{name}: expected a string, number or TRUE/FALSE, got {value_text[:60]!r} (R expressions are not read)",
                file=path,
                line=lineno,
            ) from None
        if name in entries:
            raise ScenarioError(f"option {name!r} set twice (first on line {entries[name][1]})", file=path, line=lineno)
        entries[name] = (value, lineno)
    return entries


def load_irace_scenario(path: Path, text: str | None = None) -> Scenario:
    """Parse and validate an irace ``scenario.txt`` (module docstring)."""
    path = Path(path)
    text = path.read_text() if text is None else text
    entries = _read(path, text)
    root = path.resolve().parent

    def line(name: str) -> int:
        return entries[name][1] if name in entries else 1

    def get(name: str) -> Any:
        return entries[name][0] if name in entries else _DEFAULTS.get(name)

    def err(message: str, name: str) -> ScenarioError:
        return ScenarioError(message, file=path, line=line(name))

    for name, what in _REFUSED.items():
        if name in entries and entries[name][0] not in (None, False, "", 0):
            raise err(f"{what} is not supported by algoconf", name)
    for name in sorted(set(entries) - _USED - set(_REFUSED)):
        warnings.warn(f"{path}:{line(name)}: irace option {name!r} steers irace's own racing; ignored", stacklevel=3)

    def resolve(name: str, *, folder: bool = False, required: bool = True) -> Path | None:
        value = get(name)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise err(f"{name} must be a path (a quoted string), got {value!r}", name)
        p = Path(value) if Path(value).is_absolute() else (root / value)
        p = Path(str(p.resolve()))
        ok = p.is_dir() if folder else p.is_file()
        if not ok and required:
            default = "" if name in entries else " (irace's default)"
            raise err(f"{name} {value!r}{default} not found (looked at {p}; irace paths are relative to the scenario's folder)", name)
        return p if ok else None

    def number(name: str) -> float:
        value = get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise err(f"{name} must be a number >= 0, got {value!r}", name)
        return value

    parameter_file = resolve("parameterFile")
    if parameter_file is None:
        raise err("parameterFile must name the parameter file", "parameterFile")
    space_text = parameter_file.read_text()
    digits = get("digits")
    if not isinstance(digits, int) or isinstance(digits, bool) or not 1 <= digits <= 15:
        raise err(f"digits must be an integer from 1 to 15, got {digits!r}", "digits")
    if "digits" in entries and not re.search(r"^\s*\[\s*global\s*\]", space_text, re.M | re.I):
        space_text += f"\n[global]\ndigits = {digits}\n"
    forbidden_file = resolve("forbiddenFile")
    if forbidden_file is not None:
        space_text += "\n[forbidden]\n" + forbidden_file.read_text()
    space = parse_space(space_text, "irace", source=str(parameter_file))
    augmented = space_text != parameter_file.read_text()  # digits or forbiddenFile added: not the file alone

    exec_dir = resolve("execDir", folder=True)
    runner = resolve("targetRunner")
    train = _instances(entries, "train", resolve, err)
    test = _instances(entries, "test", resolve, err) if {"testInstancesDir", "testInstancesFile"} & set(entries) else None
    max_experiments, max_time = number("maxExperiments"), number("maxTime")
    if max_experiments <= 0 and max_time <= 0:
        raise err("irace needs a budget: maxExperiments or maxTime must be positive", "maxExperiments")
    if max_experiments and not float(max_experiments).is_integer():
        raise err(f"maxExperiments must be an integer, got {max_experiments!r}", "maxExperiments")
    seed = get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise err(f"seed must be an integer, got {seed!r}", "seed")
    deterministic = get("deterministic")
    if deterministic in (0, 1):
        deterministic = bool(deterministic)
    if not isinstance(deterministic, bool):
        raise err(f"deterministic must be TRUE/FALSE or 0/1, got {deterministic!r}", "deterministic")
    command = f"{shlex.quote(str(runner))} 1 1 {{seed}} {{instance}} {{config}}"
    switches = {name: (space[name].meta or {}).get("switch", "") for name in space.keys()}
    target = TargetSpec(
        kind="command", command=command, syntax="irace", output="irace", cwd=exec_dir, options={"switches": switches}
    )
    try:
        return Scenario(
            name=scenario_name(path),
            root=root,
            target=target,
            space=space,
            space_file=None if augmented else parameter_file,
            train=train,
            test=test,
            objective="quality",
            budget=Budget(int(max_experiments) or None, None, float(max_time) or None),
            deterministic=deterministic,
            seed=int(seed) % (2**31) if seed is not None else 0,
            source=path,
        )
    except ScenarioError as error:
        if error.file is not None:
            raise
        raise ScenarioError(error.message, file=path) from None


def _instances(entries: dict, which: str, resolve: Any, err: Any) -> InstanceSet:
    """irace's instances: the lines of ``<which>InstancesFile`` prefixed with ``<which>InstancesDir``
    (as irace pastes them), or every file under the folder, sorted."""
    dir_key, file_key = f"{which}InstancesDir", f"{which}InstancesFile"
    folder = resolve(dir_key, folder=True, required=file_key not in entries)
    default_dir = _DEFAULTS.get(dir_key)
    written_dir = entries[dir_key][0] if dir_key in entries else (None if default_dir is None else str(default_dir))
    listing = resolve(file_key)
    instances: list[Instance] = []
    if listing is not None:
        for lineno, raw in enumerate(listing.read_text().splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            first, *rest = line.split()
            base = folder if (written_dir and folder is not None) else listing.parent
            candidate = Path(first) if Path(first).is_absolute() else base / first
            if candidate.exists():
                instances.append(Instance(first, candidate.resolve(), tuple(rest), meta={"list": str(listing), "line": lineno}))
            else:  # not a file: the target runner gets the text irace would paste
                name = str(Path(written_dir) / first) if written_dir else first
                instances.append(Instance(name, None, tuple(rest), meta={"list": str(listing), "line": lineno}))
        source = None if written_dir else {"list": str(listing)}
    else:
        assert folder is not None
        for p in sorted(q for q in folder.rglob("*") if q.is_file()):
            instances.append(Instance(str(p.relative_to(folder)), p))
        source = None
    if not instances:
        raise err(f"no {which}ing instances (irace needs {dir_key} with files or {file_key} with lines)", file_key if listing else dir_key)
    try:
        return InstanceSet(tuple(instances), source=source)
    except Exception as error:  # duplicate names
        raise err(str(error), file_key if listing else dir_key) from None
