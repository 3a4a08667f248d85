"""Reading ASlib scenarios (coseal/aslib-spec) into one frozen :class:`ASlibScenario`.

What the reader does with each part of the format:

* ``description.txt`` is YAML. List-valued fields (``performance_type: [runtime]``,
  ``maximize: [false]``, ``performance_measures: [...]``) take their first entry: the scenario's
  primary measure, which is the first performance column of ``algorithm_runs.arff``. A cutoff of
  ``?`` (or a missing one) becomes ``None``; numbers written as strings (``'60'``) are parsed.
  ``feature_steps`` accepts the current form (``step: {provides: [...], requires: [...]}``) and the
  ASlib 1.0 form (``step: [features...]``).
* ``algorithm_runs.arff``: columns ``instance_id, repetition, algorithm, <measures...>, runstatus``.
  **Repetitions** are aggregated per (instance, algorithm): ``performance`` is the mean of the
  recorded values over the repetitions; ``runstatus`` is ``ok`` when every repetition is ``ok``,
  else the most frequent non-``ok`` status (ties: the first in file order); ``n_repetitions`` keeps
  the count. A pair with no row at all gets ``performance`` NaN and runstatus ``missing``.
  ``solved`` = runstatus ``ok`` and (runtime scenarios) ``performance <= cutoff``.
  Every status (``ok, timeout, memout, not_applicable, crash, other``) is kept verbatim.
* ``feature_values.arff``: numeric features, averaged over repetitions; ``?`` -> NaN; nominal
  features are coded as the index of the value in the declared list. Instances without a row are
  all-NaN. Only instances that have algorithm runs are kept (in the order of first appearance in
  ``algorithm_runs.arff``).
* ``feature_costs.arff`` (optional): one column per step, reordered to ``feature_steps`` order; a
  step without a column and ``?`` cells are NaN. ``feature_runstatus.arff`` (optional): one column per
  step (``ok, timeout, memout, presolved, crash, unknown, other``); a missing cell is ``missing``.
* ``cv.arff``: the fold of repetition 1 per instance. A scenario without ``cv.arff`` raises (no
  silent made-up folds); an instance without a fold gets fold ``-1`` and is reported in
  ``unfolded_instances``.
* ``*_test.arff`` (CPMP-2015 ships ``algorithm_runs_test.arff``, ``feature_values_test.arff``,
  ``feature_runstatus_test.arff``: a disjoint set of held-out instances): ``load_aslib(path)`` reads
  the standard files, as every published number does; ``load_aslib(path, part="test")`` reads the
  ``_test`` files as a scenario of their own (folds all ``-1``: there is no cv.arff for them).
* ``algorithm_feature_values.arff`` (``-ALGO`` variants, optional): per-algorithm features in
  ``algorithm_features`` (n_alg, n_afeat).

Every problem raises :class:`~algoconf.errors.ASlibFormatError` naming the file and line.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import yaml

from algoconf.errors import ASlibFormatError
from algoconf.selection.data.arff import ArffTable, read_arff

__all__ = ["FeatureStep", "ASlibScenario", "load_aslib", "RUNSTATUS_VALUES", "FEATURE_STATUS_VALUES"]

RUNSTATUS_VALUES = ("ok", "timeout", "memout", "not_applicable", "crash", "other")
FEATURE_STATUS_VALUES = ("ok", "timeout", "memout", "presolved", "crash", "unknown", "other")


@dataclass(frozen=True)
class FeatureStep:
    """A feature-computation step: the features it provides and the steps it needs first."""

    name: str
    features: tuple[str, ...]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ASlibScenario:
    """An ASlib scenario in memory. Row ``i`` of every matrix is ``instances[i]``; column ``j`` of
    the performance matrices is ``algorithms[j]``; see the module docstring for how each part is read."""

    name: str
    path: Path
    performance_type: str  # "runtime" | "solution_quality"
    maximize: bool
    cutoff: float | None
    algorithms: tuple[str, ...]
    instances: tuple[str, ...]
    performance: np.ndarray
    solved: np.ndarray
    runstatus: np.ndarray
    feature_names: tuple[str, ...]
    features: np.ndarray
    feature_steps: dict[str, FeatureStep]
    feature_costs: np.ndarray | None
    feature_status: np.ndarray | None
    folds: np.ndarray
    # additions beyond the minimal contract
    performance_measure: str = "runtime"
    n_repetitions: np.ndarray | None = None  # (n_inst, n_alg) int: runs recorded per pair
    default_steps: tuple[str, ...] = ()
    features_cutoff: float | None = None
    algorithm_features: np.ndarray | None = None  # (n_alg, n_afeat) for -ALGO scenarios
    algorithm_feature_names: tuple[str, ...] = ()
    part: str = "train"  # "train": the standard files; "test": the *_test.arff files
    unfolded_instances: tuple[str, ...] = ()
    description: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_instances(self) -> int:
        return len(self.instances)

    @property
    def n_algorithms(self) -> int:
        return len(self.algorithms)

    @property
    def is_runtime(self) -> bool:
        return self.performance_type == "runtime"

    def par10(self, par_factor: float = 10.0) -> np.ndarray:
        """(n_inst, n_alg) PAR-k costs: the runtime where solved, else ``par_factor * cutoff``.

        Only for runtime scenarios with a cutoff (raises ValueError otherwise).
        """
        if not self.is_runtime or self.cutoff is None:
            raise ValueError(f"{self.name}: PAR10 needs a runtime scenario with a cutoff")
        return np.where(self.solved, self.performance, par_factor * self.cutoff)

    def cost(self, par_factor: float = 10.0) -> np.ndarray:
        """(n_inst, n_alg) cost to minimise: PAR-k for runtime scenarios; for quality scenarios the
        quality (negated when maximising), with failed runs given the worst recorded cost."""
        if self.is_runtime:
            return self.par10(par_factor)
        values = -self.performance if self.maximize else self.performance.astype(float)
        ok = self.solved & np.isfinite(values)
        worst = np.nanmax(np.where(ok, values, np.nan)) if ok.any() else 0.0
        return np.where(ok, values, worst)

    def step_mask(self, steps) -> np.ndarray:
        """Boolean mask over ``feature_names``: the features the given steps provide."""
        provided = {f for s in steps for f in self.feature_steps[s].features}
        return np.array([f in provided for f in self.feature_names], dtype=bool)

    def step_closure(self, steps) -> tuple[str, ...]:
        """The given steps plus every step they require (transitively), in ``feature_steps`` order."""
        wanted: set[str] = set()
        todo = list(steps)
        while todo:
            s = todo.pop()
            if s in wanted:
                continue
            if s not in self.feature_steps:
                raise ValueError(f"{self.name}: unknown feature step {s!r}; known: {list(self.feature_steps)}")
            wanted.add(s)
            todo.extend(self.feature_steps[s].requires)
        return tuple(s for s in self.feature_steps if s in wanted)


# --------------------------------------------------------------------------------------------- helpers
def _first(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _number_or_none(value: Any, what: str, path: Path) -> float | None:
    value = _first(value)
    if value is None or (isinstance(value, str) and value.strip() in ("?", "")):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ASlibFormatError(f"{what}: expected a number or '?', got {value!r}", file=path) from None
    if not math.isfinite(number) or number < 0:
        raise ASlibFormatError(f"{what}: expected a non-negative number, got {value!r}", file=path)
    return number


def _as_bool(value: Any, what: str, path: Path) -> bool:
    value = _first(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ASlibFormatError(f"{what}: expected true or false, got {value!r}", file=path)


def _names(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


MAX_DESCRIPTION_NODES = 1_000_000


def _check_expansion(root: Any, path: Path) -> None:
    """Refuse a description whose values, aliases expanded, number more than MAX_DESCRIPTION_NODES."""
    count, stack = 0, [root] if root is not None else []
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_DESCRIPTION_NODES:
            raise ASlibFormatError(f"the YAML expands to more than {MAX_DESCRIPTION_NODES} values (nested aliases?)",
                                   file=path, line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _read_description(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise ASlibFormatError(f"cannot read the scenario description: {err.strerror}", file=path) from None
    try:
        _check_expansion(yaml.compose(text, Loader=yaml.SafeLoader), path)  # aliases: a 1 KB file can expand to GBs
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ASlibFormatError(f"not valid YAML: {getattr(err, 'problem', err)}", file=path, line=line) from None
    if not isinstance(data, dict):
        raise ASlibFormatError("expected a YAML mapping of scenario fields", file=path, line=1)
    return data


def _parse_feature_steps(raw: Any, path: Path) -> dict[str, FeatureStep]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ASlibFormatError("feature_steps: expected a mapping step -> {provides, requires}", file=path)
    steps: dict[str, FeatureStep] = {}
    for name, spec in raw.items():
        if isinstance(spec, dict):
            provides, requires = _names(spec.get("provides")), _names(spec.get("requires"))
        elif isinstance(spec, (list, tuple)):  # ASlib 1.0: step -> [features]
            provides, requires = _names(spec), ()
        else:
            raise ASlibFormatError(f"feature_steps.{name}: expected provides/requires or a list", file=path)
        steps[str(name)] = FeatureStep(str(name), provides, requires)
    for step in steps.values():
        for req in step.requires:
            if req not in steps:
                raise ASlibFormatError(f"feature_steps.{step.name} requires unknown step {req!r}", file=path)
    return steps


def _optional(directory: Path, name: str) -> ArffTable | None:
    p = directory / name
    return read_arff(p) if p.exists() else None


def _row_keys(table: ArffTable, row: tuple, line: int, id_col: int, rep_col: int | None) -> tuple[str, int]:
    inst = row[id_col]
    if inst is None:
        raise ASlibFormatError("instance_id must not be '?'", file=table.path, line=line)
    rep = 1
    if rep_col is not None:
        value = row[rep_col]
        if value is None or float(value) != int(value):
            raise ASlibFormatError(f"repetition: expected an integer, got {value!r}", file=table.path, line=line)
        rep = int(value)
    return str(inst), rep


# ------------------------------------------------------------------------------------------- the parts
def _read_runs(table: ArffTable, measure: str, is_runtime: bool):
    names = [n.lower() for n in table.names]
    id_col, alg_col, status_col = table.index("instance_id"), table.index("algorithm"), table.index("runstatus")
    rep_col = names.index("repetition") if "repetition" in names else None
    fixed = {id_col, alg_col, status_col} | ({rep_col} if rep_col is not None else set())
    measure_cols = [i for i in range(len(names)) if i not in fixed]
    if not measure_cols:
        raise ASlibFormatError("expected at least one performance column", file=table.path)
    # the primary measure: the column named after it, else the first performance column (the
    # CPMP-2015 test file calls its runtime column "performance")
    perf_col = names.index(measure.lower()) if measure.lower() in names else measure_cols[0]
    if table.attributes[perf_col].kind != "numeric":
        raise ASlibFormatError(f"performance column {table.names[perf_col]!r} must be numeric", file=table.path)

    instances: dict[str, int] = {}
    algorithms: dict[str, int] = {}
    cells: dict[tuple[int, int], list[tuple[float, str]]] = {}
    for row, line in zip(table.rows, table.lines):
        inst, _ = _row_keys(table, row, line, id_col, rep_col)
        alg = row[alg_col]
        if alg is None:
            raise ASlibFormatError("algorithm must not be '?'", file=table.path, line=line)
        status = row[status_col]
        if status not in RUNSTATUS_VALUES:
            raise ASlibFormatError(
                f"runstatus: expected one of {list(RUNSTATUS_VALUES)}, got {status!r}", file=table.path, line=line
            )
        value = row[perf_col]
        if value is None:
            if is_runtime or status == "ok":
                raise ASlibFormatError(
                    f"{table.names[perf_col]}: a value is required here ('?' given)", file=table.path, line=line
                )
            value = math.nan
        elif is_runtime and not (float(value) >= 0 and math.isfinite(float(value))):
            raise ASlibFormatError(f"{table.names[perf_col]}: a runtime must be a finite number >= 0, got {value!r}",
                                   file=table.path, line=line)
        i = instances.setdefault(str(inst), len(instances))
        j = algorithms.setdefault(str(alg), len(algorithms))
        cells.setdefault((i, j), []).append((float(value), str(status)))
    n_i, n_a = len(instances), len(algorithms)
    performance = np.full((n_i, n_a), np.nan)
    runstatus = np.full((n_i, n_a), "missing", dtype=object)
    reps = np.zeros((n_i, n_a), dtype=int)
    for (i, j), runs in cells.items():
        values = [v for v, _ in runs]
        statuses = [s for _, s in runs]
        finite = [v for v in values if not math.isnan(v)]
        performance[i, j] = float(np.mean(finite)) if finite else math.nan
        bad = [s for s in statuses if s != "ok"]
        runstatus[i, j] = "ok" if not bad else Counter(bad).most_common(1)[0][0]
        reps[i, j] = len(runs)
    return tuple(instances), tuple(algorithms), performance, runstatus.astype(str), reps, table.names[perf_col]


def _read_features(table: ArffTable | None, index: dict[str, int]):
    if table is None:
        return (), np.full((len(index), 0), np.nan)
    names = [n.lower() for n in table.names]
    id_col = table.index("instance_id")
    rep_col = names.index("repetition") if "repetition" in names else None
    cols = [c for c in range(len(names)) if c not in (id_col, rep_col)]
    for c in cols:
        if table.attributes[c].kind not in ("numeric", "nominal"):
            raise ASlibFormatError(f"feature {table.names[c]!r} must be numeric or nominal", file=table.path)
    sums = np.zeros((len(index), len(cols)))
    counts = np.zeros((len(index), len(cols)))
    for row, line in zip(table.rows, table.lines):
        inst, _ = _row_keys(table, row, line, id_col, rep_col)
        i = index.get(inst)
        if i is None:
            continue
        for k, c in enumerate(cols):
            v = row[c]
            if v is None:
                continue
            if table.attributes[c].kind == "nominal":
                v = table.attributes[c].values.index(v)
            if math.isfinite(float(v)):
                sums[i, k] += float(v)
                counts[i, k] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return tuple(table.names[c] for c in cols), values


def _read_step_table(table: ArffTable | None, index: dict[str, int], steps: list[str], kind: str):
    """feature_costs (kind='cost') or feature_runstatus (kind='status'), columns in ``steps`` order."""
    if table is None:
        return None
    names = [n.lower() for n in table.names]
    id_col = table.index("instance_id")
    rep_col = names.index("repetition") if "repetition" in names else None
    col_of: dict[str, int] = {}
    for c, name in enumerate(table.names):
        if c in (id_col, rep_col):
            continue
        if name not in steps:
            raise ASlibFormatError(f"column {name!r} is not a feature step of the scenario ({steps})", file=table.path)
        col_of[name] = c
    if kind == "cost":
        out: np.ndarray = np.full((len(index), len(steps)), np.nan)
    else:
        out = np.full((len(index), len(steps)), "missing", dtype=object)
    seen: dict[int, int] = {}
    for row, line in zip(table.rows, table.lines):
        inst, rep = _row_keys(table, row, line, id_col, rep_col)
        if inst not in index:
            continue
        i = index[inst]
        if rep != 1 and kind == "status":
            continue  # statuses of repetition 1 (feature computation is deterministic in ASlib)
        seen[i] = seen.get(i, 0) + 1
        for k, step in enumerate(steps):
            col = col_of.get(step)
            if col is None:
                continue
            v = row[col]
            if kind == "cost":
                if v is not None:
                    out[i, k] = v if seen[i] == 1 or math.isnan(out[i, k]) else (out[i, k] * (seen[i] - 1) + v) / seen[i]
            else:
                if v is not None and v not in FEATURE_STATUS_VALUES:
                    raise ASlibFormatError(
                        f"{step}: expected one of {list(FEATURE_STATUS_VALUES)}, got {v!r}", file=table.path, line=line
                    )
                out[i, k] = "missing" if v is None else v
    return out if kind == "cost" else out.astype(str)


def _read_folds(table: ArffTable, index: dict[str, int]) -> np.ndarray:
    names = [n.lower() for n in table.names]
    id_col, fold_col = table.index("instance_id"), table.index("fold")
    rep_col = names.index("repetition") if "repetition" in names else None
    folds = np.full(len(index), -1, dtype=int)
    for row, line in zip(table.rows, table.lines):
        inst, rep = _row_keys(table, row, line, id_col, rep_col)
        if rep != 1 or inst not in index:
            continue
        value = row[fold_col]
        fold = None if value is None else float(value)
        if fold is None or not fold.is_integer() or fold < 1:
            raise ASlibFormatError(f"fold: expected a positive integer, got {value!r}", file=table.path, line=line)
        folds[index[inst]] = int(fold)
    return folds


def _read_algorithm_features(table: ArffTable | None, algorithms: tuple[str, ...]):
    if table is None:
        return None, ()
    names = [n.lower() for n in table.names]
    alg_col = table.index("algorithm")
    rep_col = names.index("repetition") if "repetition" in names else None
    cols = [c for c in range(len(names)) if c not in (alg_col, rep_col) and table.attributes[c].kind == "numeric"]
    out = np.full((len(algorithms), len(cols)), np.nan)
    pos = {a: j for j, a in enumerate(algorithms)}
    for row in table.rows:
        j = pos.get(str(row[alg_col]))
        if j is None:
            continue
        out[j] = [np.nan if row[c] is None else row[c] for c in cols]
    return out, tuple(table.names[c] for c in cols)


# ------------------------------------------------------------------------------------------ the loader
def load_aslib(path: str | Path, *, part: str = "train") -> ASlibScenario:
    """Read the ASlib scenario in directory ``path``.

    ``part="train"`` reads the standard files (what every published figure uses);
    ``part="test"`` reads the ``*_test.arff`` files some scenarios ship (CPMP-2015).
    """
    directory = Path(path)
    if part not in ("train", "test"):
        raise ValueError(f"part must be 'train' or 'test', got {part!r}")
    desc_path = directory / "description.txt"
    if not directory.is_dir() or not desc_path.exists():
        raise ASlibFormatError("not an ASlib scenario directory (no description.txt)", file=directory)
    desc = _read_description(desc_path)
    suffix = "" if part == "train" else "_test"

    ptype = _first(desc.get("performance_type"))
    if ptype not in ("runtime", "solution_quality"):
        raise ASlibFormatError(
            f"performance_type: expected runtime or solution_quality, got {ptype!r}", file=desc_path
        )
    maximize = _as_bool(desc.get("maximize", False), "maximize", desc_path)
    cutoff = _number_or_none(desc.get("algorithm_cutoff_time"), "algorithm_cutoff_time", desc_path)
    if ptype == "solution_quality" and cutoff == 0:
        cutoff = None  # OPENML-WEKA-2017 writes 0 for "no time limit"
    if ptype == "runtime" and not cutoff:
        raise ASlibFormatError("algorithm_cutoff_time: a runtime scenario needs a positive cutoff", file=desc_path)
    measure = str(_first(desc.get("performance_measures")) or ("runtime" if ptype == "runtime" else "quality"))
    steps = _parse_feature_steps(desc.get("feature_steps"), desc_path)

    runs_path = directory / f"algorithm_runs{suffix}.arff"
    if not runs_path.exists():
        raise ASlibFormatError(f"missing {runs_path.name}", file=directory)
    instances, algorithms, perf, status, reps, measure = _read_runs(read_arff(runs_path), measure, ptype == "runtime")
    index = {inst: i for i, inst in enumerate(instances)}

    if ptype == "runtime":
        solved = (status == "ok") & np.isfinite(perf) & (perf <= cutoff)
    else:
        solved = (status == "ok") & np.isfinite(perf)

    feature_names, features = _read_features(_optional(directory, f"feature_values{suffix}.arff"), index)
    step_names = list(steps)
    if not steps and feature_names:  # no declared steps: one implicit step providing everything
        steps = {"ALL": FeatureStep("ALL", feature_names, ())}
        step_names = ["ALL"]
    unknown = [f for s in steps.values() for f in s.features if f not in feature_names]
    if unknown and feature_names:
        raise ASlibFormatError(
            f"feature_steps name features that feature_values{suffix}.arff lacks: {unknown[:5]}", file=desc_path
        )
    costs = _read_step_table(_optional(directory, "feature_costs.arff" if part == "train" else "feature_costs_test.arff"), index, step_names, "cost")
    fstatus = _read_step_table(_optional(directory, f"feature_runstatus{suffix}.arff"), index, step_names, "status")

    if part == "train":
        cv = directory / "cv.arff"
        if not cv.exists():
            raise ASlibFormatError("missing cv.arff (the folds every evaluation uses)", file=directory)
        folds = _read_folds(read_arff(cv), index)
    else:
        folds = np.full(len(instances), -1, dtype=int)
    unfolded = tuple(instances[i] for i in np.flatnonzero(folds < 0)) if part == "train" else ()

    afeat, afeat_names = _read_algorithm_features(_optional(directory, "algorithm_feature_values.arff"), algorithms)

    for arr in (perf, solved, features, folds):
        arr.setflags(write=False)
    return ASlibScenario(
        name=str(desc.get("scenario_id") or directory.name),
        path=directory,
        performance_type=ptype,
        maximize=maximize,
        cutoff=cutoff,
        algorithms=algorithms,
        instances=instances,
        performance=perf,
        solved=solved,
        runstatus=status,
        feature_names=feature_names,
        features=features,
        feature_steps=steps,
        feature_costs=costs,
        feature_status=fstatus,
        folds=folds,
        performance_measure=measure,
        n_repetitions=reps,
        default_steps=tuple(s for s in _names(desc.get("default_steps")) if s in steps) or tuple(steps),
        features_cutoff=_number_or_none(desc.get("features_cutoff_time"), "features_cutoff_time", desc_path),
        algorithm_features=afeat,
        algorithm_feature_names=afeat_names,
        part=part,
        unfolded_instances=unfolded,
        description=desc,
    )
