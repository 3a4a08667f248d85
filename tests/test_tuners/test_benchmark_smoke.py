"""Smoke test of benchmarks/ac_tuners.py (matrix part, cheap tuners, no native SMAC)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_matrix_benchmark_quick_smoke(tmp_path):
    if not (REPO / "benchmarks" / "data" / "minisat_3sat_matrix.npz").is_file():
        pytest.skip("runtime matrix not built")
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "ac_tuners.py"), "--part", "matrix", "--quick", "--no-native",
         "--tuners", "random,acband", "--matrix-runs", "60", "--out", str(out)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())["matrix"]
    assert set(data["results"]) == {"random", "acband"}
    for rows in data["results"].values():
        assert rows[0]["regret"] >= 0 and rows[0]["runs"] <= 60
    assert "MATRIX" in proc.stdout


@pytest.mark.slow
def test_capping_benchmark_quick_smoke(tmp_path):
    if not (REPO / "benchmarks" / "data" / "minisat_3sat_matrix.npz").is_file():
        pytest.skip("runtime matrix not built")
    out = tmp_path / "c.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "capping.py"), "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    (row,) = data["rows"]["random/w1"]
    assert row["off"]["capped_runs"] == 0 and row["on"]["capped_runs"] > 0
    assert row["on"]["cpu"] < row["off"]["cpu"] and row["on"]["row"] == row["off"]["row"]
    assert data["git_commit"] and "random/w1" in proc.stdout


@pytest.mark.slow
def test_incumbent_guard_benchmark_quick_smoke(tmp_path):
    out = tmp_path / "g.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "incumbent_guard.py"), "--quick", "--parts", "seeds", "--seeds", "1",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(out.read_text())["runs"]
    assert len(rows) == 1 and rows[0]["commit"] and rows[0]["quick"] is True
    assert rows[0]["guard_verdict"] in ("accepted", "default kept", "candidate is the default")
    assert rows[0]["runs"] <= 30 and rows[0]["warning_ok"]
    assert "no worse than the default" in proc.stdout
