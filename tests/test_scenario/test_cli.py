"""`algoconf scenario check` and `algoconf history show|export`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from algoconf.cli.main import main
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"


def test_check_json_is_one_object(capsys):
    assert main(["scenario", "check", str(DATA / "scenario.yaml"), "--json"]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out)
    assert summary["valid"] and summary["name"] == "basic"
    assert summary["train"]["count"] == 3 and summary["test"]["count"] == 1
    assert summary["space"]["parameters"] == 3 and summary["space"]["conditional"] == 1
    assert summary["features"] == {"file": str(DATA / "features.csv"), "count": 2, "costs": True,
                                   "missing_values": False}
    assert summary["budget"] == {"runs": 40, "wallclock": 600.0, "cpu_time": None}
    assert summary["target"]["built"].startswith("CommandTarget(")


def test_check_aclib_and_table(capsys):
    assert main(["scenario", "check", str(DATA / "scenario.txt")]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "python3 solver.py" in out and "aclib-old" in out and "PAR10" in out


def test_check_bad_input_exits_2_with_one_line(tmp_path, capsys):
    d = tmp_path / "s"
    shutil.copytree(DATA, d)
    (d / "scenario.yaml").write_text((d / "scenario.yaml").read_text().replace("cutoff: 5", "cutoff: -1"))
    assert main(["scenario", "check", str(d / "scenario.yaml"), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"algoconf: {d}/scenario.yaml:13: cutoff must be positive, got -1\n"


def test_check_reports_a_target_that_cannot_be_built(tmp_path, capsys):
    d = tmp_path / "s"
    shutil.copytree(DATA, d)
    text = (d / "scenario.yaml").read_text().replace("  output: aclib\n", "  output: aclib\n  options: {nonsense: 1}\n")
    (d / "scenario.yaml").write_text(text)
    assert main(["scenario", "check", str(d / "scenario.yaml")]) == 2
    assert "nonsense" in capsys.readouterr().err


def test_documented_output_satcomp_passes_check_and_builds_the_sat_parser(tmp_path, capsys):
    d = tmp_path / "s"
    shutil.copytree(DATA, d)
    (d / "scenario.yaml").write_text((d / "scenario.yaml").read_text().replace("output: aclib", "output: satcomp"))
    assert main(["scenario", "check", str(d / "scenario.yaml"), "--json"]) == 0
    assert "parser='sat'" in json.loads(capsys.readouterr().out)["target"]["built"]


def test_an_unknown_output_parser_fails_at_check_with_one_line(tmp_path, capsys):
    d = tmp_path / "s"
    shutil.copytree(DATA, d)
    (d / "scenario.yaml").write_text((d / "scenario.yaml").read_text().replace("output: aclib", "output: minisat"))
    assert main(["scenario", "check", str(d / "scenario.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "target output must be one of" in err and "'minisat'" in err


def test_scenario_and_command_target_accept_the_same_syntaxes_and_placeholders(tmp_path, capsys):
    """aclib2 (no {instance}: the protocol passes it) and {bound}, refused by the scenario before."""
    from algoconf.scenario import PLACEHOLDERS, SYNTAXES, load_scenario
    from algoconf.targets import build_target
    from algoconf.targets.command import PLACEHOLDERS as TARGET_PLACEHOLDERS
    from algoconf.targets.command import SYNTAXES as TARGET_SYNTAXES

    assert (SYNTAXES, PLACEHOLDERS) == (TARGET_SYNTAXES, TARGET_PLACEHOLDERS)
    d = tmp_path / "s"
    shutil.copytree(DATA, d)
    text = (d / "scenario.yaml").read_text()
    text = text.replace('"python3 solver.py {config} --cpu-limit={cutoff_int} --seed={seed} {instance}"',
                        '"python3 solver.py --stop-at={bound}"').replace('"--name=value"', "aclib2")
    (d / "scenario.yaml").write_text(text)
    scenario = load_scenario(d / "scenario.yaml")
    assert scenario.target.syntax == "aclib2"
    assert build_target(scenario.target, scenario.root).syntax == "aclib2"


def test_history_show_and_export(tmp_path, capsys):
    with RunHistory.open(tmp_path / "run") as h:
        h.commit([RunResult(RunRequest({"a": i}, "x", 0, 5.0), "TIMEOUT" if i else "SUCCESS", 5.0 if i else 1.0)
                  for i in range(3)])
    assert main(["history", "show", str(tmp_path / "run"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["results"] == 3 and summary["statuses"] == {"SUCCESS": 1, "TIMEOUT": 2}
    assert main(["history", "export", str(tmp_path / "run"), "-o", str(tmp_path / "out.csv")]) == 0
    df = pd.read_csv(tmp_path / "out.csv")
    assert list(df["config.a"]) == [0, 1, 2] and list(df["censored"]) == [False, True, True]


def test_history_of_an_empty_folder_is_bad_input_and_creates_nothing(tmp_path, capsys):
    assert main(["history", "show", str(tmp_path)]) == 2
    assert "no run history here" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_convert_aclib_to_yaml_keeps_the_fingerprint(tmp_path, capsys):
    from algoconf.scenario import load_scenario

    out = tmp_path / "converted.yaml"
    assert main(["scenario", "convert", str(DATA / "scenario.txt"), str(out)]) == 0
    original, converted = load_scenario(DATA / "scenario.txt"), load_scenario(out)
    assert converted.fingerprint() == original.fingerprint()
    assert converted.target.cwd == DATA and converted.train.names == original.train.names
    assert main(["scenario", "convert", str(DATA / "scenario.txt"), str(tmp_path / "x.txt")]) == 2
