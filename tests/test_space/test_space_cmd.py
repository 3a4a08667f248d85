"""``algoconf space convert|show|sample`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from algoconf.cli.main import main
from algoconf.space import describe_space, read_space

DATA = Path(__file__).resolve().parents[1] / "data" / "pcs"


def test_convert_every_direction(tmp_path, capsys):
    src = DATA / "clasp.pcs"
    assert main(["space", "convert", str(src), str(tmp_path / "clasp.txt")]) == 0  # .txt -> irace
    assert main(["space", "convert", str(tmp_path / "clasp.txt"), str(tmp_path / "clasp.json")]) == 0
    assert main(["space", "convert", str(tmp_path / "clasp.json"), "-", "--to", "pcs_new"]) == 0
    out = capsys.readouterr().out
    (tmp_path / "back.pcs").write_text(out)
    original = describe_space(read_space(src))
    for name in ("clasp.txt", "clasp.json", "back.pcs"):
        got = describe_space(read_space(tmp_path / name))
        for p in got["parameters"]:
            p.pop("switch", None)
        assert got == original, name


def test_convert_refuses_what_the_target_cannot_express(tmp_path, capsys):
    code = main(["space", "convert", str(DATA / "cpsat.pcs"), str(tmp_path / "x.pcs"), "--to", "pcs"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == ("algoconf: pcs (old syntax) cannot express the condition of 'add_cg_cuts' on integer parameter "
                   "'linearization_level': old-PCS conditions name categorical parents (ConfigSpace reads no other); "
                   "write pcs_new or irace\n")
    assert not (tmp_path / "x.pcs").exists()


def test_show_json_is_one_object(capsys):
    assert main(["space", "show", str(DATA / "minisat.pcs"), "--json"]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out)
    assert summary["format"] == "pcs" and len(summary["parameters"]) == 18
    assert summary["conditions"]["grow"] == "elim in {on}"
    assert summary["forbiddens"] == ["cl-lim=-1, sub-lim=-1"]
    assert summary["default"]["var-decay"] == 0.95


def test_show_text(capsys):
    assert main(["space", "show", str(DATA / "clasp.pcs")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{DATA / 'clasp.pcs'}: 21 parameters, 9 conditional, 0 forbidden combinations\n")
    assert "restart_dfactor" in out and "| restarts in {D}" in out


def test_sample_json_is_deterministic_and_valid(capsys):
    args = ["space", "sample", str(DATA / "cadical.pcs"), "-n", "5", "--seed", "7", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert len(first["configurations"]) == 5


def test_bad_file_exits_2_with_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.pcs"
    bad.write_text("a {x, y} [x]\nb [1, 0] [0]\n")
    assert main(["space", "show", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"algoconf: {bad}:2: real parameter 'b': lower bound 1.0 must be below upper bound 0.0\n")
