"""`algoconf configure --simulate MATRIX.npz`: virtual workers, JSON fields, validation from the
matrix, and the bad-input errors (one line, exit 2, before anything runs)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from algoconf.cli.main import main
from algoconf.tuners.simulated import RuntimeMatrix

REPO = Path(__file__).resolve().parents[2]
MATRIX = REPO / "benchmarks" / "data" / "minisat_3sat_matrix_large.npz"
SMALL = REPO / "benchmarks" / "data" / "minisat_3sat_matrix.npz"
SCENARIO = REPO / "scenarios" / "minisat-3sat-matrix" / "scenario.yaml"


def _json(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    return json.loads(out[0])


def test_simulated_configure_reports_virtual_time_and_utilisation(tmp_path, capsys):
    args = ["configure", str(SCENARIO), "--tuner", "random", "--simulate", str(MATRIX), "--workers", "16",
            "--runs", "400", "--caller-time", "free", "--out", str(tmp_path / "run"), "--json"]
    assert main(args) == 0
    data = _json(capsys)
    assert data["runs"] == 400 and data["workers"] == 16 and data["caller_time"] == "free"
    assert 0 < data["utilisation"] <= 1.0
    # 400 runs of at most 1 s on 16 workers: the virtual clock is the engine's wall clock
    assert 0 < data["virtual_time"] <= 400 * 1.0 / 16 * 3
    assert data["wallclock"] == pytest.approx(data["virtual_time"])
    # validation answered from the matrix: the default's test PAR10 is the matrix's own number
    m = RuntimeMatrix.load(MATRIX)
    test_cols = m.columns(m.split(m.shape[1] // 2, seed=0)[1])
    assert data["default_test_par10"] == pytest.approx(float(m.par(rows=0, columns=test_cols)))
    inc_row = m.row_of(data["incumbent"])
    assert data["incumbent_test_par10"] == pytest.approx(float(m.par(rows=inc_row, columns=test_cols)))
    stored = json.loads((tmp_path / "run" / "run.json").read_text())
    assert stored["virtual_time"] == data["virtual_time"]
    # validate RUNDIR answers from the matrix too
    assert main(["validate", str(tmp_path / "run"), "--json"]) == 0
    again = _json(capsys)
    assert again["incumbent_test_par10"] == pytest.approx(data["incumbent_test_par10"])


def test_simulated_budget_is_virtual_seconds(tmp_path, capsys):
    args = ["configure", str(SCENARIO), "--tuner", "acband", "--simulate", str(MATRIX), "--workers", "4",
            "--budget", "30", "--runs", "100000", "--caller-time", "free", "--no-validate",
            "--out", str(tmp_path / "run"), "--json"]
    assert main(args) == 0
    data = _json(capsys)
    assert "wall-clock budget" in data["stop_reason"]
    assert data["virtual_time"] == pytest.approx(30.0)
    assert data["runs"] > 4 * 30 / 1.0  # runs of ~0.02 s on 4 workers: far more than one per second


def _bad(tmp_path: Path, name: str, **arrays) -> Path:
    base = dict(np.load(MATRIX, allow_pickle=False))
    base.update(arrays)
    for key in [k for k, v in arrays.items() if v is None]:
        del base[key]
    path = tmp_path / name
    np.savez(path, **base)
    return path


def _space_json(space) -> str:
    buffer = io.StringIO()
    space.to_json(buffer)
    return buffer.getvalue()


def bad_matrices(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "text.npz"
    text.write_text("not a matrix\n")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(MATRIX.read_bytes()[:2000])
    space = json.loads(_space_json(RuntimeMatrix.load(MATRIX).space))
    for hp in space["hyperparameters"]:
        if hp["name"] == "var-decay":
            hp["upper"] = 0.999  # still holds every row: a well-formed matrix of another space
    other_space = json.dumps(space)
    return {
        "missing": (tmp_path / "nope.npz", "no such runtime matrix"),
        "text": (text, "not an .npz archive"),
        "truncated": (truncated, "runtime matrix"),
        "no runtime": (_bad(tmp_path, "noruntime.npz", runtime=None), "runtime missing"),
        "shape": (_bad(tmp_path, "shape.npz", runtime=np.zeros((3, 3))), "malformed runtime matrix"),
        "garbled configs": (_bad(tmp_path, "configs.npz", configs=np.array("[{")), "malformed runtime matrix"),
        "other space": (_bad(tmp_path, "space.npz", space=np.array(other_space)), "var-decay: upper 0.999 in the matrix"),
        "other instances": (SMALL, "not columns of the matrix"),
    }


def test_bad_matrices_are_one_line_exit_2_before_anything_runs(tmp_path, capsys):
    for label, (path, message) in bad_matrices(tmp_path).items():
        out = tmp_path / f"run-{label.replace(' ', '-')}"
        code = main(["configure", str(SCENARIO), "--tuner", "random", "--simulate", str(path), "--runs", "10",
                     "--out", str(out), "--json"])
        captured = capsys.readouterr()
        assert code == 2, (label, captured.err)
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and str(path.name) in lines[0], (label, lines)
        assert captured.out == ""
        assert not out.exists(), label  # nothing ran, no run directory


def test_simulate_excludes_scheduler_and_non_matrix_scenarios(tmp_path, capsys):
    code = main(["configure", str(SCENARIO), "--tuner", "random", "--simulate", str(MATRIX),
                 "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "r")])
    assert code == 2 and "exclude each other" in capsys.readouterr().err
    minisat = REPO / "scenarios" / "minisat-3sat" / "scenario.yaml"
    code = main(["configure", str(minisat), "--tuner", "random", "--simulate", str(MATRIX),
                 "--out", str(tmp_path / "r2")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "do not match the scenario's space" in err[0]
    assert not (tmp_path / "r2").exists()


@pytest.mark.skipif(shutil.which("python3") is None, reason="no python3")
def test_matrix_scenario_also_runs_through_the_real_executor(tmp_path, capsys):
    """Without --simulate the shipped matrix scenario runs its PythonTarget (same answers)."""
    args = ["configure", str(SCENARIO), "--tuner", "random", "--runs", "6", "--no-validate",
            "--out", str(tmp_path / "run"), "--json"]
    assert main(args) == 0
    data = _json(capsys)
    assert data["runs"] == 6 and "virtual_time" not in data
