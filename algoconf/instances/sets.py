"""Problem instances: instance lists, seeded generators, and feature tables.

Contracts
---------
* An :class:`Instance` is identified by its ``name`` everywhere (run-history keys, features,
  reports). For a list file the name is the path *as written* in the list; for a generated instance
  it is the file name (relative to the generator's output folder).
* Instance lists follow AClib: one instance per line, optional instance-specific tokens after the
  path, ``#`` comments, blank lines. Paths are relative to the list file's folder.
* Generators are ``package.module:function`` with signature
  ``f(out_dir: Path, n: int, seed: int, **kwargs) -> list[Path]`` and must be deterministic for a seed.
  Their output is cached under ``cache_dir/<hash of the spec>/`` and written atomically (a temp
  folder renamed into place), so concurrent or interrupted generation never leaves a half set.
* Feature tables are CSV ``instance,f1,f2,...``. Values must be finite numbers. A cell that is
  empty or one of ``?``, ``NA`` (:data:`MISSING_MARKERS`) is *missing*: rejected unless
  ``allow_missing=True``, in which case it is stored as NaN. ``nan``/``inf`` written as numbers are
  always rejected (they are never a deliberate "unknown").
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import math
import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np

from algoconf.errors import FeatureFileError, InstanceError
from algoconf.instances.generators._files import read_sidecar
from algoconf.instances.generators._moved import current_module_name
from algoconf.text_files import read_user_text

__all__ = [
    "Instance",
    "InstanceSet",
    "FeatureTable",
    "MISSING_MARKERS",
    "read_instance_list",
    "read_feature_file",
    "generator_spec_hash",
]

MISSING_MARKERS: frozenset[str] = frozenset({"", "?", "NA"})
_MANIFEST = ".algoconf-instances.json"


@dataclass(frozen=True)
class Instance:
    """One problem instance: ``name`` (identity), ``path`` (None for abstract instances),
    instance-specific tokens (AClib), and free metadata (not part of equality)."""

    name: str
    path: Path | None
    specifics: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("an instance needs a non-empty name")
        object.__setattr__(self, "specifics", tuple(str(s) for s in self.specifics))
        if self.path is not None:
            object.__setattr__(self, "path", Path(self.path))
        object.__setattr__(self, "meta", dict(self.meta))


@dataclass(frozen=True)
class InstanceSet:
    """An ordered set of instances with unique names.

    ``source`` says where the set came from, so a scenario can be saved and reloaded:
    ``{"list": "<path>"}``, ``{"generator": ..., "n": ..., "seed": ..., "kwargs": ...}``,
    ``{"names": [...]}`` or None (built in memory).
    """

    instances: tuple[Instance, ...]
    source: Mapping[str, Any] | None = field(default=None, compare=False)
    _index: Mapping[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "instances", tuple(self.instances))
        index: dict[str, int] = {}
        for i, inst in enumerate(self.instances):
            if inst.name in index:
                raise InstanceError(f"duplicate instance {inst.name!r}")
            index[inst.name] = i
        object.__setattr__(self, "_index", index)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(inst.name for inst in self.instances)

    def __getitem__(self, key: str | int) -> Instance:
        if isinstance(key, int):
            return self.instances[key]
        return self.instances[self._index[key]]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __len__(self) -> int:
        return len(self.instances)

    def __iter__(self) -> Iterator[Instance]:
        return iter(self.instances)

    def as_mapping(self) -> dict[str, Instance]:
        """Name -> Instance, in set order."""
        return {inst.name: inst for inst in self.instances}

    @classmethod
    def from_names(cls, names: Iterable[str]) -> "InstanceSet":
        """Abstract instances (no file), e.g. for Python targets that build their own problems."""
        names = [str(n) for n in names]
        return cls(tuple(Instance(n, None) for n in names), source={"names": names})

    @classmethod
    def from_generator(
        cls,
        spec: Mapping[str, Any],
        cache_dir: str | Path,
        *,
        file: str | Path | None = None,
        line: int | None = None,
    ) -> "InstanceSet":
        """Instances made by a seeded generator, generated into ``cache_dir/<hash>/`` if absent.

        Each instance's ``meta`` holds its generator and the facts of its ``<instance>.json``
        sidecar when the generator wrote one (e.g. ``answer`` known by construction).

        ``spec`` holds ``generator`` ("package.module:function"), ``n``, ``seed`` and optional
        ``kwargs``. ``file``/``line`` locate the spec in a scenario file for error messages.
        """
        spec = _check_generator_spec(spec, file, line)
        func = _import_callable(spec["generator"], file, line)
        cache_dir = Path(cache_dir)
        final = cache_dir / generator_spec_hash(spec)
        if not (final / _MANIFEST).is_file():
            _generate_atomically(func, spec, final, file, line)
        names = json.loads((final / _MANIFEST).read_text())["instances"]
        instances = tuple(
            Instance(name, final / name, meta={**read_sidecar(final / name), "generator": spec["generator"]})
            for name in names
        )
        return cls(instances, source=dict(spec))


def generator_spec_hash(spec: Mapping[str, Any]) -> str:
    """16 hex digits identifying a generator spec (generator, n, seed, kwargs)."""
    canonical = {
        "generator": spec["generator"],
        "n": int(spec["n"]),
        "seed": int(spec["seed"]),
        "kwargs": dict(spec.get("kwargs") or {}),
    }
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _check_generator_spec(spec: Mapping[str, Any], file, line) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise InstanceError("a generator spec must be a mapping with keys generator, n, seed", file=file, line=line)
    unknown = sorted(set(spec) - {"generator", "n", "seed", "kwargs"})
    if unknown:
        raise InstanceError(
            f"unknown generator key {unknown[0]!r}; expected generator, n, seed, kwargs", file=file, line=line
        )
    for key in ("generator", "n", "seed"):
        if key not in spec:
            raise InstanceError(f"generator spec is missing the key {key!r}", file=file, line=line)
    if not isinstance(spec["generator"], str) or ":" not in spec["generator"]:
        raise InstanceError(
            f"generator must be 'package.module:function', got {spec['generator']!r}", file=file, line=line
        )
    for key in ("n", "seed"):
        if isinstance(spec[key], bool) or not isinstance(spec[key], int):
            raise InstanceError(f"generator {key} must be an integer, got {spec[key]!r}", file=file, line=line)
    if spec["n"] < 1:
        raise InstanceError(f"generator n must be at least 1, got {spec['n']}", file=file, line=line)
    kwargs = spec.get("kwargs") or {}
    if not isinstance(kwargs, Mapping):
        raise InstanceError("generator kwargs must be a mapping", file=file, line=line)
    return {"generator": spec["generator"], "n": spec["n"], "seed": spec["seed"], "kwargs": dict(kwargs)}


def _import_callable(ref: str, file, line):
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(current_module_name(module_name))
    except ImportError as err:
        raise InstanceError(f"cannot import generator module {module_name!r}: {err}", file=file, line=line) from err
    func = getattr(module, attr, None)
    if not callable(func):
        raise InstanceError(f"module {module_name!r} has no callable {attr!r}", file=file, line=line)
    return func


def _generate_atomically(func, spec: Mapping[str, Any], final: Path, file, line) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        try:
            made = func(tmp, spec["n"], spec["seed"], **spec["kwargs"])
        except (TypeError, ValueError) as err:  # bad n/seed/kwargs for this generator: the spec's fault
            raise InstanceError(f"generator {spec['generator']} rejected the spec: {err}", file=file, line=line) from None
        names: list[str] = []
        for item in made:
            p = Path(item)
            p = p if p.is_absolute() else tmp / p
            try:
                rel = p.resolve().relative_to(tmp.resolve())
            except ValueError:
                raise InstanceError(
                    f"generator {spec['generator']} returned {p}, outside its output folder", file=file, line=line
                ) from None
            if not p.is_file():
                raise InstanceError(
                    f"generator {spec['generator']} returned {rel}, which it did not write", file=file, line=line
                )
            names.append(rel.as_posix())
        if not names:
            raise InstanceError(f"generator {spec['generator']} made no instances", file=file, line=line)
        if len(set(names)) != len(names):
            raise InstanceError(f"generator {spec['generator']} returned a file twice", file=file, line=line)
        (tmp / _MANIFEST).write_text(json.dumps({"spec": dict(spec), "instances": names}, indent=1, default=str))
        try:
            os.rename(tmp, final)
        except OSError:
            # another process finished first: its folder is complete (it was renamed into place whole)
            if not (final / _MANIFEST).is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_instance_list(
    path: str | Path,
    *,
    must_exist: bool = True,
    search: Sequence[str | Path] = (),
) -> InstanceSet:
    """Read an AClib instance list.

    Each non-blank, non-comment line is ``<path> [instance-specific tokens...]`` (shell quoting
    allowed). A path is looked up relative to the list's folder, then in each folder of ``search``
    (AClib scenarios often write paths relative to their ``execdir``). With ``must_exist`` a path
    found nowhere is an error; without, instances keep the path relative to the list's folder.

    Raises :class:`InstanceError` (file and line) for a missing list, a missing instance file, a
    duplicate instance, a line that does not parse, or a list without instances.
    """
    path = Path(path)
    if not path.is_file():
        raise InstanceError("instance list not found", file=path)
    folder = path.parent
    bases = list(dict.fromkeys([folder, *(Path(s) for s in search)]))
    instances: list[Instance] = []
    first_line: dict[str, int] = {}
    for lineno, raw in enumerate(read_user_text(path, InstanceError, "instance list").splitlines(), start=1):
        try:
            tokens = shlex.split(raw, comments=True)
        except ValueError as err:
            raise InstanceError(f"cannot split the line: {err}", file=path, line=lineno) from None
        if not tokens:
            continue
        name, specifics = tokens[0], tuple(tokens[1:])
        if name in first_line:
            raise InstanceError(
                f"duplicate instance {name!r} (first listed on line {first_line[name]})", file=path, line=lineno
            )
        first_line[name] = lineno
        located = _locate(name, bases)
        if located is None:
            if must_exist:
                where = ", ".join(str(b) for b in bases)
                raise InstanceError(f"instance file {name!r} not found (looked in {where})", file=path, line=lineno)
            located = Path(os.path.normpath(folder / name))
        elif located.is_dir():
            raise InstanceError(f"instance {name!r} is a folder ({located}); instances must be files",
                                file=path, line=lineno)
        instances.append(Instance(name, located, specifics, meta={"list": str(path), "line": lineno}))
    if not instances:
        raise InstanceError("the instance list has no instances", file=path)
    return InstanceSet(tuple(instances), source={"list": str(path)})


def _locate(name: str, bases: Sequence[Path]) -> Path | None:
    candidate = Path(name)
    if candidate.is_absolute():
        return candidate if candidate.exists() else None
    for base in bases:
        p = Path(os.path.normpath(base / candidate))
        if p.exists():
            return p
    return None


# --- features ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeatureTable:
    """Instance features: ``names`` of the features, ``values[instance] -> 1-D float array`` (NaN only
    where the file said "missing" and missing values were allowed), optional ``costs[instance]``
    (seconds spent computing that instance's features)."""

    names: tuple[str, ...]
    values: Mapping[str, np.ndarray]
    costs: Mapping[str, float] | None = None
    source: str | None = field(default=None, compare=False)
    cost_source: str | None = field(default=None, compare=False)
    extractor_spec: Mapping[str, Any] | None = field(default=None, compare=False)  # computed, not read

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))
        vals = {}
        for inst, vec in self.values.items():
            arr = np.asarray(vec, dtype=float).reshape(-1)
            if arr.shape[0] != len(self.names):
                raise ValueError(f"instance {inst!r} has {arr.shape[0]} features, expected {len(self.names)}")
            arr.setflags(write=False)
            vals[inst] = arr
        object.__setattr__(self, "values", vals)
        if self.costs is not None:
            object.__setattr__(self, "costs", {k: float(v) for k, v in self.costs.items()})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureTable):
            return NotImplemented
        return (
            self.names == other.names
            and self.values.keys() == other.values.keys()
            and all(np.array_equal(v, other.values[k], equal_nan=True) for k, v in self.values.items())
            and self.costs == other.costs
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def instances(self) -> tuple[str, ...]:
        return tuple(self.values)

    def __contains__(self, instance: object) -> bool:
        return instance in self.values

    def __len__(self) -> int:
        return len(self.values)

    def matrix(self, instances: Sequence[str]) -> np.ndarray:
        """Rows in the order of ``instances`` (KeyError for an instance without features)."""
        if not instances:
            return np.empty((0, len(self.names)))
        return np.vstack([self.values[i] for i in instances])

    def as_mapping(self, instances: Sequence[str] | None = None) -> dict[str, tuple[float, ...]]:
        """Instance -> tuple of floats (what TuningProblem.features holds)."""
        keys = self.values if instances is None else instances
        return {i: tuple(float(x) for x in self.values[i]) for i in keys}

    @property
    def has_missing(self) -> bool:
        return any(np.isnan(v).any() for v in self.values.values())


def read_feature_file(
    path: str | Path,
    instances: InstanceSet | Iterable[Instance | str] | None = None,
    cost_path: str | Path | None = None,
    *,
    allow_missing: bool = False,
) -> FeatureTable:
    """Read a CSV feature table ``instance,f1,...`` (and optionally a cost table of the same shape,
    whose per-instance costs are summed).

    When ``instances`` is given, every instance must have a row and every row must name a known
    instance. Raises :class:`FeatureFileError` with file and line (for an instance without a row,
    the message also names where that instance was listed).
    """
    path = Path(path)
    names, values, lines = _read_numeric_csv(path, allow_missing=allow_missing, what="feature")
    known = None
    if instances is not None:
        items = list(instances)
        known = [i.name if isinstance(i, Instance) else str(i) for i in items]
        listed = {
            i.name: f"{i.meta['list']}:{i.meta['line']}" for i in items if isinstance(i, Instance) and "list" in i.meta
        }
        _match_instances(path, values, lines, known, listed)
    costs = None
    if cost_path is not None:
        cost_path = Path(cost_path)
        _, cost_values, cost_lines = _read_numeric_csv(cost_path, allow_missing=False, what="feature cost")
        _match_instances(cost_path, cost_values, cost_lines, list(values))
        costs = {inst: float(np.sum(vec)) for inst, vec in cost_values.items()}
        for inst, c in costs.items():
            if c < 0:
                raise FeatureFileError(
                    f"negative feature cost {c} for instance {inst!r}", file=cost_path, line=cost_lines[inst]
                )
    if known is not None:
        values = {i: values[i] for i in known}
    return FeatureTable(
        names, values, costs, source=str(path), cost_source=str(cost_path) if cost_path is not None else None
    )


def _match_instances(
    path: Path,
    values: Mapping[str, Any],
    lines: Mapping[str, int],
    known: Sequence[str],
    listed: Mapping[str, str] | None = None,
) -> None:
    known_set = set(known)
    for inst, lineno in lines.items():
        if inst not in known_set:
            raise FeatureFileError(f"row for unknown instance {inst!r}", file=path, line=lineno)
    missing = [i for i in known if i not in values]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        where = f" (listed at {listed[missing[0]]})" if listed and missing[0] in listed else ""
        raise FeatureFileError(f"no row for instance {missing[0]!r}{where}{more}", file=path)


def _read_numeric_csv(
    path: Path, *, allow_missing: bool, what: str
) -> tuple[tuple[str, ...], dict[str, np.ndarray], dict[str, int]]:
    if not path.exists():
        raise FeatureFileError(f"{what} file not found", file=path)
    text = read_user_text(path, FeatureFileError, f"{what} file")
    try:
        rows = [(lineno, row) for lineno, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    except csv.Error as err:
        raise FeatureFileError(f"not a CSV table: {err}", file=path) from None
    rows = [(n, [c.strip() for c in row]) for n, row in rows if row and not (len(row) == 1 and not row[0].strip())]
    if not rows:
        raise FeatureFileError(f"the {what} file is empty; expected a header 'instance,f1,...'", file=path)
    header_line, header = rows[0]
    if len(header) < 2:
        raise FeatureFileError(
            f"the header has {len(header)} column; expected 'instance' and at least one {what} column",
            file=path,
            line=header_line,
        )
    names = tuple(header[1:])
    seen_names: set[str] = set()
    for n in names:
        if not n:
            raise FeatureFileError(f"empty {what} name in the header", file=path, line=header_line)
        if n in seen_names:
            raise FeatureFileError(f"duplicate {what} name {n!r} in the header", file=path, line=header_line)
        seen_names.add(n)
    values: dict[str, np.ndarray] = {}
    lines: dict[str, int] = {}
    for lineno, row in rows[1:]:
        if len(row) != len(header):
            raise FeatureFileError(
                f"row has {len(row)} columns, expected {len(header)} like the header", file=path, line=lineno
            )
        inst = row[0]
        if not inst:
            raise FeatureFileError("empty instance name", file=path, line=lineno)
        if inst in lines:
            raise FeatureFileError(
                f"duplicate instance {inst!r} (first on line {lines[inst]})", file=path, line=lineno
            )
        vec = np.empty(len(names))
        for j, cell in enumerate(row[1:]):
            vec[j] = _parse_cell(cell, names[j], allow_missing, path, lineno)
        values[inst] = vec
        lines[inst] = lineno
    if not values:
        raise FeatureFileError(f"the {what} file has a header but no rows", file=path)
    return names, values, lines


def _parse_cell(cell: str, column: str, allow_missing: bool, path: Path, lineno: int) -> float:
    if cell in MISSING_MARKERS:
        if allow_missing:
            return math.nan
        shown = "an empty cell" if cell == "" else f"{cell!r}"
        raise FeatureFileError(
            f"missing value ({shown}) in column {column!r}; pass allow_missing to accept missing values",
            file=path,
            line=lineno,
        )
    try:
        value = float(cell)
    except ValueError:
        raise FeatureFileError(
            f"non-numeric value {cell!r} in column {column!r}", file=path, line=lineno
        ) from None
    if not math.isfinite(value):
        raise FeatureFileError(
            f"non-finite value {cell!r} in column {column!r}; write '?' for a missing value", file=path, line=lineno
        )
    return value
