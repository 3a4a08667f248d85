"""benchmarks/simulated_scaling.py --quick (virtual clock, appended rows, resume, table), and the
in-memory history the benchmark drives the engine with."""

from __future__ import annotations

import json

import pytest

from algoconf.execution.virtual import VirtualExecutor
from algoconf.history_memory import MemoryHistory
from algoconf.testing.tuners import synthetic_answer, synthetic_scenario
from algoconf.tuners.session import open_session


def test_quick_benchmark_appends_rows_resumes_and_prints_the_table(tmp_path, load_benchmark, capsys):
    bench = load_benchmark("simulated_scaling")
    out = tmp_path / "r.json"
    assert bench.main(["--quick", "--caller-time", "free", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    rows = data["rows"]
    assert {(r["tuner"], r["workers"]) for r in rows} == {("random", 1), ("random", 64), ("acband", 1), ("acband", 64)}
    for r in rows:
        assert r["commit"] and r["protocol"]["caller_time"] == "free"
        assert 0 < r["utilisation"] <= 1.0 + 1e-9 and r["virtual_time"] >= 1.0 - 1e-9
        assert set(r["test_par10"]) == {"0.5", "1"}
        assert all(v is None or v >= data["matrices"][r["matrix"]]["best_test_par10"] - 1e-12
                   for v in r["test_par10"].values())
    one = next(r for r in rows if r["tuner"] == "random" and r["workers"] == 1)
    assert one["utilisation"] == pytest.approx(1.0)  # one worker, a free caller: never idle
    text = capsys.readouterr().out
    assert "util" in text and "goal" in text
    # a second invocation with the same protocol has nothing left to do
    assert bench.main(["--quick", "--caller-time", "free", "--out", str(out)]) == 0
    assert len(json.loads(out.read_text())["rows"]) == len(rows)


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
