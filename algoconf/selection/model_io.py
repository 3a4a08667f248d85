"""Saving and loading fitted selector models: one format, one place.

A model file (what ``algoconf select fit -o MODEL`` and ``algoconf portfolio build`` write) is a
zip archive with two members:

* ``manifest.json``: ``format`` (``"algoconf-selector"``), ``version`` (:data:`MODEL_VERSION`),
  ``algoconf_version``, ``selector`` (``kind``: the registry name, ``class``, ``params``),
  ``algorithms``, ``feature_names``, ``cutoff``, ``source`` and whatever the writer adds
  (a portfolio model's ``configurations``, ``extractor``, ``feature_groups``, ``feature_caps``,
  ``par_factor``, ``scenario``). Plain JSON: reading it runs nothing.
* ``selector.skops``: the fitted selector in the `skops <https://skops.readthedocs.io>`_ format.
  Loading it constructs only types on :data:`TRUSTED_TYPES` (algoconf's selectors, scikit-learn,
  scikit-survival and numpy types); a file naming any other type is refused *before* anything
  is constructed, and no code from the file is executed (no pickle).

:func:`load_model` returns the manifest as a dict with the fitted selector under ``"selector"``
(the shape :func:`algoconf.selection.run.run_model` takes). Every problem is a one-line
:class:`~algoconf.errors.SelectionInputError`: not a model, another format version, an untrusted
type, a manifest that does not match its selector.

Pickled model files (written by algoconf before this format) are refused with a message saying how
to refit; ``trust_pickle=True`` (the CLI's ``--trust-model``) loads them with :mod:`pickle`, which
executes whatever the file says: only for files whose origin you trust.

Files name classes by their module path. Models written before ``algoconf/selection/`` was split into
``data/``, ``offline/`` and ``online/`` name the old paths (``algoconf.selection.single_best.SingleBest``);
:data:`LEGACY_MODULES` maps them to today's, so such a file loads as the same selector (its skops
schema is rewritten in memory before any type is checked or constructed). A path that is neither
trusted nor legacy is refused as before.
"""

from __future__ import annotations

import io
import json
import logging
import math
import pickle
import zipfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from algoconf import __version__
from algoconf.errors import SelectionInputError
from algoconf.selection.offline.base import Selector
from algoconf.selection.offline.registry import SELECTORS

__all__ = ["LEGACY_MODULES", "MODEL_FORMAT", "MODEL_VERSION", "TRUSTED_TYPES", "save_model", "load_model"]

log = logging.getLogger(__name__)

MODEL_FORMAT = "algoconf-selector"
MODEL_VERSION = 2  # 1: a pickle (refused unless trusted); 2: manifest.json + selector.skops in a zip
MANIFEST = "manifest.json"
PAYLOAD = "selector.skops"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024

#: types a model file may contain beyond skops' defaults (scikit-learn estimators, numpy, builtins).
#: A type is trusted by its exact name; a new selector that stores another type must be added here
#: (tests/test_selection/test_model_io.py fits every registered selector and checks the list covers it).
TRUSTED_TYPES: tuple[str, ...] = (
    "algoconf.selection.offline.single_best.SingleBest",
    "algoconf.selection.offline.regression.RegressionSelector",
    "algoconf.selection.offline.survival.SurvivalForestSelector",
    "algoconf.selection.offline.pairwise.PairwiseSelector",
    "algoconf.selection.offline.pairwise_regression.PairwiseRegressionSelector",
    "algoconf.selection.offline.stacking.StackingSelector",
    "algoconf.selection.offline.sunny.SunnySelector",
    "algoconf.selection.offline.isac.ISACSelector",
    "algoconf.selection.offline.auto.AutoSelector",
    "algoconf.selection.offline.feature_maps.MonotoneFeatureMap",
    "sklearn.tree._tree.Tree",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sksurv.ensemble.forest.RandomSurvivalForest",
    "sksurv.tree.tree.SurvivalTree",
)

#: module paths of the trusted algoconf types before algoconf/selection/ had subpackages (issue 19)
#: -> today's; model files written then name the old paths and load through this map
LEGACY_MODULES: dict[str, str] = {
    f"algoconf.selection.{name}": f"algoconf.selection.offline.{name}"
    for name in ("single_best", "regression", "survival", "pairwise", "pairwise_regression", "stacking", "sunny",
                 "isac", "auto", "feature_maps")
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _kind(selector: Any) -> str:
    qualified = f"{type(selector).__module__}:{type(selector).__name__}"
    for name, where in SELECTORS.items():
        if where == qualified:
            return name
    return str(getattr(selector, "name", type(selector).__name__))


def save_model(path: str | Path, selector: Any, data: Any, source: str | Path,
               extra: Mapping[str, Any] | None = None) -> None:
    """Write a fitted ``selector`` (fitted on ``data``, a PerformanceData) to ``path``.

    ``extra`` adds manifest keys (JSON values). The file is written to a temporary name and renamed,
    so a crash never leaves half a model under ``path``.
    """
    import skops.io as sio

    manifest: dict[str, Any] = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "algoconf_version": __version__,
        "selector": {"kind": _kind(selector), "class": f"{type(selector).__module__}.{type(selector).__name__}",
                     "params": _jsonable(selector.get_params())},
        "algorithms": [str(a) for a in data.algorithms],
        "feature_names": [str(f) for f in data.feature_names],
        "cutoff": _jsonable(data.cutoff),
        "source": str(source),
    }
    manifest.update(_jsonable(dict(extra or {})))
    payload = sio.dumps(selector)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
        archive.writestr(PAYLOAD, payload)
    tmp.replace(path)


def load_model(path: str | Path, *, trust_pickle: bool = False) -> dict[str, Any]:
    """The model at ``path``: its manifest with the fitted selector under ``"selector"``.

    Raises :class:`SelectionInputError` (one line, naming the file) for anything that is not a
    model of this format; a pickled model only loads with ``trust_pickle=True``.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as err:
        raise SelectionInputError(f"cannot read the model: {err.strerror or err}", file=path) from None
    if head[:1] == b"\x80" and not zipfile.is_zipfile(path):
        if not trust_pickle:
            raise SelectionInputError(
                "a pickled selector model (written by an older algoconf, or by someone else): not loaded, "
                "since unpickling can run code; refit it with 'algoconf select fit SOURCE -o MODEL' "
                "(or pass --trust-model if you trust where the file came from)", file=path)
        return _load_pickle(path)
    if not zipfile.is_zipfile(path):
        raise SelectionInputError("not a selector model written by 'algoconf select fit'", file=path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            payload = _read_member(archive, PAYLOAD, path)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise SelectionInputError(f"a damaged selector model: {err}", file=path) from None
    selector = _load_selector(payload, path)
    _check(manifest, selector, path)
    model = dict(manifest)
    model["selector"] = selector
    return model


def _read_member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise SelectionInputError(f"not a selector model: no {name} in the archive", file=path) from None
    if name == MANIFEST and info.file_size > MAX_MANIFEST_BYTES:
        raise SelectionInputError(f"the model's {name} is {info.file_size} bytes (at most {MAX_MANIFEST_BYTES})",
                                  file=path)
    return archive.read(name)


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    raw = _read_member(archive, MANIFEST, path)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise SelectionInputError(f"the model's {MANIFEST} is not JSON: {err}", file=path) from None
    if not isinstance(manifest, dict) or manifest.get("format") != MODEL_FORMAT:
        raise SelectionInputError("not a selector model written by 'algoconf select fit'", file=path)
    if manifest.get("version") != MODEL_VERSION:
        raise SelectionInputError(
            f"model format version {manifest.get('version')!r}; this algoconf reads version {MODEL_VERSION}: "
            "refit it with 'algoconf select fit'", file=path)
    return manifest


def _load_selector(payload: bytes, path: Path) -> Any:
    import skops.io as sio

    try:
        found = sio.get_untrusted_types(data=payload)
    except Exception as err:  # skops raises many kinds on a damaged archive; none of them runs code
        raise SelectionInputError(f"a damaged selector model: {type(err).__name__}: {err}".splitlines()[0],
                                  file=path) from None
    if any(_legacy_module(name) for name in found):
        payload = _renamed_legacy_types(payload, path)
        found = sio.get_untrusted_types(data=payload)
    untrusted = sorted(set(found) - set(TRUSTED_TYPES))
    if untrusted:
        raise SelectionInputError(f"the model names types algoconf does not load: {', '.join(untrusted)[:300]}",
                                  file=path)
    try:
        return sio.loads(payload, trusted=list(found))
    except Exception as err:  # a damaged payload; only trusted types were constructed
        raise SelectionInputError(f"a damaged selector model: {type(err).__name__}: {err}".splitlines()[0],
                                  file=path) from None


def _legacy_module(type_name: str) -> str | None:
    """Today's module of a type ``module.Class`` named by its pre-issue-19 module path, else None."""
    return LEGACY_MODULES.get(type_name.rpartition(".")[0])


def _renamed_legacy_types(payload: bytes, path: Path) -> bytes:
    """The skops payload with the legacy module paths of its schema replaced by today's.

    Only ``schema.json`` (plain JSON: reading it runs nothing) changes; the array members are copied.
    """

    def rename(node: Any) -> Any:
        if isinstance(node, dict):
            out = {key: rename(value) for key, value in node.items()}
            for key in ("__module__", "module_path"):  # an object's or type's module; a function's
                if isinstance(out.get(key), str) and out[key] in LEGACY_MODULES:
                    out[key] = LEGACY_MODULES[out[key]]
            return out
        if isinstance(node, list):
            return [rename(value) for value in node]
        return node

    source = io.BytesIO(payload)
    target = io.BytesIO()
    try:
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                data = old.read(info)
                if info.filename == "schema.json":
                    data = json.dumps(rename(json.loads(data.decode("utf-8")))).encode("utf-8")
                new.writestr(info, data)
    except (zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError, RecursionError, OSError) as err:
        raise SelectionInputError(f"a damaged selector model: {type(err).__name__}: {err}".splitlines()[0],
                                  file=path) from None
    return target.getvalue()


class _LegacyUnpickler(pickle.Unpickler):
    """Unpickler that finds classes pickled under their pre-issue-19 module paths (``--trust-model``)."""

    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(LEGACY_MODULES.get(module, module), name)


def _check(manifest: Mapping[str, Any], selector: Any, path: Path) -> None:
    if not isinstance(selector, Selector):
        raise SelectionInputError(f"the model holds a {type(selector).__name__}, not a fitted selector", file=path)
    for key in ("algorithms", "feature_names"):
        value = manifest.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SelectionInputError(f"the model's manifest has no list of names under {key!r}", file=path)
    if not manifest["algorithms"]:
        raise SelectionInputError("the model's manifest lists no algorithms", file=path)
    cutoff = manifest.get("cutoff")
    if cutoff is not None and (not isinstance(cutoff, (int, float)) or isinstance(cutoff, bool) or cutoff <= 0):
        raise SelectionInputError(f"the model's cutoff {cutoff!r} is not a positive number", file=path)
    fitted = getattr(selector, "algorithms_", None)
    if fitted is not None and list(fitted) != manifest["algorithms"]:
        raise SelectionInputError("the model's manifest and its selector name different algorithms", file=path)


def _load_pickle(path: Path) -> dict[str, Any]:
    log.warning("%s: loading a pickled selector model (--trust-model): unpickling runs whatever the file says", path)
    try:
        with path.open("rb") as handle:
            blob = _LegacyUnpickler(handle).load()  # noqa: S301 - the caller asked for it (--trust-model)
    except Exception as err:
        raise SelectionInputError(f"not a selector model: {type(err).__name__}: {err}".splitlines()[0],
                                  file=path) from None
    if not isinstance(blob, dict) or blob.get("format") != MODEL_FORMAT:
        raise SelectionInputError("not a selector model written by 'algoconf select fit'", file=path)
    if blob.get("version") != 1:
        raise SelectionInputError(f"pickled model format version {blob.get('version')!r} is not 1", file=path)
    _check(blob, blob.get("selector"), path)
    return blob
