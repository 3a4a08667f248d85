"""Runtime-matrix builds on real minisat (algoconf.benchmarking.cpu_run, matrix_sources, matrix_stats;
benchmarks/build_matrix.py through its command line): censoring, and a resumed build repeats no finished run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from algoconf.benchmarking.cpu_run import run_once
from algoconf.benchmarking.matrix_sources import (
    ScenarioSource,
    command,
    generate,
    minisat_space,
    space_json,
    uniform_configs,
)
from algoconf.benchmarking.matrix_stats import matrix_stats
from algoconf.space import default_config

pytestmark = pytest.mark.skipif(
    shutil.which("minisat") is None or not Path("/usr/bin/minisat").is_file(),
    reason="minisat binary not installed at /usr/bin/minisat",
)


ARGS = ["--configs", "3", "--instances", "4", "--sizes", "40,60", "--cutoff", "1", "--seed", "5", "--max-minutes", "2"]


def test_run_once_censors_at_the_cpu_cutoff(tmp_path):
    easy = tmp_path / "easy.cnf"
    easy.write_text(generate(40, 1))
    cpu, solved = run_once(command({}, str(easy)), cutoff=1.0, backstop=60)
    assert solved and 0 < cpu < 1.0
    hard = tmp_path / "hard.cnf"
    hard.write_text(generate(400, 1))  # far beyond 0.05 CPU s for minisat
    cpu, solved = run_once(command({}, str(hard)), cutoff=0.05, backstop=60)
    assert not solved and cpu == 0.05


def test_resumed_build_keeps_journaled_runs(run_benchmark, tmp_path):
    out = tmp_path / "m.npz"
    journal = Path(f"{out}.journal.jsonl")
    configs = uniform_configs(minisat_space(), 3, 5)
    header = {
        "seed": 5,
        "cutoff": 1.0,
        "sizes": [40, 60],
        "ratio": 4.26,
        "instances": 4,
        "space": space_json(minisat_space()),
    }
    # a build killed after three runs (the last line cut mid-write): sentinel times mark them
    lines = [
        {"header": header},
        {"row": 0, "config": configs[0]},
        {"run": [0, 0, 0.111, True]},
        {"run": [0, 2, 0.222, True]},
        {"run": [0, 3, 1.0, False]},
    ]
    journal.write_text("".join(json.dumps(e) + "\n" for e in lines) + '{"run": [0, 1')
    assert run_benchmark("build_matrix", ARGS + ["--out", str(out), "--append"]) == 0
    data = np.load(out)
    assert data["runtime"].shape == (3, 4)
    assert data["runtime"][0, 0] == np.float32(0.111) and data["runtime"][0, 2] == np.float32(0.222)
    assert not data["solved"][0, 3] and data["solved"][0, 1]  # the cut run was run again
    assert json.loads(str(data["configs"])) == configs
    assert not journal.exists()  # complete: the journal is gone
    with pytest.raises(SystemExit):  # never overwrite a matrix without --append
        run_benchmark("build_matrix", ARGS + ["--out", str(out)])


def test_bad_input_is_one_line_and_exit_2_before_any_run(run_benchmark, tmp_path, capsys):
    extra = tmp_path / "extra.json"
    extra.write_text('{"not": "a list"}')
    out = tmp_path / "m.npz"
    assert run_benchmark("build_matrix", ARGS + ["--out", str(out), "--extra", str(extra)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"build_matrix: {extra}: expected a JSON list of configurations"
    assert not out.exists()
    journal = Path(f"{out}.journal.jsonl")  # a journal of other settings is refused, not extended
    journal.write_text(json.dumps({"header": {"seed": 99}}) + "\n")
    assert run_benchmark("build_matrix", ARGS + ["--out", str(out), "--append"]) == 2
    assert "built with other settings" in capsys.readouterr().err
    assert journal.read_text().count("\n") == 1


def test_stats_of_a_matrix():
    runtime = np.array([[0.1, 0.2, 1.0, 0.1], [0.05, 0.1, 0.3, 0.05], [1.0, 1.0, 1.0, 1.0]], dtype=np.float32)
    solved = np.array([[1, 1, 0, 1], [1, 1, 1, 1], [0, 0, 0, 0]], dtype=bool)
    stats = matrix_stats(runtime, solved, 1.0, splits=20)
    assert stats["best_row"] == 1 and stats["default_rank"] == 2
    assert stats["default_par10"] == pytest.approx((0.1 + 0.2 + 10 + 0.1) / 4, abs=1e-4)
    assert stats["timeout_fraction"] == pytest.approx(5 / 12, abs=1e-4)
    assert stats["train_best_is_test_best"] == 1.0 and stats["train_best_test_regret_mean"] == 0.0


SCENARIO_YAML = """
name: tiny-cadical
target: {{runner: cadical}}
space: {space}
train: {{generator: "algoconf.instances.generators:flat_colouring", n: 2, seed: 1, kwargs: {{vertices: 30}}}}
test: {{generator: "algoconf.instances.generators:flat_colouring", n: 2, seed: 2, kwargs: {{vertices: 30}}}}
objective: runtime
cutoff: 1
time_kind: cpu
"""


@pytest.mark.skipif(shutil.which("cadical") is None, reason="cadical not installed")
def test_scenario_build_runs_the_scenarios_target_and_fits_it(run_benchmark, tmp_path):
    from algoconf.scenario import load_scenario
    from algoconf.space import active_config
    from algoconf.tuners.simulated import RuntimeMatrix

    space = Path(__file__).resolve().parents[2] / "runners" / "cadical" / "search.pcs"
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO_YAML.format(space=space))
    scenario = load_scenario(path)
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps([{**default_config(scenario.space), "phase": "off"}]))
    out = tmp_path / "m.npz"
    args = [
        "--scenario",
        str(path),
        "--configs",
        "3",
        "--neighbours",
        "1",
        "--local",
        "1",
        "--extra",
        str(extra),
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    assert run_benchmark("build_matrix", args) == 0
    matrix = RuntimeMatrix.load(out)
    assert matrix.shape == (5, 4) and matrix.cutoff == 1.0
    assert matrix.solved.all()  # 30-vertex colourings: cadical answers (and its model is checked) at once
    assert matrix.instances == list(scenario.train.names) + list(scenario.test.names)
    assert matrix.scenario_split() == (list(scenario.train.names), list(scenario.test.names))
    matrix.check_fits(scenario, out)
    rows = matrix.meta["rows"]
    assert (rows["default"], rows["default_neighbours"], rows["uniform"], rows["local"], rows["extra"]) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert matrix.configs[0] == default_config(scenario.space)
    assert matrix.configs[-1] == active_config(scenario.space, {**default_config(scenario.space), "phase": "off"})


@pytest.mark.skipif(shutil.which("cadical") is None, reason="cadical not installed")
def test_scenario_run_counts_a_wrong_answer_as_unsolved(tmp_path):
    space = Path(__file__).resolve().parents[2] / "runners" / "cadical" / "search.pcs"
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO_YAML.format(space=space))
    source = ScenarioSource(path, seed=1, cutoff=1.0)
    config = default_config(source.space)
    cpu, ok = source.run(config, 0, 1.0, 60)
    assert ok and 0 < cpu < 1.0
    sidecar = Path(f"{source.instances[0].path}.json")
    sidecar.write_text(json.dumps({"answer": "UNSAT"}))  # the generator's record now contradicts cadical's SAT
    source = ScenarioSource(path, seed=1, cutoff=1.0)
    cpu, ok = source.run(config, 0, 1.0, 60)
    assert not ok and cpu == 1.0
