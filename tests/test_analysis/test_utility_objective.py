"""``utility:`` in a scenario: tuners minimise 1 − u(runtime), with censoring handled."""

import pytest

from algoconf.errors import ScenarioError
from algoconf.records import RunRequest, RunResult, Status
from algoconf.scenario import load_scenario
from algoconf.tuners.evidence import cost_of

SPACE = "rnd-freq real [0, 0.5] [0]\n"


def _scenario(tmp_path, utility_yaml: str, cutoff: float = 10):
    (tmp_path / "params.pcs").write_text(SPACE)
    (tmp_path / "scenario.yaml").write_text(
        f"""name: util
target:
  runner: minisat
space: params.pcs
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: 2
  seed: 5
  kwargs: {{variables: 50}}
objective: runtime
cutoff: {cutoff}
{utility_yaml}
"""
    )
    return tmp_path / "scenario.yaml"


def test_utility_scenario_gives_utility_costs_and_round_trips(tmp_path):
    sc = load_scenario(_scenario(tmp_path, "utility: {value: constant, captime: {uniform: [1, 9]}}"))
    problem = sc.tuning_problem()
    req = RunRequest({}, sc.train.names[0], 0, 10.0)
    assert cost_of(problem, RunResult(req, Status.SUCCESS, 5.0)).value == pytest.approx(0.5)
    assert cost_of(problem, RunResult(req, Status.SUCCESS, 0.5)).value == pytest.approx(0.0)
    timeout = cost_of(problem, RunResult(req, Status.TIMEOUT, 10.0))
    assert timeout.exact and timeout.value == 1.0
    capped = cost_of(problem, RunResult(req, Status.CAPPED, 3.0))
    assert not capped.exact and capped.value == pytest.approx(0.25)
    assert sc.to_dict()["utility"] == {"value": "constant", "captime": {"uniform": [1, 9]}}
    assert "utility" in sc.fingerprint()


def test_without_utility_fingerprint_has_no_utility_key(tmp_path):
    sc = load_scenario(_scenario(tmp_path, ""))
    assert "utility" not in sc.fingerprint()
    req = RunRequest({}, sc.train.names[0], 0, 10.0)
    assert cost_of(sc.tuning_problem(), RunResult(req, Status.TIMEOUT, 10.0)).value == 100.0


@pytest.mark.parametrize(
    "yaml,message",
    [
        ("utility: {value: constant, captime: {uniform: [1, 20]}}", "exceeds the cutoff"),
        ("utility: {value: cubic, captime: {fixed: 5}}", "utility.value must be constant, linear or exponential"),
        ("utility: {value: constant, captime: {weird: 5}}", "utility.captime"),
        ("utility: {value: constant, captime: {fixed: 5}, colour: 1}", "unknown key 'colour' in utility"),
    ],
)
def test_bad_utility_is_a_scenario_error(tmp_path, yaml, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_scenario(tmp_path, yaml))


def test_configure_with_a_utility_objective_on_real_minisat(tmp_path):
    import json
    import shutil

    if shutil.which("minisat") is None:
        pytest.skip("minisat binary not found")
    from algoconf.cli.main import main

    path = _scenario(tmp_path, "utility: {value: exponential, half_life: 1, captime: {uniform: [0.5, 5]}}", cutoff=5)
    out = tmp_path / "run"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["configure", str(path), "--tuner", "random", "--runs", "6", "--out", str(out), "--no-validate", "--json"])
    assert code == 0
    report = json.loads(buf.getvalue())
    assert report["runs"] == 6 and report["incumbent"] is not None
