"""Selector models saved before algoconf/selection/ was split into data/, offline/, online/ (issue 19).

Their skops payloads name the old class paths (``algoconf.selection.single_best.SingleBest``); they
must still load as the same selector, predict the plans they predicted when saved
(tests/data/legacy_models/expected.json), and ``algoconf select run`` must play an old file exactly as
it plays the same selector saved by the current code.
"""

from __future__ import annotations

import io
import json
import pickle
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from algoconf.cli.main import main
from algoconf.errors import SelectionInputError
from algoconf.selection import load_model, make_selector, save_model
from algoconf.selection.data.sources import load_performance
from algoconf.selection.model_io import LEGACY_MODULES, TRUSTED_TYPES

LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy_models"
MINI = Path(__file__).resolve().parents[1] / "data" / "aslib_mini"
SOLVERS = ("minisat", "cadical", "clasp")
EXPECTED = json.loads((LEGACY / "expected.json").read_text())

needs_solvers = pytest.mark.skipif(
    any(shutil.which(s) is None for s in SOLVERS), reason="minisat/cadical/clasp binaries not installed"
)


def _schema(path: Path) -> str:
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(io.BytesIO(archive.read("selector.skops"))) as payload:
        return payload.read("schema.json").decode("utf-8")


def _runner_data():
    """aslib_mini restricted to the runner-named algorithms: what the legacy models were fitted on."""
    data = load_performance(MINI)
    cols = [data.algorithms.index(a) for a in SOLVERS]
    return replace(
        data, algorithms=SOLVERS, time=data.time[:, cols], event=data.event[:, cols], observed=data.observed[:, cols]
    )


def _plans(plans) -> list[list[list]]:
    return [[[a, float(b)] for a, b in plan] for plan in plans]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_model_saved_before_the_split_loads_and_predicts_what_it_did(name):
    path = LEGACY / f"{name}.model"
    old_modules = set(re.findall(r'"__module__": "(algoconf[^"]*)"', _schema(path)))
    assert old_modules and old_modules <= set(LEGACY_MODULES)  # the file really names the old paths
    model = load_model(path)
    selector = model["selector"]
    assert type(selector).__module__.startswith("algoconf.selection.offline.")
    assert f"{type(selector).__module__}.{type(selector).__name__}" in TRUSTED_TYPES
    data = _runner_data()
    assert model["algorithms"] == list(data.algorithms)
    assert _plans(selector.predict(data.features)) == EXPECTED[name]["plans"]
    assert _plans([selector.presolve_schedule]) == [EXPECTED[name]["presolve_schedule"]]


def test_an_old_path_that_is_not_a_known_selector_module_is_still_refused(tmp_path):
    # rename the legacy selector's module to one that never held a trusted type
    source = LEGACY / "single_best.model"
    with zipfile.ZipFile(source) as archive:
        manifest, payload = archive.read("manifest.json"), archive.read("selector.skops")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(payload)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "schema.json":
                data = data.replace(b'"algoconf.selection.single_best"', b'"algoconf.selection.base"')
            new.writestr(info, data)
    hostile = tmp_path / "hostile.model"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("manifest.json", manifest)
        archive.writestr("selector.skops", out.getvalue())
    with pytest.raises(SelectionInputError, match="algoconf.selection.base.SingleBest"):
        load_model(hostile)


def test_a_trusted_pickle_naming_the_old_paths_loads(tmp_path):
    data = _runner_data()
    selector = make_selector("single-best").fit(data)
    blob = {
        "format": "algoconf-selector",
        "version": 1,
        "selector": selector,
        "algorithms": list(SOLVERS),
        "feature_names": list(data.feature_names),
        "cutoff": data.cutoff,
        "source": str(MINI),
    }
    raw = pickle.dumps(blob, protocol=2)  # protocol 2 names classes as text lines: "c<module>\n<name>\n"
    new_module = type(selector).__module__.encode()
    assert b"c" + new_module + b"\n" in raw
    old = tmp_path / "old.pkl"
    old.write_bytes(raw.replace(b"c" + new_module + b"\n", b"calgoconf.selection.single_best\n"))
    with pytest.raises(SelectionInputError, match="refit it with 'algoconf select fit"):
        load_model(old)
    model = load_model(old, trust_pickle=True)
    assert type(model["selector"]) is type(selector)
    assert model["selector"].predict(data.features) == selector.predict(data.features)


def _played(capsys, model: Path, instances: list[Path]) -> list[dict]:
    assert main(["select", "run", str(model), *map(str, instances), "--workers", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["instances"]
    for row in rows:  # measured times vary from run to run; what was run, and its outcome, must not
        for key in ("runtime", "feature_cost", "total_time"):
            row.pop(key)
        for run in row["runs"]:
            run.pop("runtime")
    return rows


@needs_solvers
def test_select_run_plays_an_old_model_as_it_plays_the_same_model_saved_now(tmp_path, capsys):
    sat = tmp_path / "sat.cnf"
    sat.write_text("p cnf 3 3\n1 2 0\n-1 3 0\n-3 0\n")
    unsat = tmp_path / "unsat.cnf"
    unsat.write_text("p cnf 1 2\n1 0\n-1 0\n")
    instances = [sat, unsat]

    data = _runner_data()
    fresh = tmp_path / "now.model"
    save_model(fresh, make_selector("single-best").fit(data), data, "tests/data/aslib_mini")
    with zipfile.ZipFile(fresh) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["selector"]["class"] == "algoconf.selection.offline.single_best.SingleBest"
    assert '"algoconf.selection.offline.single_best"' in _schema(fresh)

    now = _played(capsys, fresh, instances)
    before = _played(capsys, LEGACY / "single_best.model", instances)
    assert before == now
    assert [r["status"] for r in now] == ["SUCCESS", "SUCCESS"]
    assert {r["chosen"] for r in now} == {EXPECTED["single_best"]["plans"][0][0][0]}
    assert np.all([len(r["runs"]) == 1 and r["runs"][0]["phase"] == "selected" for r in now])
