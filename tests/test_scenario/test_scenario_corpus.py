"""Real SMAC 2/3 (AClib) and irace ``scenario.txt`` files (``../shared/data/spaces-corpus``):
``algoconf scenario check`` accepts each one whose referenced files exist, run from the folder its
paths are relative to, and refuses the others with one line naming what is missing."""

from __future__ import annotations

import re
import os
from pathlib import Path

import pytest

from algoconf.cli.main import main
from algoconf.scenario.aclib import ACLIB_KEYS

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "data" / "spaces-corpus"
SCENARIOS = sorted(CORPUS.rglob("*scenario*.txt")) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the spaces corpus is not at {CORPUS}")

# Scenarios whose referenced files exist but which algoconf refuses, with the reason; the reference
# tool refuses them too.
EXPECTED_REFUSALS = {
    # SMAC 3's cmd_reader declares run_obj required=True (these files are completed by SMAC's tests)
    "SMAC3-v0.8.0/test/test_files/validation/scenario.txt": "missing required key 'run_obj'",
    "SMAC3-v1.4.0/tests/test_files/validation/scenario.txt": "missing required key 'run_obj'",
}

_ACLIB_PATHS = ("paramfile", "instance_file", "test_instance_file", "feature_file")
_IRACE_PATHS = {  # option -> irace's default
    "parameterFile": "./parameters.txt", "targetRunner": "./target-runner", "execDir": "./",
    "trainInstancesFile": None, "testInstancesFile": None, "forbiddenFile": None,
}  # fmt: skip


def _rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def _assignments(text: str) -> dict[str, str]:
    out = {}
    for raw in text.splitlines():
        m = re.match(r"^\s*([-.\w]+)\s*(?:=|<-)\s*(.*?)\s*$", raw.split("#", 1)[0])
        if m:
            out[m.group(1)] = m.group(2).strip("'\"")
    return out


def _start_folder(path: Path) -> Path | None:
    """The folder the scenario's paths are relative to, where all its files exist; None if none is.

    irace: the scenario's folder. AClib/SMAC: the scenario's folder or one above it (SMAC's
    examples are run from the repository's root)."""
    values = _assignments(path.read_text())
    if "parameterFile" in values or "maxExperiments" in values or "maxTime" in values:
        folder = path.parent
        needed = [values.get(k, default) for k, default in _IRACE_PATHS.items()]
        needed = [v for v in needed if v]
        if not values.get("trainInstancesFile"):
            needed.append(values.get("trainInstancesDir", "./Instances"))
        return folder if all((folder / v).exists() for v in needed) else None
    norm = {k.lower().lstrip("-").replace("-", "_"): v for k, v in values.items()}
    needed = [v for k, v in norm.items() if ACLIB_KEYS.get(k) in _ACLIB_PATHS and v]
    if not any(ACLIB_KEYS.get(k) == "paramfile" for k in norm):
        return None
    for folder in [path.parent, *path.parent.parents]:
        if all((folder / v).is_file() for v in needed):
            return folder
        if folder == CORPUS:
            break
    return None


@pytest.mark.parametrize("path", SCENARIOS, ids=_rel)
def test_scenario_check(path, monkeypatch, capsys):
    start = _start_folder(path)
    folder = start if start is not None else path.parent
    monkeypatch.chdir(folder)
    # relative to the folder as named, not to Path.cwd() (resolved): shared/ may be a symlink
    code = main(["scenario", "check", os.path.relpath(path, folder), "--json"])
    out, err = capsys.readouterr()
    if start is not None and _rel(path) not in EXPECTED_REFUSALS:
        assert code == 0, err
        assert '"valid": true' in out
        return
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("algoconf: "), err
    if _rel(path) in EXPECTED_REFUSALS:
        assert EXPECTED_REFUSALS[_rel(path)] in lines[0]
    else:  # a referenced file is missing (or the file holds R code, or irace options algoconf lacks)
        assert re.search(r"not found|not a folder|missing required key|not supported|expected 'name = value'|unknown key", lines[0]), lines[0]


def test_the_corpus_has_scenarios_that_pass():
    passing = [p for p in SCENARIOS if _start_folder(p) is not None and _rel(p) not in EXPECTED_REFUSALS]
    assert len(passing) >= 6, [_rel(p) for p in passing]


# irace's example scenarios ship without their target runners and instances: supply those (and only
# those) in a copy, and the real scenario and parameter files must load.
IRACE_NOT_LOADED = {
    "irace/inst/examples/matlabr/scenario.txt": "expected 'name = value'",  # R code (require, function)
    "irace/inst/examples/moaco/scenario.txt": "targetEvaluator",  # not implemented by algoconf
    "irace/tests/testthat/bad_scenario.txt": "unknown key 'parametersFile'",  # irace refuses it too
    # irace's checkScenario: "Tuning budget was not provided. Set 'maxExperiments' ... or 'maxTime'"
    "irace/tests/testthat/good_scenario.txt": "irace needs a budget",
}


@pytest.mark.parametrize("path", [p for p in SCENARIOS if _rel(p).startswith("irace/")], ids=_rel)
def test_irace_scenarios_load_once_their_runner_and_instances_exist(path, tmp_path, monkeypatch, capsys):
    import shutil

    folder = tmp_path / path.parent.name
    shutil.copytree(path.parent, folder)
    values = _assignments(path.read_text())
    for key in ("execDir", "trainInstancesDir", "testInstancesDir"):
        value = values.get(key, {"execDir": "./", "trainInstancesDir": "./Instances"}.get(key))
        if value:
            (folder / value).mkdir(parents=True, exist_ok=True)
            if key != "execDir" and not any((folder / value).iterdir()):
                (folder / value / "instance-1.txt").write_text("1\n")
    for key in ("trainInstancesFile", "testInstancesFile"):
        if values.get(key) and not (folder / values[key]).exists():
            (folder / values[key]).write_text("instance-1.txt\ninstance-2.txt\n")
    runner = folder / values.get("targetRunner", "./target-runner")
    if not runner.exists():
        runner.write_text("#!/bin/sh\necho 1.0\n")
        runner.chmod(0o755)
    monkeypatch.chdir(folder)
    code = main(["scenario", "check", path.name, "--json"])
    out, err = capsys.readouterr()
    if _rel(path) in IRACE_NOT_LOADED:
        assert code == 2 and IRACE_NOT_LOADED[_rel(path)] in err and len(err.strip().splitlines()) == 1
    elif not (folder / values.get("parameterFile", "./parameters.txt")).exists():
        assert code == 2 and "parameterFile" in err  # irace's testthat scenarios name a file kept elsewhere
    else:
        assert code == 0, err
        assert '"valid": true' in out
