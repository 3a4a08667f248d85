"""algoconf.benchmarking.named_configs: configurations given as JSON, completed from the default."""

from __future__ import annotations

import pytest

from algoconf.benchmarking.named_configs import named_configs
from algoconf.errors import InputError
from algoconf.space import default_config, sample_configs
from algoconf.testing.tuners import synthetic_scenario


def test_reference_configurations_are_completed_from_the_default(tmp_path):
    space = synthetic_scenario(tmp_path / "sc", runs=10).space
    default = default_config(space)
    other = next(c for c in sample_configs(space, 5, seed=3) if c != default)
    name, value = next((k, v) for k, v in other.items() if default.get(k) != v)
    refs = named_configs({"tuned": {name: value}, "default": None}, space, label="refs")
    assert refs["default"] == default
    assert refs["tuned"][name] == value  # the given value, every other one the default's
    assert all(refs["tuned"][k] == default[k] for k in refs["tuned"] if k != name and k in default)
    assert list(named_configs([{name: value}], space, label="refs")) == ["refs[0]"]


def test_anything_else_is_one_input_error_naming_the_file(tmp_path):
    space = synthetic_scenario(tmp_path / "sc", runs=10).space
    with pytest.raises(InputError, match=r"^c\.json: expected a JSON object"):
        named_configs("x", space, label="c", file="c.json")
    with pytest.raises(InputError, match="'a' is not an object"):
        named_configs({"a": 3}, space, label="c", file="c.json")
