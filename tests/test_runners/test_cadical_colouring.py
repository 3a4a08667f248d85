"""The cadical-colouring scenario: its 22-option space is cadical's own, every value reaches the
binary as an accepted option, and its generated instances are deterministic planted colourings."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from algoconf.execution.base import execute_run
from algoconf.instances.generators import flat_colouring, known_answer
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.runners import get_runner
from algoconf.scenario import load_scenario
from algoconf.space import active_config
from algoconf.space.files import read_space

REPO = Path(__file__).resolve().parents[2]
SEARCH_PCS = REPO / "runners" / "cadical" / "search.pcs"
SCENARIO = REPO / "scenarios" / "cadical-colouring" / "scenario.yaml"
needs_cadical = pytest.mark.skipif(shutil.which("cadical") is None, reason="cadical binary not installed")


def test_search_space_is_curated_and_agrees_with_the_main_cadical_file():
    space = read_space(SEARCH_PCS)
    main = {hp.name: hp for hp in read_space(get_runner("cadical").params_file()).values()}
    names = [hp.name for hp in space.values()]
    assert 15 <= len(names) <= 25
    shared = [n for n in names if n in main]
    assert len(shared) >= 15
    for name in shared:
        assert space[name].default_value == main[name].default_value, name
    # the conditions make restart/stabilize/rephase/walk children inactive when their switch is off
    off = dict(space.get_default_configuration()) | {"restart": "off", "stabilize": "off", "walk": "off"}
    active = active_config(space, off)
    assert not {"restartint", "reluctant", "stabilizeonly", "stabilizeint", "walkreleff"} & set(active)


@needs_cadical
def test_search_space_names_defaults_and_ranges_are_cadicals():
    help_text = subprocess.run(["cadical", "--help"], capture_output=True, text=True).stdout
    native = {m[0]: (m[1], m[2]) for m in re.findall(r"--(\w+)=(\S+)\s.*\[(\S+)\]", help_text)}
    runner = get_runner("cadical")
    for hp in read_space(SEARCH_PCS).values():
        assert hp.name in native, hp.name
        kind, default = native[hp.name]
        if kind == "bool":
            assert hp.name in runner.flags, hp.name
            assert {"on": "true", "off": "false"}[hp.default_value] == default, hp.name
            continue
        lo, hi = (float(x) for x in kind.split(".."))
        assert float(hp.default_value) == float(default), hp.name
        assert runner.clamp[hp.name] == (lo, hi), hp.name
        values = [float(c) for c in hp.choices] if hasattr(hp, "choices") else [hp.lower, hp.upper]
        assert lo <= min(values) and max(values) <= hi, hp.name


@needs_cadical
def test_every_option_value_is_accepted_by_the_binary(tmp_path):
    """Default, extremes and random configurations all solve a small planted colouring (an unknown
    option or a bad value would make cadical exit 1: CRASHED)."""
    (path,) = flat_colouring(tmp_path, 1, 3, vertices=60)
    instance = Instance("small", path)
    space = read_space(SEARCH_PCS)
    space.seed(3)
    default = dict(space.get_default_configuration())
    flipped = {k: ({"on": "off", "off": "on"}.get(v, v)) for k, v in default.items()}
    flipped.update(restart="on", stabilize="on", rephase="on", walk="on")
    lows = {hp.name: hp.lower for hp in space.values() if hasattr(hp, "lower")}
    configs = [default, active_config(space, default | flipped), active_config(space, default | lows)]
    configs += [active_config(space, dict(c)) for c in space.sample_configuration(6)]
    target = get_runner("cadical").target()
    for i, config in enumerate(configs):
        result = execute_run(target, RunRequest(config, "small", i + 1, 10.0), instance)
        assert result.status is Status.SUCCESS, (config, result.info)
        assert result.info["answer"] == "SAT" and result.info.get("model_checked") is True


def test_scenario_instances_are_deterministic_planted_colourings(tmp_path):
    scenario = load_scenario(SCENARIO)
    assert scenario.objective == "runtime" and scenario.cutoff == 2 and scenario.time_kind == "cpu"
    assert len(list(scenario.space.values())) == len(list(read_space(SEARCH_PCS).values()))
    assert set(scenario.train.names).isdisjoint(scenario.test.names)
    first = scenario.train[0]
    assert known_answer(first.path) == "SAT"
    (again,) = flat_colouring(tmp_path, 1, 51, vertices=500, colours=3, degree=4.79)

    def digest(p):
        return hashlib.sha256(Path(p).read_bytes()).hexdigest()

    assert digest(again) == digest(first.path)
