"""benchmarks/ac_suite.py: the simulated protocol end to end (rows appended, resume, summaries with
bootstrap CIs, the anytime PNG), the native-SMAC3 ask/tell loop at equal CPU on one and two workers,
irace's trajectory bookkeeping, and validation interleaved one run at a time."""

from __future__ import annotations

import json
import shutil

import pytest

from algoconf.execution.virtual import VirtualExecutor
from algoconf.records import RunRequest, RunResult, Status
from algoconf.space import default_config, sample_configs


@pytest.fixture(scope="module")
def suite(load_benchmark):
    return load_benchmark("ac_suite")


@pytest.fixture(scope="module")
def peers(suite):
    import ac_suite_peers  # on sys.path once ac_suite is loaded

    return ac_suite_peers


def test_quick_simulated_run_appends_resumes_and_summarises(suite, tmp_path, capsys):
    contenders = "acband,random" + (",irace" if shutil.which("Rscript") else "")
    out = tmp_path / "suite.json"
    argv = ["--quick", "--contenders", contenders, "--settings", "cpu_w1,wall_w2", "--out", str(out)]
    assert suite.main(argv) == 0
    data = json.loads(out.read_text())
    sc = data["scenarios"]["minisat_3sat_matrix"]
    rows = data["rows"]
    assert {(r["setting"], r["contender"]) for r in rows} == {(s, c) for s in ("cpu_w1", "wall_w2")
                                                              for c in contenders.split(",")}
    for r in rows:
        assert r["commit"] and r["budget"] == 15.0
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
    text = capsys.readouterr().out
    assert "cpu_w1" in text  # the table
    if "irace" in contenders:  # the goals: the best of ours against each peer present
        assert "vs irace" in text and "CIs" in text
    # a second invocation finds every row there and adds none
    assert suite.main(argv + ["--no-plot"]) == 0
    assert len(json.loads(out.read_text())["rows"]) == len(rows)


@pytest.mark.parametrize("workers", [1, 2])
def test_native_smac3_ask_tell_stops_at_the_cpu_budget_on_one_and_two_workers(suite, peers, workers):
    pytest.importorskip("smac")
    setup = suite.simulated_setup(suite.QUICK_MATRIX)
    executor = setup.executor(workers, "free")
    run = peers.run_native_smac3(setup.space, setup.train, None, executor, seed=0, workers=workers,
                                 deterministic=True, cutoff=setup.cutoff, par_factor=10.0, cpu_budget=4.0,
                                 wall_budget=None)
    # one worker: the last run ends past the budget by less than a cutoff; two: the other one is stopped
    assert 4.0 <= run.cpu <= 4.0 + setup.cutoff
    assert run.runs >= 4 and run.trajectory
    assert setup.matrix.row_of(run.incumbent) >= 0  # an active configuration of the space
    if workers == 2:
        assert run.wall < run.cpu  # two runs at a time on the virtual clock


def test_irace_trajectory_sums_experiment_time_and_list_schedules_race_steps(peers):
    from ConfigSpace import ConfigurationSpace, Float

    space = ConfigurationSpace({"x": Float("x", (0.0, 1.0), default=0.5)})
    log = "\n".join(["0\t1\t1\t1.0", "0\t1\t2\t1.0", "1\t2\t1\t2.0", "1\t2\t3\t1.0", "1\t2\t4\t1.0",
                     "2\t3\t3\t0.5", "2\t3\t4\tNA"])
    elites = "1\tx=0.25\n2\tx=0.75\nfinal\tx=0.75"
    points = peers.irace_trajectory(space, {"x": "x"}, log, elites, workers=2)
    assert [p[0] for p in points] == [6.0, 6.5, 6.5]  # CPU: every experiment of iterations <= i
    assert [p[1] for p in points] == [1.0 + 2.0, 3.5, 3.5]  # wall: (1,1) on 2 workers; (2,1,1) -> 2; (0.5) -> 0.5
    assert points[0][2] == {"x": 0.25} and points[-1][2] == {"x": 0.75}
    assert peers.list_schedule_wall([3.0, 1.0, 1.0, 1.0], 2) == 3.0


def test_validation_is_interleaved_one_run_at_a_time_and_kept_by_configuration(suite, tmp_path, monkeypatch):
    from algoconf.testing.tuners import synthetic_scenario

    scenario = synthetic_scenario(tmp_path / "sc", runs=10)
    setup = suite.Setup("synthetic", "real", scenario, "synthetic")
    calls: list[tuple[str, str]] = []

    class OneAtATime:
        def __init__(self) -> None:
            self.running = 0

        def submit(self, request: RunRequest):
            import concurrent.futures as cf

            assert self.running == 0
            calls.append((request.instance, str(sorted(request.config.items()))))
            f: cf.Future = cf.Future()
            f.set_result(RunResult(request, Status.SUCCESS, 1.0 if request.config == default else 0.5))
            return f

        def close(self) -> None:
            pass

    default = default_config(scenario.space)
    other = next(c for c in sample_configs(scenario.space, 5, seed=3) if c != default)
    import algoconf.tuners.session as session

    monkeypatch.setattr(session, "build_executor", lambda sc, workers, **kw: OneAtATime())
    store: dict = {}
    suite.Validator(setup, store).validate([default, other], save=lambda: None)
    n = len(setup.test)
    assert len(calls) == 2 * n
    assert [c[0] for c in calls[::2]] == [c[0] for c in calls[1::2]] == setup.test  # pair by pair, both configs
    assert store[suite.config_key(default)]["test_par10"] == pytest.approx(1.0)
    assert store[suite.config_key(other)]["test_par10"] == pytest.approx(0.5)
    calls.clear()
    suite.Validator(setup, store).validate([default, other], save=lambda: None)
    assert calls == []  # validated before: kept, not run again
    # a validation killed after two pairs resumes at the third, saving after every pair
    key = suite.config_key(other)
    partial = {key: {"config": other, "pairs": store[key]["pairs"][:2]}}
    saves = []
    suite.Validator(setup, partial).validate([other], save=lambda: saves.append(len(partial[key]["pairs"])))
    assert [c[0] for c in calls] == setup.test[2:]
    assert saves[:-1] == list(range(3, n + 1)) and partial[key]["test_par10"] == pytest.approx(0.5)


def test_reference_configurations_are_completed_from_the_default(suite, tmp_path):
    from algoconf.testing.tuners import synthetic_scenario

    scenario = synthetic_scenario(tmp_path / "sc", runs=10)
    setup = suite.Setup("synthetic", "real", scenario, "synthetic")
    default = default_config(scenario.space)
    other = next(c for c in sample_configs(scenario.space, 5, seed=3) if c != default)
    name, value = next((k, v) for k, v in other.items() if default.get(k) != v)
    path = tmp_path / "refs.json"
    path.write_text(json.dumps({"tuned": {name: value}, "default": None}))
    refs = suite.references(setup, path)
    assert refs["default"] == default
    assert refs["tuned"][name] == value  # the given value, every other one the default's
    assert all(refs["tuned"][k] == default[k] for k in refs["tuned"] if k != name and k in default)
    path.write_text(json.dumps([{name: value}]))
    assert list(suite.references(setup, path)) == ["refs[0]"]


def test_rows_of_another_split_are_dropped_and_old_entries_count_as_the_seeded_half(suite, capsys):
    row = {"scenario": "m", "setting": "cpu_w1", "contender": "random", "budget": 1.0, "seed": 0}
    other = {**row, "scenario": "n"}
    data = {"scenarios": {"m": {"n_train": 5}, "n": {"n_train": 5}}, "rows": [row, other]}
    suite.merge_entry(data, "n", {"split": "seeded-half", "n_train": 5})  # unchanged split: rows kept
    assert data["rows"] == [row, other]
    suite.merge_entry(data, "m", {"split": "scenario", "n_train": 5})
    assert data["rows"] == [other] and data["scenarios"]["m"]["split"] == "scenario"
    assert "1 rows measured on the old split dropped" in capsys.readouterr().err
