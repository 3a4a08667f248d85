"""Reading and writing each format: what each syntax means, and what a writer refuses."""

from __future__ import annotations

import warnings

import pytest
from ConfigSpace import ConfigurationSpace
from ConfigSpace.forbidden import ForbiddenLessThanRelation
from ConfigSpace.hyperparameters import OrdinalHyperparameter, UniformIntegerHyperparameter

from algoconf.errors import ConfigurationError, SpaceError
from algoconf.space import (
    active_config,
    default_config,
    describe_space,
    detect_format,
    parse_space,
    read_space,
    sample_configs,
    space_to_text,
    write_space,
)

OLD = """
heuristic {greedy, tabu, anneal} [greedy]
restarts {none, few, many} [few]
tenure [1, 100] [10]il               # i = integer, l = log scale
temperature [0.01, 10.0] [1.0]l
tenure | heuristic in {tabu}
temperature | heuristic in {anneal}
{heuristic=anneal, restarts=none}    # forbidden combination
{tenure=5}
"""


def test_old_pcs_forbidden_on_an_integer_is_an_integer():
    # ConfigSpace 1.2's own old-PCS reader reads the 5 as a string and fails
    space = parse_space(OLD, "pcs")
    summary = describe_space(space)
    assert "tenure=5" in summary["forbiddens"]
    with pytest.raises(ConfigurationError, match="forbidden"):
        active_config(space, {"heuristic": "tabu", "restarts": "few", "tenure": 5})
    assert all(c.get("tenure") != 5 for c in sample_configs(space, 300, seed=0))
    assert active_config(space, {"heuristic": "tabu", "restarts": "few", "tenure": 6})["tenure"] == 6


def test_new_pcs_conjunctions_bind_and_tighter_than_or():
    space = parse_space(
        """
        a categorical {x, y, z} [x]
        n integer [0, 10] [5]
        c real [0, 1] [0.5]
        c | a == y && n > 3 || a == z
        """,
        "pcs_new",
    )
    active = lambda **v: "c" in active_config(space, {**v, "c": 0.1})  # noqa: E731
    assert active(a="y", n=4) and active(a="z", n=0)
    assert not active(a="y", n=3) and not active(a="x", n=9)


def test_several_condition_lines_must_all_hold():
    space = parse_space("a {x, y} [x]\nb {u, v} [u]\nc [0, 1] [0]\nc | a in {y}\nc | b in {v}\n", "pcs")
    assert "c" not in active_config(space, {"a": "y", "b": "u", "c": 0.5})
    assert active_config(space, {"a": "y", "b": "v", "c": 0.5})["c"] == 0.5


def test_conditions_on_inactive_parents_are_false():
    space = parse_space(
        "a categorical {x, y} [x]\nb categorical {u, v} [u]\nc real [0, 1] [0]\nb | a == y\nc | b != v\n", "pcs_new"
    )
    # b inactive -> "b != v" is false, so c is inactive too
    assert active_config(space, {"a": "x", "b": "u", "c": 0.3}) == {"a": "x"}
    assert active_config(space, {"a": "y", "b": "u", "c": 0.3}) == {"a": "y", "b": "u", "c": 0.3}


IRACE = '''
# name     switch          type   domain                 | condition (R expression)
heuristic  "--heur="       c      (greedy, tabu, anneal)
tenure     "--tenure "     i,log  (1, 100)               | heuristic == "tabu"     # default: 10
temp       "--temp="       r      (0.01, 10)             | heuristic %in% c("anneal")
effort     "--effort="     o      ("low", "mid", "high")  # default: mid
depth      "--depth "      i      (0, 20)                | (heuristic != "greedy" & effort > "low") | temp < 5

[global]
digits = 3

[forbidden]
heuristic == "anneal" & effort == "low"
tenure >= 90 & effort %in% c("high")
'''


def test_irace_switches_types_defaults_and_sections():
    space = parse_space(IRACE, "irace", "parameters.txt")
    assert {n: space[n].meta["switch"] for n in space.keys()} == {
        "heuristic": "--heur=", "tenure": "--tenure ", "temp": "--temp=", "effort": "--effort=", "depth": "--depth "}
    assert isinstance(space["effort"], OrdinalHyperparameter)
    assert space["tenure"].log and isinstance(space["tenure"], UniformIntegerHyperparameter)
    assert space.meta == {"irace_digits": 3}
    # defaults: '# default:' comments, else first value / midpoint
    assert default_config(space) == {"heuristic": "greedy", "effort": "mid"}
    assert space["temp"].default_value == pytest.approx(5.005) and space["depth"].default_value == 10
    # the ordinal comparison follows the declared order, not string order
    assert "depth" in active_config(space, {"heuristic": "tabu", "effort": "mid", "tenure": 3, "depth": 1})
    assert "depth" not in active_config(space, {"heuristic": "tabu", "effort": "low", "tenure": 3, "depth": 1})
    assert "depth" in active_config(space, {"heuristic": "anneal", "effort": "high", "temp": 1.0, "depth": 1})
    with pytest.raises(ConfigurationError, match="forbidden"):
        active_config(space, {"heuristic": "tabu", "effort": "high", "tenure": 95, "depth": 3})
    # written back: same space, same switches, digits kept
    text = space_to_text(space, "irace")
    assert "[global]\ndigits = 3" in text
    assert describe_space(parse_space(text, "irace")) == describe_space(space)


def test_pcs_to_irace_gets_default_switches():
    text = space_to_text(parse_space(OLD, "pcs"), "irace")
    assert 'tenure       "-tenure "       i,log  (1, 100) | heuristic %in% c("tabu")  # default: 10' in text
    assert "tenure == 5" in text


@pytest.mark.parametrize(
    "build, fmt, message",
    [
        (lambda: parse_space("e ordinal {lo, hi} [lo]\n", "pcs_new"), "pcs",
         "pcs (old syntax) cannot express ordinal parameter 'e'; write pcs_new or irace"),
        (lambda: parse_space("a categorical {x, y} [x]\nb real [0, 1] [0]\nb | a == x || a == y\n", "pcs_new"), "pcs",
         "pcs (old syntax) cannot express the '||' in the condition of 'b'; write pcs_new or irace"),
        (lambda: parse_space("r real [0, 1] [0]\ns real [0, 1] [0]\ns | r > 0.5\n", "pcs_new"), "pcs",
         "pcs (old syntax) cannot express the condition of 's' on real parameter 'r': old-PCS conditions name "
         "categorical parents (ConfigSpace reads no other); write pcs_new or irace"),
        (lambda: parse_space('r "-r " r (0, 1)\n[forbidden]\nr > 0.9\n', "irace"), "pcs_new",
         "pcs_new cannot express forbidden clause {r > 0.9}: PCS forbids combinations of 'name=value' only; write irace or json"),
        (lambda: parse_space('a "-a " c ("x y", "z")\n', "irace"), "pcs",
         "pcs cannot express parameter 'a': value 'x y' contains a space or one of , { } [ ] | # ="),
    ],
)
def test_writers_name_what_they_cannot_express(build, fmt, message):
    with pytest.raises(SpaceError) as info:
        space_to_text(build(), fmt)
    assert str(info.value) == message


def test_old_pcs_writes_no_conditions_or_forbiddens_on_numerical_parameters():
    # ConfigSpace's old-PCS reader refuses them ("conditional on the illegal value '3'"): say so
    space = parse_space("n integer [0, 4] [0]\nm integer [0, 9] [0]\nm | n > 2\n", "pcs_new")
    with pytest.raises(SpaceError, match="pcs \\(old syntax\\) cannot express the condition of 'm' on integer parameter 'n'"):
        space_to_text(space, "pcs")
    space = parse_space("n integer [0, 4] [0]\nc categorical {x, y} [x]\n{n=1, c=y}\n", "pcs_new")
    with pytest.raises(SpaceError, match="pcs \\(old syntax\\) cannot express forbidden clause .* on integer parameter 'n'"):
        space_to_text(space, "pcs")
    # what it does write, ConfigSpace reads
    from ConfigSpace.read_and_write import pcs as cs_pcs

    space = parse_space("c categorical {x, y, z} [x]\nm integer [0, 9] [0]\nm | c != y\n{c=z, m=3}\n", "pcs_new")
    with pytest.raises(SpaceError, match="on integer parameter 'm'"):
        space_to_text(space, "pcs")  # the forbidden clause names the integer m
    space = parse_space("c categorical {x, y, z} [x]\nm integer [0, 9] [0]\nm | c != y\n", "pcs_new")
    read = cs_pcs.read(space_to_text(space, "pcs").splitlines())
    assert [str(c) for c in read.conditions] == ["m | c in {'x', 'z'}"]


def test_forbidden_relations_round_trip_through_irace_and_json():
    space = ConfigurationSpace()
    a, b = UniformIntegerHyperparameter("a", 0, 10, 0), UniformIntegerHyperparameter("b", 0, 10, 5)
    space.add([a, b])
    space.add(ForbiddenLessThanRelation(b, a))
    for fmt in ("irace", "json"):
        again = parse_space(space_to_text(space, fmt), fmt)
        assert describe_space(again)["forbiddens"] == ["b < @a"]
        with pytest.raises(ConfigurationError, match="forbidden"):
            active_config(again, {"a": 7, "b": 3})
    with pytest.raises(SpaceError, match="cannot express forbidden clause"):
        space_to_text(space, "pcs_new")


def test_json_keeps_switches_and_checks_like_every_format(tmp_path):
    space = parse_space(IRACE, "irace")
    path = tmp_path / "space.json"
    write_space(space, path)
    again = read_space(path)
    assert describe_space(again) == describe_space(space)
    assert again.meta == {"irace_digits": 3}


@pytest.mark.parametrize(
    "text, suffix, fmt",
    [
        (OLD, ".pcs", "pcs"),
        ("a categorical {x} [x]\n", ".pcs", "pcs_new"),
        ('a "-a " c (x)\n', ".txt", "irace"),
        ("[forbidden]\n", "", "irace"),
        ('{"hyperparameters": []}', "", "json"),
        ("{a=x}\n", ".pcs", "pcs"),
    ],
)
def test_format_detection(text, suffix, fmt):
    assert detect_format(text, suffix) == fmt


def test_agrees_with_configspace_reader_on_new_pcs():
    text = "a categorical {x, y, z} [x]\nn integer [1, 64] [8] log\nr real [0.1, 1] [0.5]\nn | a in {y, z}\nr | a == z && n > 4\n{a=y, n=2}\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ConfigSpace.read_and_write import pcs_new

        theirs = pcs_new.read(text.splitlines())
    assert describe_space(parse_space(text, "pcs_new")) == describe_space(theirs)


def test_irace_digits_round_real_values():
    space = parse_space('r "-r " r (0, 1)\nl "-l " r,log (0.001, 1)\n[global]\ndigits = 2\n', "irace")
    assert active_config(space, {"r": 0.123456, "l": 0.0049}) == {"r": 0.12, "l": 0.001}
    for config in sample_configs(space, 50, seed=1):
        assert config["r"] == round(config["r"], 2) and 0.001 <= config["l"] <= 1
