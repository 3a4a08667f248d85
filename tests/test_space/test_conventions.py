"""Conventions users bring from SMAC, ConfigSpace and irace: irace names for dashed parameters,
old-PCS section headers, irace files without defaults, empty irace values, ``digits``, deep
condition chains; and ``algoconf space convert`` on every PCS file the project ships, read back by
ConfigSpace and irace."""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path

import pytest
from ConfigSpace import (
    CategoricalHyperparameter,
    ConfigurationSpace,
    Constant,
    EqualsCondition,
    ForbiddenAndConjunction,
    ForbiddenEqualsClause,
    InCondition,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from algoconf.cli.main import main
from algoconf.errors import SpaceError
from algoconf.space import default_config, describe_space, parse_space, read_space, sample_configs, space_to_text
from algoconf.space.irace import irace_name
from .reference_tools import configspace_reads, irace_reads_all, need_irace
from .validity import problems

REPO = Path(__file__).resolve().parents[2]
SHIPPED_PCS = sorted(REPO.glob("runners/*/*.pcs")) + sorted((REPO / "tests" / "data" / "pcs").glob("*.pcs"))


def _without_switches(summary: dict) -> dict:
    return {**summary, "parameters": [{k: v for k, v in p.items() if k != "switch"} for p in summary["parameters"]]}


# ---- irace names ---------------------------------------------------------------------------------
def test_dashed_names_become_irace_names_with_the_real_name_in_the_switch(tmp_path, capsys):
    out = tmp_path / "x.irace.txt"
    assert main(["space", "convert", str(REPO / "runners/minisat/params.pcs"), str(out)]) == 0
    text = out.read_text()
    assert re.search(r'^ccmin_mode\s+"-ccmin-mode "\s+c\s+\("0", "1", "2"\)\s+# default: "2"  name: ccmin-mode$', text, re.M)
    assert re.search(r'^cl_lim\s+"-cl-lim "\s+i,log\s+\(5, 100\) \| pre %in% c\("on"\)', text, re.M)
    back = read_space(out)
    assert "ccmin-mode" in back and back["ccmin-mode"].meta == {"switch": "-ccmin-mode "}
    assert _without_switches(describe_space(back)) == describe_space(read_space(REPO / "runners/minisat/params.pcs"))


def test_names_in_conditions_and_forbidden_lines_are_mapped_back():
    space = parse_space(
        "a-b categorical {x, y} [x]\nc-d integer [0, 9] [1]\ne real [0, 1] [0.5]\n"
        "c-d | a-b == y\n{a-b=x, c-d=3}\n",
        "pcs_new",
    )
    text = space_to_text(space, "irace")
    assert 'c_d  "-c-d "  i  (0, 9) | a_b == "y"  # default: 1  name: c-d' in text
    assert 'a_b == "x" & c_d == 3' in text
    assert describe_space(parse_space(text, "irace")) == _with_default_switches(describe_space(space))


def _with_default_switches(summary: dict) -> dict:
    return {**summary, "parameters": [{**p, "switch": f"-{p['name']} "} for p in summary["parameters"]]}


@pytest.mark.parametrize(
    "name, expected",
    [("ccmin-mode", "ccmin_mode"), ("a.b_c", "a.b_c"), ("@1:F:q", "X_1_F_q"), ("_x", "X_x"), ("1st", "X1st"),
     (".5x", "X.5x"), ("if", "if_"), ("TRUE", "TRUE_"), ("sp-var-dec-heur", "sp_var_dec_heur")],
)
def test_irace_name(name, expected):
    assert irace_name(name) == expected


def test_irace_names_that_clash_get_a_suffix():
    space = parse_space("a-b categorical {x, y} [x]\na_b categorical {u, v} [u]\na:b integer [1, 2] [1]\n", "pcs_new")
    text = space_to_text(space, "irace")
    names = [line.split()[0] for line in text.splitlines() if line and not line.startswith("#")]
    assert sorted(names) == ["a_b", "a_b_2", "a_b_3"]
    assert sorted(parse_space(text, "irace").keys()) == ["a-b", "a:b", "a_b"]


# ---- old PCS -------------------------------------------------------------------------------------
def test_old_pcs_section_headers_are_skipped():
    text = "a {x, y} [x]\nb [0, 1] [0.5]\n\nConditionals:\nb | a in {y}\n\nForbidden:\n{a=x}\n"
    with pytest.raises(SpaceError, match="excludes the default"):  # the header is read past: the clause is seen
        parse_space(text, "pcs")
    space = parse_space(text.replace("{a=x}", "{a=y}"), "pcs")
    assert describe_space(space)["conditions"] == {"b": "a in {y}"}
    assert describe_space(space)["forbiddens"] == ["a=y"]


def test_a_repeated_forbidden_clause_is_kept_once_with_a_warning():
    with pytest.warns(UserWarning, match=r"s.pcs:4: forbidden clause \{b == 'v'\} repeats the one on line 3; kept once"):
        space = parse_space("a {x, y} [x]\nb {u, v} [u]\n{b=v}\n{b=v}\n", "pcs", source="s.pcs")
    assert len(space.forbidden_clauses) == 1


def test_a_condition_that_never_holds_is_a_warning_as_in_configspace():
    with pytest.warns(UserWarning, match=r"s.pcs:3: condition of 'b' can never hold: no value of 'n' \(\[1, 10\]\) is > 10"):
        space = parse_space("n integer [1, 10] [2]\nb real [0, 1] [0]\nb | n > 10\n", "pcs_new", source="s.pcs")
    assert all("b" not in c for c in sample_configs(space, 50, seed=0))


# ---- deep condition chains -----------------------------------------------------------------------
def _chain(depth: int) -> str:
    lines = [f"p{i} categorical {{a, b}} [a]" for i in range(depth + 1)]
    lines += [f"p{i} | p{i - 1} == a" for i in range(depth, 0, -1)]  # children first: the worst order
    return "\n".join(lines) + "\n"


def test_a_chain_of_1000_conditions_reads_in_linear_time():
    parse_space(_chain(10), "pcs_new")  # imports and caches warmed
    start = time.perf_counter()
    space = parse_space(_chain(16), "pcs_new")  # ~40 s before (exponential in the depth); ~10 ms now
    assert time.perf_counter() - start < 10.0  # generous: the machine may be loaded
    start = time.perf_counter()
    space = parse_space(_chain(1000), "pcs_new")  # RecursionError before
    elapsed = time.perf_counter() - start
    assert elapsed < 20.0  # ~0.5 s on an idle machine; generous for a loaded one
    assert len(space.conditions) == 1000
    assert default_config(space) == {f"p{i}": "a" for i in range(1001)}
    config = sample_configs(space, 5, seed=1)[0]
    assert problems(space, config) == []
    # writers and ConfigSpace's own sampling cope too
    assert describe_space(parse_space(space_to_text(space, "irace"), "irace"))["conditions"]["p1000"] == "p999 in {a}"
    space.sample_configuration(3)


def test_a_cycle_in_a_long_chain_is_still_named():
    text = _chain(300) + "p0 | p300 == b\n"
    with pytest.raises(SpaceError, match=r"conditions form a cycle: p0 -> p300 -> p299 -> .* -> p1 -> p0"):
        parse_space(text, "pcs_new")


# ---- irace files: no defaults, empty values, digits ---------------------------------------------
def test_a_forbidden_line_may_exclude_the_made_up_default_of_an_irace_file():
    text = 'mode "--" c ("x1", "x2", "x3")\nparam1 "--p1 " i (1, 6) | mode %in% c("x1", "x2")\n\n[forbidden]\nparam1 < 5 & mode == "x1"\n'
    space = parse_space(text, "irace")
    default = default_config(space)
    assert not (default["mode"] == "x1" and default.get("param1", 99) < 5)
    assert problems(space, default) == []
    # a default the file gives is kept: a clause excluding it is still an error
    given = text.replace('"x3")', '"x3")  # default: "x1"').replace("(1, 6)", "(1, 6)  # default: 3")
    with pytest.raises(SpaceError, match="excludes the default configuration"):
        parse_space(given, "irace")


def test_an_irace_value_may_be_empty():
    space = parse_space('opt "--opt=" c ("", "fast", "slow")\nn "-n " i (1, 5) | opt == ""\n', "irace")
    assert list(space["opt"].choices) == ["", "fast", "slow"]
    assert default_config(space) == {"opt": "", "n": 3}
    assert describe_space(parse_space(space_to_text(space, "irace"), "irace")) == describe_space(space)
    with pytest.raises(SpaceError, match="pcs_new cannot express parameter 'opt': value '' is empty"):
        space_to_text(space, "pcs_new")


@pytest.mark.parametrize(
    "lower, upper, default, digits",
    [(1e-06, 0.01, 0.0001, 6), (0.9, 0.99999, 0.999, 5), (0.5, 2.5, 1.0, None), (0.05, 0.8, 0.2, None)],
)
def test_irace_files_say_the_digits_their_real_bounds_need(lower, upper, default, digits):
    space = ConfigurationSpace()
    space.add(UniformFloatHyperparameter("r", lower, upper, default_value=default, log=lower > 0))
    text = space_to_text(space, "irace")
    if digits is None:
        assert "[global]" not in text and "digits" not in text
    else:
        assert text.endswith(f"[global]\ndigits = {digits}\n")
    again = parse_space(text, "irace")
    assert (again["r"].lower, again["r"].upper, again["r"].default_value) == (lower, upper, default)


# ---- JSON keeps types ------------------------------------------------------------------------------
def test_json_keeps_typed_values():
    space = ConfigurationSpace()
    flag, n, o, k = (CategoricalHyperparameter("flag", [True, False]), CategoricalHyperparameter("n", [7, 8, "x"]),
                     OrdinalHyperparameter("o", [1, 2, 3]), UniformIntegerHyperparameter("k", 1, 5, 2))
    space.add([flag, n, o, k, Constant("c", 7)])
    space.add(InCondition(k, flag, [True]))
    space.add(ForbiddenAndConjunction(ForbiddenEqualsClause(n, 8), ForbiddenEqualsClause(flag, False)))
    again = parse_space(space_to_text(space, "json"), "json")
    assert describe_space(again) == describe_space(space)
    assert default_config(again) == {"flag": True, "n": 7, "o": 1, "k": 2, "c": 7}
    assert list(again["n"].choices) == [7, 8, "x"] and list(again["flag"].choices) == [True, False]


# ---- what `algoconf space convert` writes, the reference tools read ------------------------------
@pytest.mark.parametrize("path", SHIPPED_PCS, ids=lambda p: str(p.relative_to(REPO)))
def test_convert_round_trips_shipped_pcs_through_irace(tmp_path, path):
    irace_file = tmp_path / "space.txt"
    back = tmp_path / "back.pcs"
    assert main(["space", "convert", str(path), str(irace_file)]) == 0
    assert main(["space", "convert", str(irace_file), str(back), "--to", "pcs_new"]) == 0
    original = describe_space(read_space(path))
    assert _without_switches(describe_space(read_space(irace_file))) == original
    assert describe_space(read_space(back)) == original
    # ConfigSpace reads our pcs_new and json
    for fmt, suffix in (("pcs_new", ".pcs"), ("json", ".json")):
        out = tmp_path / f"out{suffix}"
        assert main(["space", "convert", str(path), str(out), "--to", fmt]) == 0
        assert _without_switches(describe_space(configspace_reads(out.read_text(), fmt))) == original


def test_irace_reads_what_convert_writes(tmp_path):
    need_irace()
    texts, spaces = [], []
    for i, path in enumerate(SHIPPED_PCS):
        out = tmp_path / f"space{i}.txt"
        assert main(["space", "convert", str(path), str(out)]) == 0
        texts.append(out.read_text())
        spaces.append(read_space(out))
    for path, space, read in zip(SHIPPED_PCS, spaces, irace_reads_all(texts)):
        assert isinstance(read, dict), (path, read)
        assert sorted(read) == sorted(irace_name(n) for n in space.keys()), path
        for name in space.keys():
            kind, switch, domain = read[irace_name(name)]
            assert switch == space[name].meta["switch"], (path, name)
            summary = next(p for p in describe_space(space)["parameters"] if p["name"] == name)
            if kind in ("i", "r"):
                assert [float(x) for x in domain] == [summary["lower"], summary["upper"]], (path, name)
            else:
                assert domain == [str(c) for c in summary["choices"]], (path, name)


def test_old_pcs_that_convert_writes_configspace_reads(tmp_path):
    space = parse_space("a categorical {x, y, z} [x]\nb real [0, 1] [0.5]\nc categorical {u, v} [u]\nb | a in {y, z}\n{a=z, c=v}\n", "pcs_new")
    text = space_to_text(space, "pcs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert describe_space(configspace_reads(text, "pcs")) == describe_space(space)


def test_configspace_samples_neighbours_and_pickles_our_spaces():
    # the linear condition bookkeeping (algoconf.space.configspace_dag) keeps what ConfigSpace uses
    import pickle

    from ConfigSpace.util import get_one_exchange_neighbourhood

    from algoconf.space.configspace_dag import installed

    assert installed()
    space = read_space(REPO / "tests" / "data" / "pcs" / "clasp.pcs")
    back = pickle.loads(pickle.dumps(space))
    assert describe_space(back) == describe_space(space)
    for config in space.sample_configuration(20):
        for near in get_one_exchange_neighbourhood(config, seed=1):
            near.check_valid_configuration()
            assert problems(space, dict(near)) == []
