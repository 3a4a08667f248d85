"""Real SAT solvers through their runners: right answers, checked models, timeouts, traps."""

from __future__ import annotations

import dataclasses

import pytest

from algoconf.errors import ConfigurationError
from algoconf.execution.base import execute_run
from algoconf.execution.limits import ProcessOutcome
from algoconf.records import RunRequest, Status
from algoconf.runners import RUNNERS, get_runner
from algoconf.runners.minisat import MinisatParser
from algoconf.space.files import read_space
from algoconf.targets.parsers import SatCompetitionParser

from .conftest import needs

SAT_RUNNERS = [name for name, r in RUNNERS.items() if r.instance_kind == "cnf"]


def _run(name, instance, config=None, cutoff=10.0, seed=1):
    runner = get_runner(name)
    request = RunRequest(config or {}, instance.name, seed, cutoff)
    return execute_run(runner.target(), request, instance)


def _default(name):
    runner = get_runner(name)
    path = runner.params_file()
    return dict(read_space(path).get_default_configuration()) if path.exists() else {}


@pytest.mark.parametrize("name", SAT_RUNNERS)
def test_solves_sat_and_unsat_with_default_configuration(name, small):
    runner = get_runner(name)
    if runner.missing():
        pytest.skip(runner.missing())
    config = _default(name)
    sat = _run(name, small["sat"], config)
    unsat = _run(name, small["unsat"], config)
    assert sat.status is Status.SUCCESS, sat.info
    assert sat.info["answer"] == "SAT" and sat.info.get("model_checked") is True
    assert unsat.status is Status.SUCCESS and unsat.info["answer"] == "UNSAT", unsat.info
    assert 0 <= sat.runtime < 10 and sat.wallclock > 0


@pytest.mark.parametrize("name", SAT_RUNNERS)
def test_answer_contradicting_the_known_answer_is_crashed(name, small):
    runner = get_runner(name)
    if runner.missing():
        pytest.skip(runner.missing())
    result = _run(name, small["lying"])
    assert result.status is Status.CRASHED
    assert "wrong answer" in result.info["reason"]


@pytest.mark.parametrize("name", ["minisat", "cadical", "clasp", "pysat-cadical195"])
def test_hard_instance_is_timeout_from_the_executors_flag(name, small):
    runner = get_runner(name)
    if runner.missing():
        pytest.skip(runner.missing())
    result = _run(name, small["hard"], cutoff=0.4)
    assert result.status is Status.TIMEOUT, result.info
    assert result.censored and 0.3 <= result.runtime <= 0.8
    assert result.info["killed_by"] == "cpu"


def _outcome(stdout, code):
    return ProcessOutcome(exit_code=code, signal=None, cpu_time=0.1, wallclock=0.1, stdout=stdout, stderr_tail="")


def test_minisat_parser_checks_the_model_from_its_result_file(small):
    request = RunRequest({}, "sat", 1, 5.0)
    unsat = small["unsat"]  # php(5,4): any full assignment violates a clause
    n_vars = 20
    wrong = "SAT\n" + " ".join(str(v) for v in range(1, n_vars + 1)) + " 0\nWARNING: x\nSATISFIABLE\n"
    answer = MinisatParser().parse(_outcome(wrong, 10), request, dataclasses.replace(unsat, meta={}))
    assert answer.status is Status.CRASHED and "wrong model" in answer.info["reason"]
    answer = MinisatParser().parse(_outcome("UNSAT\nWARNING: x\nUNSATISFIABLE\n", 20), request, unsat)
    assert answer.status is Status.SUCCESS and answer.info["answer"] == "UNSAT"
    answer = MinisatParser().parse(_outcome("INDET\nWARNING: x\nINDETERMINATE\n", 0), request, unsat)
    assert answer.status is Status.TIMEOUT


def test_wrong_model_of_a_competition_solver_is_crashed(small):
    inst = small["unsat"]
    request = RunRequest({}, inst.name, 1, 5.0)
    stdout = "s SATISFIABLE\nv " + " ".join(str(v) for v in range(1, 21)) + " 0\n"
    target = get_runner("cadical").target()
    answer = target.answer(request, dataclasses.replace(inst, meta={"answer": None}), _outcome(stdout, 10))
    assert answer.status is Status.CRASHED


@needs(RUNNERS["minisat"])
def test_minisat_flags_seed_and_backstop_limit(small):
    target = get_runner("minisat").target()
    request = RunRequest({"luby": "off", "rnd-init": "on", "var-decay": 1.5}, "sat", 0, 2.5)
    argv = target.prepare(request, small["sat"]).argv
    assert "-no-luby" in argv and "-rnd-init" in argv
    assert "-rnd-seed=1.0" in argv  # seed 0 -> 1: minisat needs a positive seed
    assert "-cpu-lim=4" in argv  # ceil(cutoff) + 1, a backstop only
    assert "-var-decay=0.999999" in argv  # clamped into minisat's open interval (0, 1)
    assert argv[-2:] == [str(small["sat"].path), "/dev/stdout"]


@needs(RUNNERS["cadical"])
def test_cadical_clamps_out_of_range_values_and_drops_its_environment(small, monkeypatch):
    monkeypatch.setenv("CADICAL_ELIM", "0")
    target = get_runner("cadical").target()
    request = RunRequest({"reducetarget": 500, "restartint": "0", "elim": "off"}, "sat", 7, 5.0)
    launch = target.prepare(request, small["sat"])
    assert "--reducetarget=100" in launch.argv and "--restartint=1" in launch.argv
    assert "--elim=false" in launch.argv and "--seed=7" in launch.argv
    assert not any(k.startswith("CADICAL_") for k in launch.env)


@needs(RUNNERS["minisat"])
def test_a_flag_with_a_bad_value_is_a_configuration_error(small):
    target = get_runner("minisat").target()
    with pytest.raises(ConfigurationError, match="on/off"):
        target.prepare(RunRequest({"luby": "maybe"}, "sat", 0, 2.0), small["sat"])


@needs(RUNNERS["clasp"])
def test_clasp_assembles_composite_options(small):
    target = get_runner("clasp").target()
    config = {"configuration": "crafty", "restarts": "geometric", "restart-base": 128, "restart-factor": 1.5,
              "deletion": "sort", "deletion-pct": 50, "init-moms": "off", "heuristic": "preset", "rand-freq": 0.0}
    argv = target.prepare(RunRequest(config, "sat", 3, 5.0), small["sat"]).argv
    assert "--restarts=x,128,1.5" in argv and "--deletion=sort,50" in argv and "--no-init-moms" in argv
    assert "--configuration=crafty" in argv and "--seed=3" in argv
    assert not any(a.startswith(("--heuristic", "--rand-freq", "--restart-base")) for a in argv)
    result = execute_run(target, RunRequest(config, "sat", 3, 5.0), small["sat"])
    assert result.status is Status.SUCCESS and result.info["model_checked"] is True


def test_unknown_runner_lists_the_known_ones():
    with pytest.raises(KeyError, match="minisat"):
        get_runner("glucose-9")


def test_sat_parser_is_the_one_used_by_binary_solvers():
    assert isinstance(get_runner("cadical").target().parser, SatCompetitionParser)
    assert isinstance(get_runner("clasp").target().parser, SatCompetitionParser)


@pytest.mark.parametrize("name", sorted(RUNNERS))
def test_targets_pickle_for_remote_workers(name):
    import pickle

    target = pickle.loads(pickle.dumps(get_runner(name).target("/tmp")))
    assert target.runner.name == name and target.cwd == "/tmp"
