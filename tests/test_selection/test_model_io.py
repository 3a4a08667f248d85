"""Selector model files: a round trip for every selector, and hostile or stale files refused
without running anything (algoconf.selection.model_io)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from algoconf.selection.data.sources import load_performance
from algoconf.errors import SelectionInputError
from algoconf.selection.model_io import MODEL_FORMAT, TRUSTED_TYPES, load_model, save_model
from algoconf.selection.offline.registry import SELECTORS, make_selector

REPO = Path(__file__).resolve().parents[2]
FAST = {"auto": {"max_runs": 3, "inner_folds": 2}}


@pytest.mark.parametrize("name", sorted(SELECTORS))
def test_every_selector_round_trips_and_needs_only_trusted_types(name, mini_dir, tmp_path):
    import skops.io as sio

    data = load_performance(mini_dir)
    selector = make_selector(name, random_state=0, **FAST.get(name, {})).fit(data)
    assert set(sio.get_untrusted_types(data=sio.dumps(selector))) <= set(TRUSTED_TYPES)
    path = tmp_path / "m.model"
    save_model(path, selector, data, mini_dir)
    model = load_model(path)
    assert model["selector"].predict(data.features) == selector.predict(data.features)
    assert model["selector"].presolve_schedule == selector.presolve_schedule
    assert model["algorithms"] == list(data.algorithms) and model["feature_names"] == list(data.feature_names)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == MODEL_FORMAT and manifest["selector"]["kind"] == name
    assert "algoconf_version" in manifest and manifest["selector"]["params"]["random_state"] == 0


class _RunsACommand:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _select_run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "algoconf", "select", "run", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_hostile_pickle_creates_nothing_and_gets_a_one_line_refusal(tmp_path):
    marker = tmp_path / "pwned"
    hostile = tmp_path / "shared.model"
    hostile.write_bytes(pickle.dumps({"format": MODEL_FORMAT, "version": 1, "selector": _RunsACommand(marker)}))
    instance = tmp_path / "a.cnf"
    instance.write_text("p cnf 1 1\n1 0\n")
    proc = _select_run(str(hostile), str(instance), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert not marker.exists()
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pickled" in lines[0] and "algoconf select fit" in lines[0] and str(hostile) in lines[0]


def test_a_pickle_loads_only_when_trusted(tmp_path, mini_dir):
    data = load_performance(mini_dir)
    selector = make_selector("single-best").fit(data)
    path = tmp_path / "old.model"
    path.write_bytes(pickle.dumps({"format": MODEL_FORMAT, "version": 1, "selector": selector,
                                   "algorithms": list(data.algorithms), "feature_names": list(data.feature_names),
                                   "cutoff": data.cutoff}))
    with pytest.raises(SelectionInputError, match="refit"):
        load_model(path)
    assert load_model(path, trust_pickle=True)["selector"].predict(data.features) == selector.predict(data.features)


def _rewrite(path: Path, out: Path, *, manifest=None, payload=None) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    if manifest is not None:
        members["manifest.json"] = json.dumps(manifest(json.loads(members["manifest.json"]))).encode()
    if payload is not None:
        members["selector.skops"] = payload
    with zipfile.ZipFile(out, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)


def test_a_skops_payload_with_an_untrusted_type_is_refused_before_construction(tmp_path, mini_dir):
    import skops.io as sio

    data = load_performance(mini_dir)
    good = tmp_path / "good.model"
    save_model(good, make_selector("single-best").fit(data), data, mini_dir)
    bad = tmp_path / "bad.model"
    _rewrite(good, bad, payload=sio.dumps({"f": os.system}))
    with pytest.raises(SelectionInputError, match="types algoconf does not load"):
        load_model(bad)


@pytest.mark.parametrize("change, message", [
    (lambda m: dict(m, version=7), "format version 7"),
    (lambda m: dict(m, format="other"), "not a selector model"),
    (lambda m: dict(m, algorithms=["x", "y"]), "different algorithms"),
    (lambda m: dict(m, algorithms="minisat"), "list of names"),
    (lambda m: dict(m, cutoff=-1), "not a positive number"),
])
def test_a_model_with_a_correct_header_but_wrong_contents_is_one_error(change, message, tmp_path, mini_dir):
    data = load_performance(mini_dir)
    good = tmp_path / "good.model"
    save_model(good, make_selector("single-best").fit(data), data, mini_dir)
    bad = tmp_path / "bad.model"
    _rewrite(good, bad, manifest=change)
    with pytest.raises(SelectionInputError, match=message):
        load_model(bad)


@pytest.mark.parametrize("content", [b"", b"not a model", b"PK\x03\x04 truncated", b"\x80\x04garbage"])
def test_junk_files_are_one_error(content, tmp_path):
    path = tmp_path / "junk.model"
    path.write_bytes(content)
    with pytest.raises(SelectionInputError):
        load_model(path)
    with pytest.raises(SelectionInputError):
        load_model(path, trust_pickle=True)


def test_a_folder_or_missing_file_is_one_error(tmp_path):
    with pytest.raises(SelectionInputError, match="cannot read"):
        load_model(tmp_path)
    with pytest.raises(SelectionInputError, match="cannot read"):
        load_model(tmp_path / "absent.model")
