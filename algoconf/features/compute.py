"""Feature computation through the executor: parallel, hard-capped per group, cached by content.

Each (instance, group) is one run of a :class:`~algoconf.targets.PythonTarget` on the executor, so
a group's time cap is enforced like any cutoff (the child is killed at the cap, its CPU time comes
from the kernel) and a crash in a feature computation is a result, not an exception. Groups run in
dependency order: a group whose requirements did not succeed on an instance is ``skipped`` there.

Results are cached under ``cache_dir/<extractor>/<sha256 of the file>/<group>.json``, so a second
call on the same files is instant whatever their names; a cached ``timeout`` is reused only when it
was measured with a cap at least as large as the one asked for now.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from algoconf.errors import InputError
from algoconf.features.base import FeatureExtractor, GroupResult, GroupStatus
from algoconf.records import RunRequest, Status

if TYPE_CHECKING:  # pandas is imported where tables are built, not in the feature child processes
    import pandas as pd

__all__ = ["EXTRACTORS", "get_extractor", "FeatureComputation", "compute_features", "run_group", "default_cache"]

def default_cache() -> Path:
    """``$ALGOCONF_CACHE/features``, else ``~/.cache/algoconf/features`` (read at call time)."""
    return Path(os.environ.get("ALGOCONF_CACHE", Path.home() / ".cache" / "algoconf")) / "features"


def _extractors() -> dict[str, type[FeatureExtractor]]:
    from algoconf.features.cnf import CNFFeatures
    from algoconf.features.jobshop import JobShopFeatures

    return {cls.name: cls for cls in (CNFFeatures, JobShopFeatures)}


EXTRACTORS: tuple[str, ...] = ("cnf", "jobshop")


def get_extractor(name: str) -> FeatureExtractor:
    table = _extractors()
    if name not in table:
        raise InputError(f"unknown feature extractor {name!r}; expected one of {', '.join(table)}")
    return table[name]()


def extractor_for(path: str | Path) -> str:
    """The extractor that reads this file, by its suffix (compressed CNFs included)."""
    name = Path(path).name.lower()
    for suffix in (".gz", ".bz2", ".xz", ".lzma"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith((".cnf", ".dimacs")):
        return "cnf"
    if name.endswith((".jsp", ".jssp")):
        return "jobshop"
    raise InputError(f"no feature extractor for {path}: expected a .cnf (.gz/.bz2/.xz) or .jsp file")


def file_hash(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_group(config: Mapping, instance, seed: int, cutoff: float | None) -> dict:
    """PythonTarget entry point: compute one group of one instance and write it to the cache file."""
    extractor = get_extractor(config["extractor"])
    result = extractor.compute_group(instance.path, config["group"], cap=cutoff, seed=seed)
    payload = result.to_dict() | {"cap": cutoff}
    target = Path(config["cache_file"])
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(payload, fh)
    os.replace(tmp, target)
    return {"cost": result.cost, "runtime": result.cost}


@dataclass(frozen=True)
class FeatureComputation:
    """Features of many instances: values (instance × feature), and per group costs and statuses."""

    values: "pd.DataFrame"
    costs: "pd.DataFrame"
    status: "pd.DataFrame"
    cached: int
    computed: int

    def to_csv(self, path: str | Path) -> tuple[Path, Path]:
        """Write ``path`` (features, ``instance`` first column, empty cells for missing) and the
        cost table beside it (``<stem>.costs.csv``: seconds per group, and a status column per group)."""
        path = Path(path)
        self.values.to_csv(path, index_label="instance", na_rep="")
        cost_path = path.with_name(path.stem + ".costs.csv")
        both = self.costs.join(self.status.add_suffix("-status"))
        both.to_csv(cost_path, index_label="instance", na_rep="")
        return path, cost_path


def _load_cached(file: Path, cap: float) -> GroupResult | None:
    try:
        data = json.loads(file.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    result = GroupResult.from_dict(data)
    if result.status is GroupStatus.TIMEOUT and (data.get("cap") or 0) < cap:
        return None
    return result


def compute_features(
    paths: Sequence[str | Path],
    *,
    extractor: str | None = None,
    groups: Sequence[str] | None = None,
    caps: Mapping[str, float] | None = None,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
    seed: int = 0,
    progress=None,
) -> FeatureComputation:
    """Compute ``groups`` (default: all) of ``extractor`` (default: by file suffix) for ``paths``."""
    import pandas as pd

    from algoconf.execution.local import LocalExecutor
    from algoconf.instances import Instance
    from algoconf.targets.python import PythonTarget

    if not paths:
        raise InputError("no instances given")
    names = [str(p) for p in paths]
    for p in names:
        if not Path(p).is_file():
            raise InputError("instance file not found", file=p)
    kinds = {extractor or extractor_for(p) for p in names}
    if len(kinds) != 1:
        raise InputError(f"instances need different extractors ({sorted(kinds)}); compute them separately")
    ex = get_extractor(kinds.pop())
    order = ex.order(groups)
    caps = {g: float((caps or {}).get(g, ex.groups[g].cap)) for g in order}
    cache = Path(cache_dir) if cache_dir is not None else default_cache()
    hashes = {p: file_hash(p) for p in names}
    for p in names:  # bad input is reported before any run, with its file and line
        if not all((cache / ex.name / hashes[p] / f"{g}.json").exists() for g in order):
            ex.validate(Path(p))
    instances = {p: Instance(p, Path(p)) for p in names}
    results: dict[tuple[str, str], GroupResult] = {}
    cached = computed = 0
    with LocalExecutor(PythonTarget(run_group), instances, n_workers=workers, time_kind="cpu") as executor:
        for g in order:  # dependency order: one wave per group
            futures = {}
            for p in names:
                unmet = [d for d in ex.groups[g].requires if not results[(p, d)].status.usable]
                if unmet:
                    nan = {f: math.nan for f in ex.groups[g].features}
                    results[(p, g)] = GroupResult(g, GroupStatus.SKIPPED, nan, 0.0, None, f"required group(s) failed: {unmet}")
                    continue
                file = cache / ex.name / hashes[p] / f"{g}.json"
                hit = _load_cached(file, caps[g])
                if hit is not None:
                    results[(p, g)] = hit
                    cached += 1
                    continue
                config = {"extractor": ex.name, "group": g, "cache_file": str(file)}
                futures[executor.submit(RunRequest(config, p, seed, caps[g]))] = (p, g, file)
            for fut in executor.as_completed(list(futures)):
                p, g, file = futures[fut]
                run = fut.result()
                computed += 1
                if run.status is Status.SUCCESS:
                    results[(p, g)] = GroupResult.from_dict(json.loads(file.read_text()))
                else:
                    nan = {f: math.nan for f in ex.groups[g].features}
                    status = GroupStatus.TIMEOUT if run.status.censored else GroupStatus.CRASH
                    message = str(run.info.get("stderr_tail") or run.info.get("error") or run.status.value)
                    results[(p, g)] = GroupResult(g, status, nan, run.runtime, None, message[-500:])
                    if status is GroupStatus.TIMEOUT:
                        file.parent.mkdir(parents=True, exist_ok=True)
                        file.write_text(json.dumps(results[(p, g)].to_dict() | {"cap": caps[g]}))
                if progress is not None:
                    progress(p, g, results[(p, g)])
    values = pd.DataFrame(
        [{f: v for g in order for f, v in results[(p, g)].values.items()} for p in names], index=names
    )[ex.feature_names(order)]
    costs = pd.DataFrame([{g: results[(p, g)].cost for g in order} for p in names], index=names)
    status = pd.DataFrame([{g: results[(p, g)].status.value for g in order} for p in names], index=names)
    return FeatureComputation(values, costs, status, cached, computed)
