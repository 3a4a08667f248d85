"""CP-SAT on job shop: optimal schedules are checked, invalid ones are CRASHED, limits are TIMEOUT."""

from __future__ import annotations

from algoconf.execution.base import execute_run
from algoconf.execution.limits import ProcessOutcome
from algoconf.instances.generators import read_jobshop
from algoconf.records import RunRequest, Status
from algoconf.runners import RUNNERS, get_runner
from algoconf.runners.cpsat import JobShopParser, schedule_violation
from algoconf.runners.cpsat_jobshop import main as cpsat_main

from .conftest import needs

pytestmark = needs(RUNNERS["cpsat-jobshop"])


def test_default_run_finds_a_checked_optimum(small):
    inst = small["jsp"]
    request = RunRequest({"linearization_level": 0}, inst.name, 1, 20.0)
    result = execute_run(get_runner("cpsat-jobshop").target(), request, inst)
    assert result.status is Status.SUCCESS, result.info
    shop = read_jobshop(inst.path)
    assert shop.lower_bound <= result.quality <= shop.horizon
    # the runtime is the whole process tree's CPU (one clock for finished and killed runs);
    # the search's own share is kept beside it
    assert result.runtime == result.info["cpu_time"]
    assert 0 < result.info["solve_cpu"] < result.runtime


def test_no_optimality_proof_within_its_limit_is_timeout(small):
    inst = small["jsp"]
    target = get_runner("cpsat-jobshop").target()
    stdout = _solve_output(inst, ["--deterministic-time=0.000001", "--cp_model_presolve=false"])
    answer = target.answer(RunRequest({}, inst.name, 1, 5.0), inst, _outcome(stdout))
    assert answer.status is Status.TIMEOUT


def _solve_output(inst, extra, capsys=None):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cpsat_main([str(inst.path), "--seed=1", *extra]) == 0
    return buf.getvalue()


def _outcome(stdout, code=0):
    return ProcessOutcome(exit_code=code, signal=None, cpu_time=0.5, wallclock=0.5, stdout=stdout, stderr_tail="")


def test_an_invalid_schedule_is_crashed(small):
    inst = small["jsp"]
    stdout = _solve_output(inst, [])
    request = RunRequest({}, inst.name, 1, 5.0)
    assert JobShopParser().parse(_outcome(stdout), request, inst).status is Status.SUCCESS
    lines = stdout.splitlines()
    v_lines = [i for i, l in enumerate(lines) if l.startswith("v ")]
    j, k, s = lines[v_lines[1]].split()[1:]
    lines[v_lines[1]] = f"v {j} {k} 0"  # second operation of job 0 moved before the first one ends
    broken = JobShopParser().parse(_outcome("\n".join(lines)), request, inst)
    assert broken.status is Status.CRASHED and "invalid schedule" in broken.info["reason"]
    lied = "\n".join(l if not l.startswith("o ") else "o 1" for l in stdout.splitlines())
    assert JobShopParser().parse(_outcome(lied), request, inst).status is Status.CRASHED


def test_schedule_checker_catches_machine_overlap():
    from algoconf.instances.generators.jobshop import JobShop

    shop = JobShop(2, (((0, 3), (1, 2)), ((0, 2), (1, 4))))
    good = {(0, 0): 0, (0, 1): 3, (1, 0): 3, (1, 1): 5}
    assert schedule_violation(shop, good, 9) is None
    overlap = {(0, 0): 0, (0, 1): 3, (1, 0): 1, (1, 1): 5}
    assert "overlap" in schedule_violation(shop, overlap, 9)
    assert "ends at" in schedule_violation(shop, good, 10)


def test_bad_parameter_exits_2_before_solving(small, capsys):
    assert cpsat_main([str(small["jsp"].path), "--no_such_parameter=3"]) == 2
    assert cpsat_main([str(small["jsp"].path), "--num_workers=4"]) == 2
    assert "fixed to 1" in capsys.readouterr().err
