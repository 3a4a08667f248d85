"""Loading an AClib / SMAC ``scenario.txt`` (``key = value`` lines, ``#`` comments), as SMAC 2 and
SMAC 3 write them.

Keys are case-insensitive, a leading ``-`` is dropped and ``-`` equals ``_`` (``tuner-timeout`` is
``tuner_timeout``, ``runObj`` is ``runobj``). Recognised keys (every SMAC 2 and SMAC 3 spelling of
each) and what they become:

========================================================================  =================================
``algo`` / ``ta`` / ``algo_exec``                                           target command (old AClib call)
``paramfile`` / ``param_file`` / ``pcs_fn`` / ``pcs_file``                  space
``execdir`` / ``exec_dir`` / ``algo_exec_dir``                              the target's working folder
``run_obj`` / ``runobj``                                                    objective (``runtime`` | ``quality``)
``overall_obj`` / ``overallobj``                                            ``PARk`` / ``meanK`` / ``mean``
``par_factor``                                                              PAR factor k (SMAC 3)
``cutoff_time`` / ``cutoff`` / ``cutofftime`` / ``target_run_cputime_limit``  cutoff (CPU seconds)
``cutoff_length`` / ``cutofflength``                                        passed to the old call (``max``)
``wallclock_limit`` / ``runtime_limit`` / ``wallclocklimit``                budget.wallclock
``tuner_timeout`` / ``algo_runs_timelimit`` / ``cputime_limit``             budget.cpu_time
``runcount_limit`` / ``ta_run_limit`` / ``numberofrunslimit`` / ...         budget.runs
``instance_file`` / ``instances`` / ``train_inst_fn`` / ``instancefile``    train
``test_instance_file`` / ``test_instances`` / ``test_inst_fn``              test
``feature_file`` / ``features`` / ``feature_fn``                            features
``use_instances``                                                           false: no instances
``deterministic``                                                           deterministic (0/1/true/false)
``memory_limit``                                                            memory limit (MB)
``cost_for_crash``                                                          crash cost
``abort_on_first_run_crash``                                                crash policy ``abort`` when true
``multi_objectives``                                                        ``cost`` only (one objective)
========================================================================  =================================

A limit of ``inf`` (as SMAC 3 writes it) means no limit. Without an instance file (SMAC 3 makes it
optional) the target is called with the single instance name ``0``.

SMAC-only tuning knobs (:data:`IGNORED_KEYS`, e.g. ``shared_model``, ``minR``) are accepted and
ignored with a warning; any other key is an error naming its line.

Paths: AClib and SMAC write paths relative to the folder the tool is started from (the current
directory); algoconf tries that first, then the scenario file's folder (then ``execdir``), and
names every place it tried when a file is found in none. The folder where the parameter file was
found is the scenario's root: the default ``execdir`` and the base of the other paths.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

from algoconf.errors import ScenarioError
from algoconf.instances import InstanceSet, read_feature_file, read_instance_list
from algoconf.scenario.model import MAX_MEMORY_MB, MAX_NUMBER, Budget, Scenario, TargetSpec
from algoconf.space import read_space
from algoconf.text_files import read_user_text

__all__ = ["load_aclib_scenario", "scenario_name", "ACLIB_KEYS", "IGNORED_KEYS", "NO_INSTANCE"]

_SPELLINGS = {
    "algo": ("algo", "ta", "algo_exec", "algoexec"),
    "paramfile": ("paramfile", "param_file", "pcs_fn", "pcs_file", "pcsfile"),
    "execdir": ("execdir", "exec_dir", "algo_exec_dir", "algoexecdir"),
    "run_obj": ("run_obj", "runobj"),
    "overall_obj": ("overall_obj", "overallobj", "intra_obj", "intrainstanceobj"),
    "par_factor": ("par_factor",),
    "cutoff_time": ("cutoff_time", "cutoff", "cutofftime", "target_run_cputime_limit", "targetruncputimelimit"),
    "cutoff_length": ("cutoff_length", "cutofflength"),
    "wallclock_limit": ("wallclock_limit", "wallclocklimit", "runtime_limit", "runtimelimit"),
    "tuner_timeout": ("tuner_timeout", "tunertimeout", "algo_runs_timelimit", "cputime_limit", "cputimelimit"),
    "runcount_limit": (
        "runcount_limit", "runcountlimit", "ta_run_limit", "numberofrunslimit", "totalnumrunslimit",
        "numrunslimit", "number_of_runs_limit",
    ),
    "instance_file": ("instance_file", "instances", "instancefile", "train_inst_fn", "instance_dir"),
    "test_instance_file": ("test_instance_file", "test_instances", "testinstancefile", "test_inst_fn", "test_instance_dir"),
    "feature_file": ("feature_file", "features", "featurefile", "feature_fn", "instance_feature_file"),
    "use_instances": ("use_instances", "useinstances"),
    "deterministic": ("deterministic", "algo_deterministic", "algodeterministic"),
    "memory_limit": ("memory_limit", "memorylimit", "algo_memory_limit"),
    "cost_for_crash": ("cost_for_crash",),
    "abort_on_first_run_crash": ("abort_on_first_run_crash", "abortonfirstruncrash"),
    "multi_objectives": ("multi_objectives",),
}  # fmt: skip
#: every accepted spelling (normalised: lower case, ``-`` as ``_``) -> the key it means
ACLIB_KEYS = {spelling: key for key, spellings in _SPELLINGS.items() for spelling in spellings}
IGNORED_KEYS = frozenset(
    {
        "output_dir", "outdir", "shared_model", "input_psmac_dirs", "always_race_default", "minr", "maxr",
        "intens_adaptive_capping_slackfactor", "intensification_percentage", "initial_incumbent",
        "rand_prob", "transform_y", "save_instantly", "save_results_instantly", "intens_min_chall",
        "acq_opt_challengers", "limit_resources", "hydra_iterations", "use_ta_time", "sls_n_steps_plateau_walk",
        "sls_max_steps", "rf_num_trees", "rf_do_bootstrapping", "rf_ratio_features", "rf_min_samples_split",
        "rf_min_samples_leaf", "rf_max_depth", "random_configuration_chooser", "check_for_deterministic",
        "validation", "num_validation_runs",
    }
)  # fmt: skip
REQUIRED = ("algo", "paramfile", "run_obj")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
#: the instance name an instance-free scenario calls its target with
NO_INSTANCE = "0"


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


def load_aclib_scenario(path: Path, text: str | None = None, *, cwd: Path | None = None) -> Scenario:
    """Parse and validate an AClib / SMAC ``scenario.txt``; relative paths are tried from ``cwd``
    (default: the current directory), then beside the file (module docstring)."""
    path = Path(path)
    if text is None:
        text = read_user_text(path, ScenarioError, "scenario file")
    entries = _parse_lines(path, text)
    for key in REQUIRED:
        if key not in entries:
            raise ScenarioError(f"missing required key {key!r}", file=path, line=1)

    def err(message: str, key: str) -> ScenarioError:
        return ScenarioError(message, file=path, line=entries[key][1])

    def number(key: str, *, integer: bool = False, unlimited: bool = False) -> float | int | None:
        """A positive number; ``inf`` means None (no limit) where ``unlimited``."""
        if key not in entries:
            return None
        value = entries[key][0]
        try:
            x = float(value)
        except ValueError:
            raise err(f"{key} must be {'an integer' if integer else 'a number'}, got {value!r}", key) from None
        if math.isinf(x) and value.strip().lstrip("+").lower() not in ("inf", "infinity"):
            raise err(f"{key} is too large, got {value[:40]!r}", key)  # 401 digits are not 'inf'
        if unlimited and x == math.inf:
            return None

        if math.isfinite(x) and abs(x) > (MAX_MEMORY_MB if key == "memory_limit" else MAX_NUMBER):
            raise err(f"{key} is too large, got {value[:40]!r}", key)
        if not (math.isfinite(x) and x > 0):
            raise err(f"{key} must be positive{' or inf' if unlimited else ''}, got {value!r}", key)
        if integer:
            if not x.is_integer():
                raise err(f"{key} must be an integer, got {value!r}", key)
            return int(x)
        return x

    def integer(key: str, *, unlimited: bool = False) -> int | None:
        """A positive integer; ``inf`` means None (no limit) where ``unlimited``."""
        x = number(key, integer=True, unlimited=unlimited)
        return None if x is None else int(x)

    def flag(key: str, default: bool = False) -> bool:
        if key not in entries:
            return default
        value = entries[key][0].lower()
        if value not in _TRUE | _FALSE:
            raise err(f"{key} must be 0/1/true/false, got {entries[key][0]!r}", key)
        return value in _TRUE

    here = Path.cwd() if cwd is None else Path(cwd)
    beside = path.resolve().parent
    starts = list(dict.fromkeys([here.resolve(), beside]))

    def tried(value: str, bases: list[Path]) -> str:
        return " or ".join(str(b / value) for b in dict.fromkeys(bases))

    def locate(key: str, bases: list[Path]) -> Path:
        value = entries[key][0]
        for base in bases:
            candidate = (base / value).resolve()
            if candidate.is_file():
                return candidate
        raise err(f"{key} {value!r} not found (looked at {tried(value, bases)})", key)

    # the folder the parameter file is found from is the scenario's root (an execdir next)
    value = entries["paramfile"][0]
    root = next((b for b in starts if (b / value).is_file()), None)
    execdir: Path | None = None
    if "execdir" in entries:
        folder = entries["execdir"][0]
        order = [root] + [b for b in starts if b != root] if root is not None else starts
        execdir = next(((b / folder).resolve() for b in order if (b / folder).is_dir()), None)
        if execdir is None:
            raise err(f"execdir {folder!r} is not a folder (looked at {tried(folder, order)})", "execdir")
        if root is None and (execdir / value).is_file():
            root = next(b for b in order if (b / folder).resolve() == execdir)
    if root is None:
        raise err(f"paramfile {value!r} not found (looked at {tried(value, starts + ([execdir] if execdir else []))})", "paramfile")
    bases = [root] + [b for b in starts if b != root]
    if execdir is None:
        execdir = root
    if execdir not in bases:
        bases.append(execdir)
    space_file = locate("paramfile", bases)

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
    if "par_factor" in entries:
        factor = number("par_factor")
        assert factor is not None  # the key is there
        if "overall_obj" in entries and factor != par_factor:
            raise err(
                f"par_factor {entries['par_factor'][0]} contradicts overall_obj {entries['overall_obj'][0]} "
                f"(line {entries['overall_obj'][1]})",
                "par_factor",
            )
        par_factor = float(factor)
    if "multi_objectives" in entries and entries["multi_objectives"][0].strip().lower() != "cost":
        raise err(f"algoconf optimises one objective ('cost'), got multi_objectives = {entries['multi_objectives'][0]!r}", "multi_objectives")
    cutoff = number("cutoff_time", unlimited=objective == "quality")
    if objective == "runtime" and cutoff is None:
        raise ScenarioError("missing key 'cutoff_time': run_obj = runtime needs a cutoff", file=path, line=entries["run_obj"][1])

    space = read_space(space_file)
    if flag("use_instances", True) and "instance_file" in entries:
        train = read_instance_list(locate("instance_file", bases), search=bases)
    else:
        train = InstanceSet.from_names([NO_INSTANCE])
    test = read_instance_list(locate("test_instance_file", bases), search=bases) if "test_instance_file" in entries else None
    features = None
    if "feature_file" in entries:
        instances = list(train) + ([i for i in test if i.name not in train] if test is not None else [])
        features = read_feature_file(locate("feature_file", bases), instances)
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
            name=scenario_name(path),
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
            budget=Budget(
                integer("runcount_limit", unlimited=True),
                number("wallclock_limit", unlimited=True),
                number("tuner_timeout", unlimited=True),
            ),
            memory_limit=integer("memory_limit"),
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


def scenario_name(path: Path) -> str:
    """A ``scenario.txt`` is named after its folder (``.../spear_qcp/scenario.txt`` -> ``spear_qcp``),
    any other file after its stem; never empty (a relative ``scenario.txt`` is resolved first)."""
    path = Path(path).resolve()
    if path.stem.lower() == "scenario" and path.parent.name:
        return path.parent.name
    return path.stem or "scenario"
