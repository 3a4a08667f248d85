"""Configurations: validation to active values, canonical key, default, sampling, neighbours."""

import pytest

from algoconf.errors import ConfigurationError
from algoconf.records import config_key
from algoconf.space import (
    active_config,
    default_config,
    neighbours,
    parse_space,
    sample_configs,
    space_config_key,
)

SPACE = """
heuristic categorical {greedy, tabu, anneal} [greedy]
effort ordinal {low, mid, high} [mid]
tenure integer [1, 100] [10] log
temperature real [0.01, 10.0] [1.0] log
cooling real [0.5, 0.99] [0.9]
tenure | heuristic == tabu
temperature | heuristic in {anneal}
cooling | temperature > 0.1 && effort != low || heuristic == greedy && effort == high
{heuristic=anneal, effort=low}
"""


@pytest.fixture(scope="module")
def space():
    return parse_space(SPACE, "pcs_new", "demo.pcs")


def test_active_config_drops_inactive_values_and_keeps_types(space):
    values = {"heuristic": "greedy", "effort": "mid", "tenure": 50, "temperature": 2.0, "cooling": 0.7}
    assert active_config(space, values) == {"heuristic": "greedy", "effort": "mid"}
    assert active_config(space, {"heuristic": "tabu", "effort": "low", "tenure": 7.0}) == {
        "heuristic": "tabu", "effort": "low", "tenure": 7}
    got = active_config(space, {"heuristic": "anneal", "effort": "high", "temperature": 1, "cooling": 0.6})
    assert got == {"heuristic": "anneal", "effort": "high", "temperature": 1.0, "cooling": 0.6}
    assert isinstance(got["temperature"], float)


def test_key_ignores_inactive_values(space):
    a = {"heuristic": "greedy", "effort": "mid", "tenure": 3}
    b = {"heuristic": "greedy", "effort": "mid", "tenure": 99, "temperature": 0.5}
    assert space_config_key(space, a) == space_config_key(space, b) == config_key({"heuristic": "greedy", "effort": "mid"})
    assert space_config_key(space, a) != space_config_key(space, {"heuristic": "tabu", "effort": "mid", "tenure": 3})


@pytest.mark.parametrize(
    "values, message",
    [
        ({"heuristic": "greedy", "effort": "mid", "nope": 1}, "unknown parameter(s) 'nope'; the space has"),
        ({"heuristic": "tabu", "effort": "mid", "tenure": 101}, "parameter 'tenure': 101 is outside [1, 100]"),
        ({"heuristic": "tabu", "effort": "mid", "tenure": 2.5}, "parameter 'tenure': expected an integer, got 2.5"),
        ({"heuristic": "tabu", "effort": "mid", "tenure": "5"}, "parameter 'tenure': expected an integer, got '5' (str)"),
        ({"heuristic": "best", "effort": "mid"}, "parameter 'heuristic': 'best' is not one of {greedy, tabu, anneal}"),
        ({"heuristic": "tabu", "effort": "mid"}, "parameter 'tenure' is active (its condition"),
        ({"effort": "mid"}, "parameter 'heuristic' has no value (it is unconditional, so always active)"),
        ({"heuristic": "anneal", "effort": "low", "temperature": 1.0},
         "configuration is forbidden by clause {(heuristic == 'anneal' && effort == 'low')}"),
    ],
)
def test_active_config_rejects(space, values, message):
    with pytest.raises(ConfigurationError) as info:
        active_config(space, values)
    assert str(info.value).startswith(message)


def test_default_config(space):
    assert default_config(space) == {"heuristic": "greedy", "effort": "mid"}


def test_sampling_is_valid_and_deterministic(space):
    first = sample_configs(space, 100, seed=3)
    assert first == sample_configs(space, 100, seed=3)
    assert first != sample_configs(space, 100, seed=4)
    for config in first:
        assert active_config(space, config) == config
    assert {c["heuristic"] for c in first} == {"greedy", "tabu", "anneal"}
    assert any("cooling" in c for c in first) and any("cooling" not in c for c in first)


def test_neighbours_are_valid_distinct_one_exchange(space):
    start = {"heuristic": "anneal", "effort": "high", "temperature": 1.0, "cooling": 0.9}
    found = neighbours(space, start, 6, seed=1)
    assert len(found) == 6
    assert found == neighbours(space, start, 6, seed=1)
    keys = {space_config_key(space, c) for c in found}
    assert len(keys) == 6 and space_config_key(space, start) not in keys
    for config in found:
        assert active_config(space, config) == config
        changed = [k for k in set(config) | set(start) if config.get(k) != start.get(k)]
        assert len([k for k in changed if k in start and k in config]) <= 1


def test_configspace_configurations_are_accepted(space):
    # what SMAC hands back: a ConfigSpace Configuration with numpy-typed values
    from ConfigSpace import Configuration

    space.seed(5)
    conf = space.sample_configuration()
    got = active_config(space, conf)
    assert got == {k: conf[k] for k in conf.keys()}
    assert all(type(v) in (int, float, str) for v in got.values())
    assert Configuration(space, values=got) == conf
