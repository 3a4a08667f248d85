"""Policy search through the tuners (in-process and through the engine) and the `algoconf dac` CLI."""

import argparse
import json
import pickle

import pytest

from algoconf.cli import dac_cmd
from algoconf.dac import EpisodeObjective, make_env, search_policy
from algoconf.errors import DACError, InputError


def _cli(argv, capsys):
    parser = argparse.ArgumentParser(prog="algoconf")
    sub = parser.add_subparsers(dest="command")
    dac_cmd.register(sub)
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr().out
    return code, out


def test_episode_objective_methods_and_pickling():
    obj = EpisodeObjective("leadingones", {"n": 30}, "threshold")
    assert obj.method == "exact" and obj.deterministic
    config = {"cut_1": 3.0, "cut_2": 6.0, "cut_3": 10.0, "cut_4": 15.0}
    exact = obj.cost(config, "lo30-random", 0)
    again = pickle.loads(pickle.dumps(obj))
    assert again.cost(config, "lo30-random", 0) == exact
    batch = EpisodeObjective("leadingones", {"n": 30}, "threshold", method="batch", episodes=4000)
    assert batch.cost(config, "lo30-random", 1) == pytest.approx(exact, rel=0.05)
    sim = EpisodeObjective("leadingones", {"n": 30}, "threshold", method="episodes", episodes=300)
    assert sim.cost(config, "lo30-random", 1) == pytest.approx(exact, rel=0.1)
    reply = obj(config, "lo30-random", 0, None)  # the PythonTarget signature
    assert reply["cost"] == exact and reply["runtime"] >= 0
    assert EpisodeObjective("onemax", {"n": 50}).method == "batch"
    assert EpisodeObjective("sigmoid").method == "exact"
    with pytest.raises(DACError):
        EpisodeObjective("luby", family="nosuch")


def test_search_respects_budget_and_reports_incumbent():
    found = search_policy("luby", family="static", tuner="random", budget=20, seed=0)
    assert found.runs <= 20 and found.config.keys() == {"exponent"}
    assert found.train_cost >= 3.0
    with pytest.raises(InputError):
        search_policy("luby", tuner="nosuchtuner", budget=5)


def test_search_with_acband():
    from algoconf.dac.benchmarks.leadingones import best_portfolio_policy, expected_evaluations

    found = search_policy("leadingones", options={"n": 30}, tuner="acband", budget=300, seed=0)
    assert found.runs <= 300 and found.tuner == "acband"
    env = make_env("leadingones", n=30)
    assert -env.exact_return(found.policy, env.instances.test[0]) == pytest.approx(found.train_cost)
    assert found.train_cost <= 1.05 * expected_evaluations(30, best_portfolio_policy(30, env.portfolio))


@pytest.mark.slow
def test_engine_search_runs_episodes_as_python_targets_and_resumes(tmp_path):
    from algoconf.dac.engine_search import engine_search_policy

    first = engine_search_policy("leadingones", tmp_path / "run", options={"n": 20}, budget=2, workers=2)
    assert first.runs == 2
    again = engine_search_policy("leadingones", tmp_path / "run", options={"n": 20}, budget=3, workers=1)
    assert again.runs == 3


def test_cli_list_and_evaluate_json(capsys):
    code, out = _cli(["dac", "list", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and {b["name"] for b in data["benchmarks"]} == {"sigmoid", "luby", "leadingones", "onemax", "cmaes"}
    code, out = _cli(["dac", "evaluate", "leadingones", "--n", "50", "--portfolio", "1,2,4,8,16", "--policy", "optimal",
                      "--episodes", "50", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["episodes"] == 50
    assert {"mean_return", "ci95", "episodes", "mean_evaluations", "normalised_score"} <= data.keys()
    assert data["exact_return"] == pytest.approx(-974.88, abs=0.01)
    code, out = _cli(["dac", "evaluate", "leadingones", "--n", "50", "--policy", "static", "--config", "k=1",
                      "--episodes", "5", "--instances", "train", "--json"], capsys)
    assert json.loads(out)["exact_return"] == -1250.0


def test_cli_search_saves_a_policy_that_evaluate_loads(tmp_path, capsys):
    path = tmp_path / "lo.json"
    code, out = _cli(["dac", "search", "leadingones", "--n", "50", "--tuner", "random", "--budget", "300",
                      "--episodes", "20", "--save", str(path), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["runs"] == 300 and path.exists()
    assert -data["exact_return"] <= 1.01 * 974.9
    code, out = _cli(["dac", "evaluate", "leadingones", "--n", "50", "--policy", str(path), "--episodes", "10", "--json"], capsys)
    assert json.loads(out)["exact_return"] == pytest.approx(data["exact_return"])


def test_cli_qlearn_luby(capsys):
    code, out = _cli(["dac", "qlearn", "luby", "--train-episodes", "300", "--alpha", "0.5", "--episodes", "5", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["mean_return"] == 0.0


def test_cli_bad_input_raises_input_errors(capsys, tmp_path):
    with pytest.raises(InputError, match="--n does not apply to luby"):
        _cli(["dac", "evaluate", "luby", "--n", "5", "--policy", "static"], capsys)
    with pytest.raises(InputError, match="unknown policy"):
        _cli(["dac", "evaluate", "luby", "--policy", "clever"], capsys)
    with pytest.raises(InputError, match="portfolio"):
        _cli(["dac", "evaluate", "leadingones", "--portfolio", "1,x", "--policy", "static"], capsys)
    with pytest.raises(InputError, match="unknown benchmark"):
        _cli(["dac", "evaluate", "tsp", "--policy", "static"], capsys)


def test_benchmark_script_quick_speed_table(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "dac.json"
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "dac.py"), "--quick", "--skip-quality", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["commit"]  # the provenance every result file records
    assert set(data["speed_us_per_step"]) == {"luby", "sigmoid_1d", "sigmoid_2d", "sigmoid_5d", "leadingones_50"}
    assert all(row["algoconf_min"] > 0 for row in data["speed_us_per_step"].values())
