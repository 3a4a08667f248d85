"""`algoconf configure` / `algoconf validate`: JSON contract, resume, validation files, bad input,
and one end-to-end run on the real minisat solver."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from algoconf.cli.main import main
from algoconf.testing.tuners import synthetic_scenario

REPO = Path(__file__).resolve().parents[2]


def _json(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    return json.loads(out[0])


@pytest.mark.slow
def test_configure_json_validate_and_resume(tmp_path, capsys):
    synthetic_scenario(tmp_path / "sc", runs=10, n_train=6, n_test=3)
    args = ["configure", str(tmp_path / "sc" / "scenario.yaml"), "--tuner", "random", "--workers", "2",
            "--out", str(tmp_path / "run"), "--seed", "4", "--json"]
    assert main(args) == 0
    data = _json(capsys)
    for key in ("incumbent", "incumbent_key", "default_test_par10", "incumbent_test_par10", "runs", "cpu_time"):
        assert key in data
    assert set(data["capping"]) == {"capped_runs", "cpu_saved_at_most"}
    stored = json.loads((tmp_path / "run" / "run.json").read_text())["outcome"]["capping"]
    assert stored == data["capping"]
    assert data["runs"] == 10
    assert (tmp_path / "run" / "validation.json").is_file()
    assert (tmp_path / "run" / "validation_scatter.png").stat().st_size > 1000
    # a larger budget on the same run directory continues the run
    assert main(args[:-1] + ["--runs", "14", "--json"]) == 0
    more = _json(capsys)
    assert more["resumed"] and more["runs"] == 14
    assert main(["validate", str(tmp_path / "run"), "--json"]) == 0
    again = _json(capsys)
    assert again["default_test_par10"] == pytest.approx(data["default_test_par10"])  # same fresh seeds


def test_bad_input_exits_2(tmp_path, capsys):
    assert main(["configure", str(tmp_path / "missing.yaml"), "--tuner", "random"]) == 2
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "run.json" in err


@pytest.mark.slow
def test_end_to_end_minisat(tmp_path, capsys):
    """Real minisat runs: a tiny AC-Band run and validation on generated 3-SAT."""
    if shutil.which("minisat") is None:
        pytest.skip("minisat binary not installed")
    pcs = REPO / "runners" / "minisat" / "params.pcs"
    if not pcs.is_file():
        pytest.skip("runners/minisat/params.pcs not present")
    sc = tmp_path / "sc"
    sc.mkdir()
    gen = "generator: \"algoconf.instances.generators:random_ksat\""
    (sc / "scenario.yaml").write_text(
        "name: minisat-tiny\ntarget:\n  runner: minisat\n"
        f"space: {pcs}\n"
        f"train:\n  {gen}\n  n: 6\n  seed: 11\n  kwargs: {{variables: 150, ratio: 4.26}}\n"
        f"test:\n  {gen}\n  n: 4\n  seed: 12\n  kwargs: {{variables: 150, ratio: 4.26}}\n"
        "objective: runtime\ncutoff: 2\nbudget: {runs: 12}\nseed: 3\n"
    )
    assert main(["configure", str(sc / "scenario.yaml"), "--tuner", "acband", "--workers", "2",
                 "--out", str(tmp_path / "run"), "--json"]) == 0
    data = _json(capsys)
    assert data["runs"] <= 12 and data["runs"] > 0
    assert data["cpu_time"] > 0
    assert data["incumbent"] is not None
    assert data["default_test_par10"] < 10 * 2  # the default solves these small instances


def test_json_always_carries_incumbent_worse_than_default_and_the_guard(tmp_path, capsys):
    synthetic_scenario(tmp_path / "sc", runs=30, n_train=6, n_test=3)
    args = ["configure", str(tmp_path / "sc" / "scenario.yaml"), "--tuner", "random", "--out", str(tmp_path / "run"),
            "--seed", "4", "--json"]
    assert main(args + ["--no-validate"]) == 0
    data = _json(capsys)
    assert data["incumbent_worse_than_default"] is False and data["validation"] is None
    assert data["guard"]["verdict"] in ("accepted", "default kept", "candidate is the default")
    assert data["guard"]["needed"] == 5 and data["runs"] <= 30
    assert main(["validate", str(tmp_path / "run"), "--json"]) == 0
    data = _json(capsys)
    worse = data["incumbent_test_par10"] > data["default_test_par10"]
    assert data["incumbent_worse_than_default"] is worse
    assert data["validation"]["incumbent_worse_than_default"] is worse


def _report(default_par: float, incumbent_par: float):
    from algoconf.run.validation import ConfigScore, ValidationReport

    d = ConfigScore("default", "a" * 16, 40, 40, default_par, default_par, True)
    i = ConfigScore("incumbent", "b" * 16, 40, 39, incumbent_par, incumbent_par, True)
    return ValidationReport("test", 10.0, d, i, default_par / incumbent_par)


def _outcome():
    from types import SimpleNamespace

    guard = {"verdict": "accepted", "reason": "better than the default on 5 instance-seed pairs", "accepted": True}
    return SimpleNamespace(incumbent={"x": 1}, incumbent_key="b" * 16, incumbent_cost=0.3, runs=10, cpu_time=1.0,
                           wallclock=2.0, stop_reason="run budget (10) used", resumed=False, guard=guard)


@pytest.mark.parametrize("as_json", [False, True])
def test_a_validated_incumbent_worse_than_the_default_is_warned_about(tmp_path, capsys, as_json):
    from algoconf.cli.configure_cmd import _print

    _print(_outcome(), _report(0.344, 0.512), tmp_path, as_json)
    out, err = capsys.readouterr()
    assert "warning: the incumbent is WORSE than the default" in err and "0.512 vs 0.344" in err
    if as_json:
        data = json.loads(out)
        assert data["incumbent_worse_than_default"] is True and data["guard"]["verdict"] == "accepted"
    else:
        assert "recommendation: keep the default configuration" in out
        assert "incumbent guard: accepted" in out
    _print(_outcome(), _report(0.512, 0.344), tmp_path, as_json)
    out, err = capsys.readouterr()
    assert "WORSE" not in err + out and "recommendation" not in out
    if as_json:
        assert json.loads(out)["incumbent_worse_than_default"] is False


def test_progress_goes_to_stderr_only_on_a_terminal_or_with_the_flag(tmp_path, capsys):
    synthetic_scenario(tmp_path / "sc", runs=12, n_train=6, n_test=3)
    base = ["configure", str(tmp_path / "sc" / "scenario.yaml"), "--tuner", "random", "--seed", "4"]
    assert main(base + ["--out", str(tmp_path / "a")]) == 0
    quiet = capsys.readouterr()
    assert "run directory" in quiet.out and "tuning" not in quiet.err and "validation" not in quiet.err
    assert main(base + ["--out", str(tmp_path / "b"), "--progress"]) == 0
    shown = capsys.readouterr()
    assert "tuning" in shown.err and "12/12 runs" in shown.err and "validation" in shown.err
