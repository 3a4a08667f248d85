"""CommandTarget: templates, argument syntaxes, clamping, environment; build_target from a TargetSpec."""

from __future__ import annotations

import pytest

from algoconf.errors import TargetError
from algoconf.instances import Instance
from algoconf.records import RunRequest
from algoconf.scenario import TargetSpec
from algoconf.targets import CommandTarget, IraceParser, PythonTarget, SatCompetitionParser, build_target

INST = Instance("a", "/data/a.cnf", specifics=("k", "3"))
REQ = RunRequest({"alpha": 0.5, "mode": "fast", "n": 3}, "a", 7, 10.0)


def argv(target, request=REQ, instance=INST):
    return list(target.prepare(request, instance).argv)


@pytest.mark.parametrize(
    "syntax, expected",
    [
        ("-name=value", ["-alpha=0.5", "-mode=fast", "-n=3"]),
        ("--name=value", ["--alpha=0.5", "--mode=fast", "--n=3"]),
        ("-name value", ["-alpha", "0.5", "-mode", "fast", "-n", "3"]),
        ("--name value", ["--alpha", "0.5", "--mode", "fast", "--n", "3"]),
    ],
)
def test_plain_syntaxes(syntax, expected):
    target = CommandTarget("solver {instance} --seed={seed} {config} --end", syntax)
    assert argv(target) == ["solver", "/data/a.cnf", "--seed=7", *expected, "--end"]


def test_config_appended_without_placeholder_and_cutoffs_rendered():
    target = CommandTarget(["solver", "-t", "{cutoff_int}", "-c", "{cutoff}", "{specifics}"], "-name=value")
    request = RunRequest({"x": 1}, "a", 1, 2.5)
    assert argv(target, request) == ["solver", "-t", "3", "-c", "2.5", "k", "3", "-x=1"]
    assert argv(target, request, Instance("b", "/b.cnf")) == ["solver", "-t", "3", "-c", "2.5", "-x=1"]


def test_aclib_protocols():
    old = CommandTarget("python wrapper.py", "aclib-old", "aclib")
    assert argv(old) == ["python", "wrapper.py", "/data/a.cnf", "k 3", "10.0", "2147483647", "7",
                         "-alpha", "0.5", "-mode", "fast", "-n", "3"]
    new = CommandTarget("python wrapper.py", "aclib2", "aclib2")
    assert argv(new) == ["python", "wrapper.py", "--instance", "/data/a.cnf", "--cutoff", "10.0", "--seed", "7",
                         "--config", "-alpha", "0.5", "-mode", "fast", "-n", "3"]
    assert argv(CommandTarget("w", "aclib-old", "aclib", cutoff_length=500))[4] == "500"
    capped = RunRequest({"n": 1}, "a", 7, 10.0, bound=4.0)
    assert argv(old, capped)[4] == "4.0"  # the wrapper is told the time it really has


def test_irace_switches_and_missing_switch():
    target = CommandTarget("algo {instance}", "irace", IraceParser(),
                           switches={"alpha": "--alpha=", "mode": "-m ", "n": "-n"})
    assert argv(target)[2:] == ["--alpha=0.5", "-m fast", "-n3"]
    no_switch = CommandTarget("algo", "irace", IraceParser(), switches={"alpha": "--alpha="})
    with pytest.raises(TargetError, match="switch for parameter 'mode'"):
        argv(no_switch)


def test_bool_styles_and_clamp():
    request = RunRequest({"luby": False, "pre": True, "elim": 5, "rate": -0.5}, "a", 1, 5.0)
    minisat = CommandTarget("minisat", "-name=value", bool_style="no-flag", clamp={"elim": (0, 1), "rate": (0.0, 1.0)})
    assert argv(minisat, request) == ["minisat", "-elim=1", "-no-luby", "-pre", "-rate=0.0"]
    flags = CommandTarget("s", "--name value", bool_style="flag")
    assert argv(flags, request) == ["s", "--elim", "5", "--pre", "--rate", "-0.5"]
    values = CommandTarget("s", "--name=value")
    assert "--luby=false" in argv(values, request)


def test_environment_is_sanitised(monkeypatch):
    monkeypatch.setenv("CADICAL_ELIM", "0")
    target = CommandTarget("cadical {instance}", "--name=value", env={"MY": "1"})
    env = target.prepare(REQ, INST).env
    assert "CADICAL_ELIM" not in env and env["MY"] == "1"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"command": "solver {instnace}"}, "unknown placeholder"),
        ({"command": "solver --x={config}"}, "token of its own"),
        ({"command": ""}, "empty command"),
        ({"command": "s", "syntax": "name:value"}, "unknown argument syntax"),
        ({"command": "s", "parser": "json"}, "unknown output parser"),
    ],
)
def test_bad_templates_raise_target_error(kwargs, message):
    with pytest.raises(TargetError, match=message):
        CommandTarget(**kwargs)


def test_build_target_from_spec(tmp_path):
    spec = TargetSpec(kind="command", command="minisat {instance}", syntax="-name=value", output="sat",
                      options={"bool_style": "no-flag"})
    target = build_target(spec, tmp_path)
    assert isinstance(target, CommandTarget) and isinstance(target.parser, SatCompetitionParser)
    assert target.cwd == str(tmp_path) and target.bool_style == "no-flag"
    py = build_target(TargetSpec(kind="python", callable="math:hypot"), tmp_path)
    assert isinstance(py, PythonTarget)
    with pytest.raises(TargetError):
        build_target(TargetSpec(kind="python", callable="no_such_module_xyz:f"), tmp_path)
    with pytest.raises(TargetError, match="unknown command target options"):
        build_target(TargetSpec(kind="command", command="s {instance}", options={"colour": 1}), tmp_path)
