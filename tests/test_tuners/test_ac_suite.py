"""benchmarks/ac_suite.py through its command line: the simulated protocol end to end (rows appended,
resume, summaries with bootstrap CIs, the anytime PNG). Its pieces are tested in the package:
tests/test_benchmarking/ (peers, paired validation, named configurations)."""

from __future__ import annotations

import json
import shutil

import pytest


def test_quick_simulated_run_appends_resumes_and_summarises(run_benchmark, tmp_path, capsys):
    contenders = "acband,random" + (",irace" if shutil.which("Rscript") else "")
    out = tmp_path / "suite.json"
    # a row measured on another train/test split of the matrix is dropped, not mixed with the new ones
    stale = {"scenario": "minisat_3sat_matrix", "setting": "cpu_w1", "contender": "random", "budget": 15.0, "seed": 0,
             "stale": True}
    out.write_text(json.dumps({"benchmark": "ac_suite", "scenarios": {"minisat_3sat_matrix": {"split": "other"}},
                               "rows": [stale]}))
    argv = ["--quick", "--contenders", contenders, "--settings", "cpu_w1,wall_w2", "--out", str(out)]
    assert run_benchmark("ac_suite", argv) == 0
    printed = capsys.readouterr()
    assert "1 rows measured on the old split dropped" in printed.err
    data = json.loads(out.read_text())
    sc = data["scenarios"]["minisat_3sat_matrix"]
    rows = data["rows"]
    assert {(r["setting"], r["contender"]) for r in rows} == {(s, c) for s in ("cpu_w1", "wall_w2")
                                                              for c in contenders.split(",")}
    for r in rows:
        assert "stale" not in r and r["commit"] and r["budget"] == 15.0
        assert sc["best_known_test_par10"] - 1e-12 <= r["test_par10"]
        assert r["trajectory"] and r["trajectory"][-1][2] == pytest.approx(r["test_par10"])
        if r["setting"] == "cpu_w1" and r["contender"] != "irace":  # the engine stops at the CPU budget
            assert r["cpu"] <= 15.0 + 1.5 + 1e-9  # at most one run (cutoff 1.5 s) past it
    summary = sc["contenders"]["random"]
    assert summary["kind"] == "simulated" and summary["seeds"] == 1
    assert summary["ci95"][0] <= summary["median_test_par10"] <= summary["ci95"][1]
    assert summary["ratio_to_default"] == pytest.approx(summary["median_test_par10"] / sc["default_test_par10"])
    assert set(sc["tables"]) == {"cpu_w1", "wall_w2"}
    assert (tmp_path / "ac_suite_minisat_3sat_matrix.png").stat().st_size > 1000
    text = printed.out
    assert "cpu_w1" in text  # the table
    if "irace" in contenders:  # the goals: the best of ours against each peer present
        assert "vs irace" in text and "CIs" in text
    # a second invocation finds every row there and adds none
    assert run_benchmark("ac_suite", argv + ["--no-plot"]) == 0
    assert len(json.loads(out.read_text())["rows"]) == len(rows)
