"""benchmarks/faults.py --quick as a smoke test: a real configure killed three times (kill -9,
SIGTERM, kill -9) at random points and resumed loses no run, repeats none that was committed, and
leaves no target process; the first bad inputs all give one-line exit-2 errors."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_quick_fault_injection_loses_and_repeats_nothing(run_benchmark, tmp_path):
    out = tmp_path / "faults.json"
    assert run_benchmark("faults", ["--quick", "--seed", "1", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["commit"] and result["quick"]
    (row,) = result["tuners"]
    assert row["tuner"] == "random" and row["kills"] == 3 and row["survived"] == 3, row
    assert row["sigterm_exit_ok"] == row["sigterm_sent"] == 1
    assert row["final_exit_code"] == 0 and row["final_runs"] == 24
    assert row["runs_lost"] == 0 and row["repeated_beyond_in_flight"] == 0 and row["orphans_left"] == 0
    corpus = result["bad_inputs"]
    assert corpus["tried"] == corpus["one_line_exit_2"] == 20
