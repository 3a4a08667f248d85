"""The corpus of real solver parameter files: each parses, samples valid configurations (checked
independently and by ConfigSpace), round-trips through every format that can express it, and has
the solver's own defaults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ConfigSpace import Configuration

from algoconf.errors import SpaceError
from algoconf.space import (
    FORMATS,
    default_config,
    describe_space,
    detect_format,
    neighbours,
    parse_space,
    read_space,
    sample_configs,
    space_to_text,
)
from algoconf.space.evaluate import names_in_forbidden, parents_of_condition
from .validity import problems

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "pcs"
CORPUS = {
    "minisat.pcs": "pcs",
    "minisat.new.pcs": "pcs_new",
    "minisat.irace.txt": "irace",
    "cadical.pcs": "pcs_new",
    "cadical.old.pcs": "pcs",
    "clasp.pcs": "pcs_new",
    "clasp.old.pcs": "pcs",
    "clasp.irace.txt": "irace",
    "cpsat.pcs": "pcs_new",
    "cpsat.irace.txt": "irace",
    "cpsat.json": "json",
}
FILES = [DATA / name for name in CORPUS] + sorted(REPO.glob("runners/*/*.pcs"))


def _id(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.fixture(scope="module")
def spaces():
    return {path: read_space(path) for path in FILES}


def test_corpus_is_complete():
    assert sorted(p.name for p in DATA.iterdir()) == sorted(CORPUS)


@pytest.mark.parametrize("path", [DATA / n for n in CORPUS], ids=list(CORPUS))
def test_format_is_detected(path):
    assert detect_format(path.read_text(), path.suffix) == CORPUS[path.name]


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_samples_and_neighbours_are_valid(spaces, path):
    space = spaces[path]
    configs = sample_configs(space, 200, seed=11)
    assert len(configs) == 200
    for config in configs:
        assert problems(space, config) == [], config
        # ConfigSpace agrees (its own check of conditions and forbiddens)
        Configuration(space, values=config).check_valid_configuration()
    for config in configs[:10]:
        for near in neighbours(space, config, 5, seed=2):
            assert problems(space, near) == [], near
    # the samples exercise the space: every conditional parameter is seen active and inactive
    summary = describe_space(space)
    for child in summary["conditions"]:
        seen = {child in c for c in configs}
        assert seen == {True, False}, child


def _unexpressible(space, fmt: str) -> str | None:
    summary = describe_space(space)
    if fmt == "pcs":
        if any(" || " in c for c in summary["conditions"].values()):
            return "pcs (old syntax) cannot express"
        numerical = {p["name"] for p in summary["parameters"] if p["type"] in ("integer", "real")}
        named = {n for cond in space.conditions for n in parents_of_condition(cond)}
        named |= {n for clause in space.forbidden_clauses for n in names_in_forbidden(clause)}
        if named & numerical:  # ConfigSpace's old-PCS reader refuses these
            return "pcs (old syntax) cannot express"
    return None


def _without_switches(summary: dict) -> dict:
    return {**summary, "parameters": [{k: v for k, v in p.items() if k != "switch"} for p in summary["parameters"]]}


def _switches(summary: dict) -> dict:
    return {p["name"]: p.get("switch") for p in summary["parameters"]}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", FILES, ids=_id)
def test_round_trip(spaces, path, fmt):
    space = spaces[path]
    expected_error = _unexpressible(space, fmt)
    if expected_error:
        with pytest.raises(SpaceError, match=re.escape(expected_error)):
            space_to_text(space, fmt)
        return
    text = space_to_text(space, fmt)
    again = parse_space(text, fmt, source=f"{path.name}.{fmt}")
    before, after = describe_space(space), describe_space(again)
    assert _without_switches(after) == _without_switches(before)
    if fmt in ("irace", "json") and any(_switches(before).values()):  # PCS has no switches
        assert _switches(after) == _switches(before)
    assert detect_format(text) == fmt
    # writing is deterministic and stable
    assert space_to_text(again, fmt) == text


# ---- defaults are the solver's ------------------------------------------------------------------
def _solver_help(*argv: str) -> str:
    import shutil
    import subprocess

    if shutil.which(argv[0]) is None:
        pytest.skip(f"{argv[0]} is not installed")
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    return done.stdout + done.stderr


def _minisat_args(space, path: Path) -> list[str]:
    """The default configuration as minisat arguments (switches for irace, -name=value for PCS)."""
    out = []
    for name, value in default_config(space).items():
        switch = (space[name].meta or {}).get("switch")
        if switch is not None:
            out.append(f"{switch}{value}")
        elif value in ("on", "off"):
            out.append(f"-{name}" if value == "on" else f"-no-{name}")
        else:
            out.append(f"-{name}={value}")
    return out


@pytest.mark.solver
@pytest.mark.parametrize("name", ["minisat.pcs", "minisat.new.pcs", "minisat.irace.txt"])
def test_minisat_defaults(spaces, name):
    text = _solver_help("minisat", "--help")
    numbers = dict(re.findall(r"^\s+-([\w-]+)\s+=\s+<\w+>.*\(default: ([^)]+)\)", text, re.MULTILINE))
    flags = dict(re.findall(r"^\s+-([\w-]+), -no-[\w-]+\s+\(default: (on|off)\)", text, re.MULTILINE))
    args = _minisat_args(spaces[DATA / name], DATA / name)
    assert len(args) == 18
    for arg in args:
        m = re.fullmatch(r"-([\w-]+)=(.+)", arg)
        if m:
            assert float(m.group(2)) == float(numbers[m.group(1)]), arg
        elif arg.startswith("-no-"):
            assert flags[arg[4:]] == "off", arg
        else:
            assert flags[arg[1:]] == "on", arg


@pytest.mark.solver
def test_cadical_defaults_and_ranges(spaces):
    text = _solver_help("cadical", "--help")
    options = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(r"^\s+--(\w+)=(\S+)\s+.*\[([^\]]+)\]\s*$", text, re.MULTILINE)
    }
    for path in (DATA / "cadical.pcs", DATA / "cadical.old.pcs"):
        for p in describe_space(spaces[path])["parameters"]:
            domain, default = options[p["name"]]
            if domain == "bool":
                assert p["choices"] == ["true", "false"] and p["default"] == default, p
            else:
                lo, hi = (float(x) for x in domain.split(".."))
                assert lo <= p["lower"] and p["upper"] <= hi, p
                assert p["default"] == float(default), p


@pytest.mark.solver
def test_clasp_defaults_are_trendy(spaces):
    portfolio = _solver_help("clasp", "--print-portfolio")
    helptext = _solver_help("clasp", "--help=3")
    trendy = re.search(r"^\[solver\.1\]: (.*)$", portfolio, re.MULTILINE).group(1)
    opts = dict(re.findall(r"--([\w-]+)=(\S+)", trendy))
    assert opts["heuristic"] == "Vsids"
    restarts = opts["restarts"].split(",")
    deletion = opts["deletion"].split(",")
    counter = opts["counter-restarts"].split(",")
    expected = {
        "heuristic": "Vsids",
        "vsids_decay": int(re.search(r"Vsids\s*:.*decay factor\s+\[(\d+)\]", helptext).group(1)),
        "restarts": restarts[0], "restart_n": int(restarts[1]), "restart_dfactor": float(restarts[2]),
        "deletion": deletion[0], "deletion_fraction": int(deletion[1]),
        "deletion_score": re.search(r"<sc>\s*: Use \{activity\|lbd\|mixed\} nogood scores\s+\[(\w+)\]", helptext).group(1),
        "del_glue": int(opts["del-glue"]), "strengthen": opts["strengthen"], "update_lbd": opts["update-lbd"],
        "otfs": int(opts["otfs"]), "save_progress": int(opts["save-p"]),
        "counter_restarts": int(counter[0]), "counter_bump": int(counter[1]),
        "reverse_arcs": int(opts["reverse-arcs"]), "contraction": int(opts["contraction"]),
    }
    for name in ("clasp.pcs", "clasp.old.pcs", "clasp.irace.txt"):
        assert default_config(spaces[DATA / name]) == expected, name


@pytest.mark.solver
def test_cpsat_defaults_are_satparameters(spaces):
    sat_parameters_pb2 = pytest.importorskip("ortools.sat.sat_parameters_pb2")
    params = sat_parameters_pb2.SatParameters()
    for name in ("cpsat.pcs", "cpsat.irace.txt", "cpsat.json"):
        space = spaces[DATA / name]
        for p in describe_space(space)["parameters"]:
            field = params.DESCRIPTOR.fields_by_name[p["name"]]
            value = getattr(params, p["name"])
            if field.enum_type is not None:
                value = field.enum_type.values_by_number[value].name
            elif isinstance(value, bool):
                value = "true" if value else "false"
            assert p["default"] == value, p
            if "choices" not in p:
                assert p["lower"] <= value <= p["upper"]


def test_independent_checker_catches_invalid_configurations(spaces):
    space = spaces[DATA / "minisat.pcs"]
    good = default_config(space)
    assert problems(space, good) == []
    assert problems(space, {**good, "sub-lim": -1, "cl-lim": -1}) == ["forbidden {cl-lim=-1, sub-lim=-1}"]
    off = {k: v for k, v in good.items()} | {"pre": "off"}
    assert "elim: active=False but present=True" in problems(space, off)
    assert problems(space, {**good, "rfirst": 10001}) == ["rfirst: 10001 outside [10, 10000]"]
    assert problems(space, {**good, "rfirst": 100.0}) == ["rfirst: 100.0 is not int"]
    missing = {k: v for k, v in good.items() if k != "grow"}
    assert problems(space, missing) == ["grow: active=True but present=False"]
