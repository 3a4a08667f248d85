"""The parameter files in runners/ parse, and their names/defaults/ranges are the solvers' own."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from algoconf.runners import RUNNERS, get_runner
from algoconf.space.files import read_space

PCS_RUNNERS = sorted({r.params_file() for r in RUNNERS.values() if r.params_file().exists()})


def test_every_configurable_runner_has_a_parameter_file():
    for name in ("minisat", "cadical", "clasp", "cpsat-jobshop", "pysat-cadical195"):
        assert get_runner(name).params_file().is_file(), name


@pytest.mark.parametrize("path", PCS_RUNNERS, ids=lambda p: p.parent.name)
def test_parameter_file_parses(path):
    space = read_space(path)
    assert len(list(space.values())) >= 10
    space.get_default_configuration()


def _number(text):
    return float(text.replace("imax", "2147483647"))


@pytest.mark.skipif(shutil.which("cadical") is None, reason="cadical binary not installed")
def test_cadical_names_defaults_and_ranges_match_its_help():
    help_text = subprocess.run(["cadical", "--help"], capture_output=True, text=True).stdout
    native = {m[0]: (m[1], m[2]) for m in re.findall(r"--(\w+)=(\S+)\s.*\[(\S+)\]", help_text)}
    runner = get_runner("cadical")
    for hp in read_space(runner.params_file()).values():
        assert hp.name in native, hp.name
        kind, default = native[hp.name]
        if kind == "bool":
            assert hp.name in runner.flags
            assert {"on": "true", "off": "false"}[hp.default_value] == default
            continue
        lo, hi = (float(x) for x in kind.split(".."))
        assert float(hp.default_value) == float(default), hp.name
        assert runner.clamp[hp.name] == (lo, hi), hp.name
        values = [float(c) for c in hp.choices] if hasattr(hp, "choices") else [hp.lower, hp.upper]
        assert lo <= min(values) and max(values) <= hi, hp.name


@pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")
def test_minisat_names_and_defaults_match_its_help():
    proc = subprocess.run(["minisat", "--help"], capture_output=True, text=True)
    text = proc.stdout + proc.stderr
    numeric = {m[0]: m[1] for m in re.findall(r"-([\w-]+)\s*=\s*<\w+>\s*[\[(].*?[\])]\s*\(default: (\S+)\)", text)}
    flags = {m[0]: m[1] for m in re.findall(r"-([\w-]+), -no-[\w-]+\s+\(default: (\w+)\)", text)}
    runner = get_runner("minisat")
    for hp in read_space(runner.params_file()).values():
        if hp.name in flags:
            assert hp.default_value == flags[hp.name] and hp.name in runner.flags
        else:
            assert float(hp.default_value) == float(numeric[hp.name]), hp.name
            lo, hi = runner.clamp[hp.name]
            values = [float(c) for c in hp.choices] if hasattr(hp, "choices") else [hp.lower, hp.upper]
            assert lo <= min(values) and max(values) <= hi, hp.name


def test_cpsat_values_are_accepted_and_defaults_are_cpsats():
    pytest.importorskip("ortools")
    from ortools.sat.python import cp_model

    defaults = cp_model.CpSolver().parameters
    for hp in read_space(get_runner("cpsat-jobshop").params_file()).values():
        native = getattr(defaults, hp.name)
        shown = native.name if hasattr(native, "name") else native
        expected = {"true": True, "false": False}.get(hp.default_value, hp.default_value)
        assert shown == expected or float(shown) == float(expected), hp.name
        values = list(hp.choices) if hasattr(hp, "choices") else [hp.lower, hp.upper]
        for value in values:
            fresh = cp_model.CpSolver().parameters
            assert fresh.merge_text_format(f"{hp.name}: {value}"), (hp.name, value)


@pytest.mark.skipif(shutil.which("clasp") is None, reason="clasp binary not installed")
def test_every_clasp_choice_is_accepted_by_clasp(tmp_path):
    from algoconf.instances.generators import pigeonhole
    from algoconf.instances import Instance
    from algoconf.records import RunRequest

    (cnf,) = pigeonhole(tmp_path, 1, 0, holes=3)
    runner = get_runner("clasp")
    space = read_space(runner.params_file())
    default = dict(space.get_default_configuration())
    target = runner.target()
    for hp in space.values():
        for value in getattr(hp, "choices", ()):
            config = dict(default, **{hp.name: value})
            if hp.name == "restarts" and value not in ("preset", "no"):
                config.update({"restart-base": 100, "restart-factor": 1.5})
            if hp.name == "deletion" and value != "preset":
                config["deletion-pct"] = 50
            argv = target.prepare(RunRequest(config, "php", 1, 5.0), Instance("php", cnf)).argv
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            assert proc.returncode == 20, (argv, proc.stdout[-300:], proc.stderr[-300:])
