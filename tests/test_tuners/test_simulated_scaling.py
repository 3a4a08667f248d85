"""benchmarks/simulated_scaling.py --quick (virtual clock, appended rows, resume, table), and the
in-memory history the benchmark drives the engine with."""

from __future__ import annotations

import json

import pytest

from algoconf.execution.virtual import VirtualExecutor
from algoconf.history.memory import MemoryHistory
from algoconf.testing.tuners import synthetic_answer, synthetic_scenario
from algoconf.run.session import open_session


def test_quick_benchmark_appends_rows_resumes_and_prints_the_table(tmp_path, run_benchmark, capsys):
    out = tmp_path / "r.json"
    assert run_benchmark("simulated_scaling", ["--quick", "--caller-time", "free", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    rows = data["rows"]
    assert {(r["tuner"], r["workers"]) for r in rows} == {("random", 1), ("random", 64), ("acband", 1), ("acband", 64)}
    for r in rows:
        assert r["commit"] and r["protocol"]["caller_time"] == "free"
        assert "run_cap" not in r["protocol"]  # the default protocol is the one of the rows so far
        assert 0 < r["utilisation"] <= 1.0 + 1e-9
        # the run reached the largest budget, or the quick mode's 1500-run cap ended it first (AC-Band
        # on 64 workers: its races are stopped at the winner's time, so 1500 runs take < 1 virtual s)
        assert r["virtual_time"] >= 1.0 - 1e-9 or r["runs"] > 1500 - r["workers"]
        assert set(r["test_par10"]) == {"0.5", "1"}
        assert all(v is None or v >= data["matrices"][r["matrix"]]["best_test_par10"] - 1e-12
                   for v in r["test_par10"].values())
    one = next(r for r in rows if r["tuner"] == "random" and r["workers"] == 1)
    assert one["utilisation"] == pytest.approx(1.0)  # one worker, a free caller: never idle
    text = capsys.readouterr().out
    assert "util" in text and "goal" in text
    # a second invocation with the same protocol has nothing left to do
    assert run_benchmark("simulated_scaling", ["--quick", "--caller-time", "free", "--out", str(out)]) == 0
    assert len(json.loads(out.read_text())["rows"]) == len(rows)
    # --run-cap stop is another protocol: its row is measured anew and says so
    argv = ["--quick", "--caller-time", "free", "--tuners", "random", "--workers", "1", "--run-cap", "stop"]
    assert run_benchmark("simulated_scaling", argv + ["--out", str(out)]) == 0
    (stop,) = json.loads(out.read_text())["rows"][len(rows):]
    assert (stop["tuner"], stop["workers"], stop["protocol"]["run_cap"]) == ("random", 1, "stop")


def test_memory_history_spares_the_engine_the_state_snapshot(tmp_path):
    scenario = synthetic_scenario(tmp_path / "sc", runs=30)
    history = MemoryHistory()
    ex = VirtualExecutor(synthetic_answer, n_workers=2, instances=scenario.train.names + scenario.test.names)
    with open_session(scenario, tmp_path / "run", "random", workers=2, progress=False, executor=ex,
                      history=history) as session:
        calls = []
        state = session.engine.tuner.state
        session.engine.tuner.state = lambda: calls.append(1) or state()
        outcome = session.run()
    assert outcome.runs == len(history) == 30 and not calls
    assert not (tmp_path / "run" / "history.sqlite").exists()
    assert history.get(next(iter(history)).key) is not None
    assert len(history.results(config_key=outcome.incumbent_key)) >= 1


def _row(tuner, seed, par, util, proto):
    return {"matrix": "m", "tuner": tuner, "workers": 1, "seed": seed, "test_par10": {"10": par},
            "final_test_par10": par, "virtual_time": 10.0, "utilisation": util, "runs": 5,
            "real_seconds": 1.0, "tuner_ms_per_run": 1.0, "protocol": proto}


def test_table_only_merges_several_result_files_later_files_winning(tmp_path, run_benchmark, capsys):
    proto = {"caller_time": "charged", "max_real": 20.0}

    def row(tuner, seed, par, util):
        return _row(tuner, seed, par, util, proto)

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps({"rows": [row("random", 0, 0.5, 0.9), row("optuna", 0, 0.7, 0.1)],
                                 "matrices": {"m": {"best_test_par10": 0.4, "default_test_par10": 0.8}}}))
    second.write_text(json.dumps({"rows": [row("optuna", 0, 0.6, 0.2), row("optuna", 1, 0.6, 0.2),
                                           row("smac", 0, 0.65, 0.3)]}))
    assert run_benchmark("simulated_scaling", ["--table-only", "--from", str(first), "--from", str(second)]) == 0
    lines = {}
    for line in capsys.readouterr().out.splitlines():  # the first table (the CI table follows it)
        if line.split() and line.split()[0] in ("random", "optuna", "smac"):
            lines.setdefault(line.split()[0], line.split())
    assert lines["random"][2] == "1" and lines["random"][3] == "0.5000"
    assert lines["optuna"][2] == "2" and lines["optuna"][3] == "0.6000"  # seed 0 from the later file
    assert lines["smac"][2] == "1" and lines["smac"][4] == "30.0%"


def test_ci_table_gives_the_median_and_a_bootstrap_interval(tmp_path, run_benchmark, capsys):
    # the interval itself: tests/test_analysis/test_bootstrap.py
    path = tmp_path / "r.json"
    rows = [_row("acband", s, v, 0.99, {}) for s, v in enumerate([0.1, 0.2, 0.3])]
    path.write_text(json.dumps({"rows": rows, "matrices": {"m": {"best_test_par10": 0.1, "default_test_par10": 0.8}}}))
    assert run_benchmark("simulated_scaling", ["--table-only", "--from", str(path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("acband") and "[" in x)
    assert "0.2000 [" in line and line.split()[-1].startswith("[")
