"""Real parameter files from ConfigSpace, SMAC3 and irace (``../shared/data/spaces-corpus``): each
parses (or is refused for a reason the reference tool shares), agrees with ConfigSpace's own reader,
samples valid configurations, and round-trips through every writer that can express it; what a
writer cannot express is listed below with the reason."""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path

import pytest
from ConfigSpace import Configuration

from algoconf.errors import SpaceError
from algoconf.space import FORMATS, describe_space, detect_format, parse_space, read_space, sample_configs, space_to_text
from .reference_tools import configspace_reads, irace_reads_all, need_irace
from .validity import problems

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "data" / "spaces-corpus"
PARAMETER_FILES = (
    sorted(
        p for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".pcs", ".json", ".txt") and "scenario" not in p.name
    )
    if CORPUS.is_dir()
    else []
)
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the spaces corpus is not at {CORPUS}")

# Files the reader refuses, with the reason, which the reference tool (ConfigSpace's reader for
# PCS/JSON, irace 3.5's readParameters for irace files) shares. Empty: every file of the corpus
# parses (the old-PCS "Conditionals:" header, repeated forbidden clauses, a condition that never
# holds and irace files whose made-up default a forbidden line excludes were refusals once).
EXPECTED_REFUSALS: dict[str, str] = {}

# (file, format) -> the start of the writer's SpaceError: what that format cannot express.
UNEXPRESSIBLE = {
    # ordinal parameters: old PCS has none
    ("ConfigSpace/test/test_searchspaces/examples.pcs", "pcs"): "pcs (old syntax) cannot express ordinal parameter 'x1'",
    ("irace/devel-examples/nsga2/parameters-nsga2.txt", "pcs"): "pcs (old syntax) cannot express ordinal parameter 'pop'",
    ("irace/inst/examples/Spear/parameters-mixed.txt", "pcs"): "pcs (old syntax) cannot express ordinal parameter",
    ("irace/tests/testthat/logparameters.txt", "pcs"): "pcs (old syntax) cannot express ordinal parameter 'mutation'",
    ("irace/tests/testthat/parameters.txt", "pcs"): "pcs (old syntax) cannot express ordinal parameter 'mutation'",
    # "x2 | x1 > yellow" on the last value of an ordinal never holds: irace writes sets, and this one is empty
    ("ConfigSpace/test/test_searchspaces/examples.pcs", "irace"): "irace cannot express the condition of 'x2'",
    # conditions on numerical parents, '||', forbidden values of real parameters: not in old PCS
    ("ConfigSpace/test/test_searchspaces/paramnet_2017_06_22.pcs", "pcs"): "pcs (old syntax) cannot express the condition of",
    ("ConfigSpace/test/test_searchspaces/vampire.pcs", "pcs"): "pcs (old syntax) cannot express the '||'",
    ("irace/devel-examples/vignette-example/parameters.txt", "pcs"): "pcs (old syntax) cannot express forbidden clause",
    ("irace/inst/examples/acotsp/parameters-acotsp.txt", "pcs"): "pcs (old syntax) cannot express forbidden clause",
    # values with spaces (irace quotes them; PCS cannot)
    ("irace/inst/examples/moaco/parameters.txt", "pcs"): "pcs cannot express parameter 'onq0': value ' '",
    ("irace/inst/examples/moaco/parameters.txt", "pcs_new"): "pcs_new cannot express parameter 'onq0': value ' '",
    ("irace/tests/testthat/logparameters.txt", "pcs_new"): "pcs_new cannot express parameter 'mutation': value 'very low'",
    ("irace/tests/testthat/parameters.txt", "pcs_new"): "pcs_new cannot express parameter 'mutation': value 'very low'",
}


MAX_CONFIGSPACE_CHECK = 400  # parameters


def _rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@functools.lru_cache(maxsize=None)  # reading autoweka's 786 parameters takes ~1 s; tests only read the space
def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # repeated forbidden clauses, conditions that never hold: warned
        return read_space(path)


def _without_switches(summary: dict) -> dict:
    return {**summary, "parameters": [{k: v for k, v in p.items() if k != "switch"} for p in summary["parameters"]]}


@pytest.mark.parametrize("path", PARAMETER_FILES, ids=_rel)
def test_parses_or_is_refused_as_listed(path):
    rel = _rel(path)
    if rel in EXPECTED_REFUSALS:
        with pytest.raises(SpaceError, match=re.escape(EXPECTED_REFUSALS[rel])):
            _read(path)
        return
    space = _read(path)
    for config in sample_configs(space, 20, seed=1):
        assert problems(space, config) == [], config
        Configuration(space, values=config).check_valid_configuration()


@pytest.mark.parametrize("path", [p for p in PARAMETER_FILES if p.suffix in (".pcs", ".json")], ids=_rel)
def test_agrees_with_configspace(path):
    fmt = detect_format(path.read_text(), path.suffix)
    ours, theirs = _read(path), configspace_reads(path.read_text(), fmt)
    assert describe_space(ours) == describe_space(theirs)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", [p for p in PARAMETER_FILES if _rel(p) not in EXPECTED_REFUSALS], ids=_rel)
def test_round_trips(path, fmt):
    space = _read(path)
    expected = UNEXPRESSIBLE.get((_rel(path), fmt))
    if expected is not None:
        with pytest.raises(SpaceError, match=re.escape(expected)):
            space_to_text(space, fmt)
        return
    text = space_to_text(space, fmt)
    again = parse_space(text, fmt, source=f"{path.name}.{fmt}")
    assert _without_switches(describe_space(again)) == _without_switches(describe_space(space))
    # ConfigSpace reads what we write (its PCS readers add conditions one at a time, each a full
    # rebuild of its structures: ~17 s for autoweka's, so the largest spaces are left out here)
    if fmt in ("pcs", "pcs_new", "json") and len(list(space.keys())) <= MAX_CONFIGSPACE_CHECK:
        assert _without_switches(describe_space(configspace_reads(text, fmt))) == _without_switches(describe_space(again))


def test_the_listed_cases_exist():
    known = {_rel(p) for p in PARAMETER_FILES}
    assert {f for f, _ in UNEXPRESSIBLE} <= known and set(EXPECTED_REFUSALS) <= known


def test_irace_reads_the_files_and_what_we_write_from_them_alike():
    need_irace()
    paths = [p for p in PARAMETER_FILES if detect_format(p.read_text(), p.suffix) == "irace"]
    spaces = [_read(p) for p in paths]
    results = irace_reads_all([p.read_text() for p in paths] + [space_to_text(s, "irace") for s in spaces])
    originals, written = results[: len(paths)], results[len(paths) :]
    for path, space, original, ours in zip(paths, spaces, originals, written):
        assert isinstance(original, dict), (path, original)
        assert isinstance(ours, dict), (path, ours)
        assert sorted(ours) == sorted(original), path
        for name, (kind, switch, domain) in original.items():
            assert ours[name][:2] == (kind, switch), (path, name)
            if kind in ("i", "r"):
                # exact bounds: our file says how many digits they need (irace reads the original
                # with its default 4 unless the scenario sets more, and may round them)
                bounds = [float(space[name].lower), float(space[name].upper)]
                assert [float(x) for x in ours[name][2]] == bounds, (path, name)
            else:
                assert ours[name][2] == domain, (path, name)
