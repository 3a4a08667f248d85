"""Loading an AClib / SMAC 1-2 ``scenario.txt`` (``key = value`` lines, ``#`` comments).

Keys are case-insensitive, a leading ``-`` is dropped and ``-`` equals ``_`` (``tuner-timeout`` is
``tuner_timeout``). Recognised keys and what they become:

=============================================  ===============================================
``algo``                                        target command (old AClib call, ``aclib`` output)
``paramfile`` / ``param_file`` / ``pcs_fn``     space
``execdir``                                     the target's working folder; also searched for files
``run_obj``                                     objective (``runtime`` | ``quality``)
``overall_obj``                                 ``PARk`` / ``meanK`` / ``mean``: PAR factor k (1 for mean)
``cutoff_time`` / ``cutoff``                    cutoff (CPU seconds)
``cutoff_length``                               passed to the old call (default ``max``)
``wallclock_limit``                             budget.wallclock
``tuner_timeout`` / ``algo_runs_timelimit``     budget.cpu_time
``runcount_limit``                              budget.runs
``instance_file`` / ``instances``               train
``test_instance_file`` / ``test_instances``     test
``feature_file`` / ``features``                 features
``deterministic``                               deterministic (0/1/true/false)
``memory_limit``                                memory limit (MB)
``cost_for_crash``                              crash cost
``abort_on_first_run_crash``                    crash policy ``abort`` when true
=============================================  ===============================================

SMAC-only tuning knobs (:data:`IGNORED_KEYS`, e.g. ``shared_model``, ``minR``) are accepted and
ignored with a warning; any other key is an error naming its line. Paths are looked up relative to
the scenario file's folder, then relative to ``execdir``.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

from algoconf.errors import ScenarioError
from algoconf.instances import read_feature_file, read_instance_list
from algoconf.scenario import Budget, Scenario, TargetSpec

__all__ = ["load_aclib_scenario", "ACLIB_KEYS", "IGNORED_KEYS"]

ACLIB_KEYS = {
    "algo": "algo",
    "paramfile": "paramfile",
    "param_file": "paramfile",
    "pcs_fn": "paramfile",
    "execdir": "execdir",
    "run_obj": "run_obj",
    "overall_obj": "overall_obj",
    "cutoff_time": "cutoff_time",
    "cutoff": "cutoff_time",
    "cutoff_length": "cutoff_length",
    "wallclock_limit": "wallclock_limit",
    "tuner_timeout": "tuner_timeout",
    "algo_runs_timelimit": "tuner_timeout",
    "runcount_limit": "runcount_limit",
    "instance_file": "instance_file",
    "instances": "instance_file",
    "test_instance_file": "test_instance_file",
    "test_instances": "test_instance_file",
    "feature_file": "feature_file",
    "features": "feature_file",
    "deterministic": "deterministic",
    "memory_limit": "memory_limit",
    "cost_for_crash": "cost_for_crash",
    "abort_on_first_run_crash": "abort_on_first_run_crash",
}
IGNORED_KEYS = frozenset(
    {
        "output_dir", "shared_model", "input_psmac_dirs", "always_race_default", "minr", "maxr",
        "intens_adaptive_capping_slackfactor", "intensification_percentage", "initial_incumbent",
        "rand_prob", "transform_y", "save_instantly", "intens_min_chall", "acq_opt_challengers",
    }
)  # fmt: skip
REQUIRED = ("algo", "paramfile", "run_obj", "instance_file")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse_lines(path: Path, text: str) -> dict[str, tuple[str, int]]:
    entries: dict[str, tuple[str, int]] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        if "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
        else:
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise ScenarioError(f"expected 'key = value', got {raw.strip()!r}", file=path, line=lineno)
            key, value = parts
        norm = key.lower().lstrip("-").replace("-", "_")
        if norm in IGNORED_KEYS:
            warnings.warn(f"{path}:{lineno}: SMAC option {key!r} has no meaning in algoconf; ignored", stacklevel=3)
            continue
        if norm not in ACLIB_KEYS:
            raise ScenarioError(
                f"unknown key {key!r}; expected one of: {', '.join(sorted(set(ACLIB_KEYS.values())))}",
                file=path,
                line=lineno,
            )
        canon = ACLIB_KEYS[norm]
        if canon in entries:
            raise ScenarioError(
                f"key {key!r} given twice (first on line {entries[canon][1]})", file=path, line=lineno
            )
        if not value:
            raise ScenarioError(f"key {key!r} has no value", file=path, line=lineno)
        entries[canon] = (value.strip("'\"") if canon != "algo" else value, lineno)
    return entries


def load_aclib_scenario(path: Path, text: str | None = None) -> Scenario:
    """Parse and validate an AClib ``scenario.txt``."""
    path = Path(path)
    text = path.read_text() if text is None else text
    entries = _parse_lines(path, text)
    for key in REQUIRED:
        if key not in entries:
            raise ScenarioError(f"missing required key {key!r}", file=path, line=1)

    def err(message: str, key: str) -> ScenarioError:
        return ScenarioError(message, file=path, line=entries[key][1])

    def number(key: str, *, integer: bool = False) -> float | int | None:
        if key not in entries:
            return None
        value = entries[key][0]
        try:
            x = int(value) if integer else float(value)
        except ValueError:
            raise err(f"{key} must be {'an integer' if integer else 'a number'}, got {value!r}", key) from None
        if not (math.isfinite(x) and x > 0):
            raise err(f"{key} must be positive, got {value!r}", key)
        return x

    def flag(key: str) -> bool:
        if key not in entries:
            return False
        value = entries[key][0].lower()
        if value not in _TRUE | _FALSE:
            raise err(f"{key} must be 0/1/true/false, got {entries[key][0]!r}", key)
        return value in _TRUE

    root = path.parent.resolve()
    execdir = root
    if "execdir" in entries:
        execdir = (root / entries["execdir"][0]).resolve()
        if not execdir.is_dir():
            raise err(f"execdir {entries['execdir'][0]!r} is not a folder (looked at {execdir})", "execdir")
    bases = [root] if execdir == root else [root, execdir]

    def locate(key: str) -> Path:
        value = entries[key][0]
        for base in bases:
            candidate = (base / value).resolve()
            if candidate.is_file():
                return candidate
        where = " or ".join(str(b / value) for b in bases)
        raise err(f"{key} {value!r} not found (looked at {where})", key)

    objective = entries["run_obj"][0].lower()
    if objective not in ("runtime", "quality"):
        raise err(f"run_obj must be runtime or quality, got {entries['run_obj'][0]!r}", "run_obj")
    par_factor = 10.0
    if "overall_obj" in entries:
        match = re.fullmatch(r"(par|mean)(\d+(?:\.\d+)?)?", entries["overall_obj"][0].lower())
        if not match:
            raise err(f"overall_obj must be PARk, meanK or mean, got {entries['overall_obj'][0]!r}", "overall_obj")
        par_factor = float(match.group(2)) if match.group(2) else (1.0 if match.group(1) == "mean" else 10.0)
        if par_factor < 1:
            raise err(f"overall_obj penalty factor must be at least 1, got {entries['overall_obj'][0]!r}", "overall_obj")
    cutoff = number("cutoff_time")
    if objective == "runtime" and cutoff is None:
        raise ScenarioError("missing key 'cutoff_time': run_obj = runtime needs a cutoff", file=path, line=entries["run_obj"][1])

    from algoconf.space import read_space

    space_file = locate("paramfile")
    space = read_space(space_file)
    train = read_instance_list(locate("instance_file"), search=bases)
    test = read_instance_list(locate("test_instance_file"), search=bases) if "test_instance_file" in entries else None
    features = None
    if "feature_file" in entries:
        instances = list(train) + ([i for i in test if i.name not in train] if test is not None else [])
        features = read_feature_file(locate("feature_file"), instances)
    options = {"cutoff_length": entries.get("cutoff_length", ("max", 0))[0]}
    target = TargetSpec(
        kind="command", command=entries["algo"][0], syntax="aclib-old", output="aclib", cwd=execdir, options=options
    )
    crash_cost = None
    if "cost_for_crash" in entries:
        try:
            crash_cost = float(entries["cost_for_crash"][0])
        except ValueError:
            crash_cost = math.nan
        if not math.isfinite(crash_cost):
            raise err(f"cost_for_crash must be a finite number, got {entries['cost_for_crash'][0]!r}", "cost_for_crash")
    try:
        return Scenario(
            name=path.parent.name if path.stem == "scenario" else path.stem,
            root=root,
            target=target,
            space=space,
            space_file=space_file,
            train=train,
            test=test,
            features=features,
            objective=objective,
            cutoff=cutoff,
            par_factor=par_factor,
            budget=Budget(number("runcount_limit", integer=True), number("wallclock_limit"), number("tuner_timeout")),
            memory_limit=number("memory_limit", integer=True),
            deterministic=flag("deterministic"),
            crash_policy="abort" if flag("abort_on_first_run_crash") else "record",
            time_kind="cpu",
            crash_cost=math.inf if crash_cost is None else crash_cost,
            source=path,
        )
    except ScenarioError as error:
        if error.file is not None:
            raise
        raise ScenarioError(error.message, file=path) from None
