"""Scenario files and instance caches written before the generators moved to
``algoconf.instances.generators`` name them ``algoconf.generators:...``; those specs still load."""

from __future__ import annotations

import json

import pytest

from algoconf.errors import InstanceError
from algoconf.instances import InstanceSet, generator_spec_hash
from algoconf.instances.generators._moved import current_module_name
from algoconf.scenario import load_scenario

OLD = "algoconf.generators:random_ksat"
NEW = "algoconf.instances.generators:random_ksat"


def test_old_and_new_paths_make_the_same_instances(tmp_path):
    spec = {"n": 3, "seed": 5, "kwargs": {"variables": 30}}
    old = InstanceSet.from_generator({"generator": OLD, **spec}, tmp_path / "old")
    new = InstanceSet.from_generator({"generator": NEW, **spec}, tmp_path / "new")
    assert old.names == new.names
    for a, b in zip(old, new):
        assert a.path.read_bytes() == b.path.read_bytes()
    # the spec is kept as written: an old scenario keeps its instance cache folder and its meta
    assert old[0].path.parent.name == generator_spec_hash({"generator": OLD, **spec})
    assert old[0].meta["generator"] == OLD
    assert old.source["generator"] == OLD


def test_an_old_instance_cache_is_reused_not_regenerated(tmp_path):
    """A cache folder written by the code before the move (its manifest names the old path)."""
    spec = {"generator": OLD, "n": 2, "seed": 1, "kwargs": {"variables": 20}}
    folder = tmp_path / generator_spec_hash(spec)
    folder.mkdir()
    for name in ("a.cnf", "b.cnf"):
        (folder / name).write_text("p cnf 1 1\n1 0\n")
    (folder / ".algoconf-instances.json").write_text(json.dumps({"spec": spec, "instances": ["a.cnf", "b.cnf"]}))
    got = InstanceSet.from_generator(spec, tmp_path)
    assert got.names == ("a.cnf", "b.cnf")
    assert got[0].path.read_text() == "p cnf 1 1\n1 0\n"


def test_an_old_scenario_file_loads(tmp_path):
    (tmp_path / "space.pcs").write_text("x [0, 1] [0.5]\n")
    (tmp_path / "scenario.yaml").write_text(
        "target: {kind: command, command: 'true {instance}'}\n"
        "space: space.pcs\n"
        "cutoff: 1\n"
        f"train: {{generator: '{OLD}', n: 2, seed: 3, kwargs: {{variables: 20}}}}\n"
    )
    scenario = load_scenario(tmp_path / "scenario.yaml")
    assert len(scenario.train) == 2 and all(i.path.is_file() for i in scenario.train)


def test_mixed_families_accepts_the_old_path(tmp_path):
    spec = {"generator": "algoconf.instances.generators.mixed:mixed_families", "n": 2, "seed": 0,
            "kwargs": {"families": [{"generator": OLD, "kwargs": {"variables": 20}}]}}
    got = InstanceSet.from_generator(spec, tmp_path)
    assert len(got) == 2


@pytest.mark.parametrize(
    "name, expected",
    [
        ("algoconf.generators", "algoconf.instances.generators"),
        ("algoconf.generators.ksat", "algoconf.instances.generators.ksat"),
        ("algoconf.generatorsx", "algoconf.generatorsx"),
        ("mypackage.gen", "mypackage.gen"),
    ],
)
def test_current_module_name(name, expected):
    assert current_module_name(name) == expected


def test_a_module_that_never_existed_is_still_an_input_error(tmp_path):
    with pytest.raises(InstanceError, match="cannot import generator module"):
        InstanceSet.from_generator({"generator": "algoconf.nonexistent:f", "n": 1, "seed": 0}, tmp_path)
