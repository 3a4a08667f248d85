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
    gen = "generator: \"algoconf.generators:random_ksat\""
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
