"""Output parsers on given outputs (the strategy objects alone; real processes are in test_target_crashes)."""

from __future__ import annotations

import pytest

from algoconf.execution.limits import ProcessOutcome
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.targets import AClibParser, IraceParser, SatCompetitionParser

REQ = RunRequest({}, "a", 1, 10.0)


def outcome(stdout="", exit_code=0, **kw):
    return ProcessOutcome(exit_code=exit_code, signal=None, cpu_time=0.5, wallclock=0.6, stdout=stdout,
                          stderr_tail="", **kw)


@pytest.mark.parametrize(
    "line, status, runtime, quality",
    [
        ("Result of this algorithm run: SAT, 1.2, 0, 0, 42", Status.SUCCESS, 1.2, 0.0),
        ("Result for SMAC: UNSAT, 3, 0, 0, 42", Status.SUCCESS, 3.0, 0.0),
        ("Result for ParamILS: SUCCESS, 0.5, -1, 17.5, 1, extra,info", Status.SUCCESS, 0.5, 17.5),
        ("Result of this algorithm run: TIMEOUT, 10.0, 0, 0, 42", Status.TIMEOUT, 10.0, 0.0),
        ("Result of this algorithm run: CRASHED, 0.1, 0, 0, 42", Status.CRASHED, 0.1, 0.0),
        ("Result of this algorithm run: ABORT, 0, 0, 0, 42", Status.ABORTED, 0.0, 0.0),
        ("Result of this algorithm run: MEMOUT, 2, 0, 0, 42", Status.MEMOUT, 2.0, 0.0),
        ('Result of this algorithm run: {"status": "SUCCESS", "cost": 4.5, "runtime": 1.5}', Status.SUCCESS, 1.5, 4.5),
        ('Result of this algorithm run: {"status": "TIMEOUT", "cost": 100}', Status.TIMEOUT, None, 100.0),
    ],
)
def test_aclib_lines(line, status, runtime, quality):
    answer = AClibParser().parse(outcome(f"noise\n{line}\nmore noise\n"), REQ, Instance("a", None))
    assert (answer.status, answer.runtime, answer.quality) == (status, runtime, quality)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("nothing here", "no 'Result of this algorithm run:' line"),
        ("Result of this algorithm run: SAT, fast, 0, 0, 1", "runtime 'fast' is not a number"),
        ("Result of this algorithm run: SAT, nan, 0, 0, 1", "runtime is NaN"),
        ("Result of this algorithm run: WON, 1, 0, 0, 1", "unknown status"),
        ("Result of this algorithm run: SAT, 1", "expected 'STATUS, runtime"),
        ("Result of this algorithm run: {status: 1}", "invalid JSON"),
    ],
)
def test_aclib_garbage_is_crashed_with_reason(text, reason):
    answer = AClibParser().parse(outcome(text), REQ, Instance("a", None))
    assert answer.status is Status.CRASHED and reason in answer.info["reason"]


def test_aclib_wrong_answer_against_known_answer():
    inst = Instance("a", None, meta={"answer": "UNSAT"})
    answer = AClibParser().parse(outcome("Result of this algorithm run: SAT, 1, 0, 0, 1"), REQ, inst)
    assert answer.status is Status.CRASHED and "wrong answer" in answer.info["reason"]


@pytest.mark.parametrize(
    "text, exit_code, status, quality, runtime",
    [
        ("log\n12.5\n", 0, Status.SUCCESS, 12.5, None),
        ("12.5 3.25", 0, Status.SUCCESS, 12.5, 3.25),
        ("", 0, Status.CRASHED, None, None),
        ("nan", 0, Status.CRASHED, None, None),
        ("cost: 12", 0, Status.CRASHED, None, None),
        ("1 2 3", 0, Status.CRASHED, None, None),
        ("12.5", 1, Status.CRASHED, None, None),
    ],
)
def test_irace(text, exit_code, status, quality, runtime):
    answer = IraceParser().parse(outcome(text, exit_code), REQ, Instance("a", None))
    assert (answer.status, answer.quality, answer.runtime) == (status, quality, runtime)


@pytest.fixture
def tiny_cnf(tmp_path):
    path = tmp_path / "t.cnf"
    path.write_text("p cnf 3 2\n1 2 0\n-1 3 0\n")
    return Instance("t", path)


@pytest.mark.parametrize(
    "text, code, status, reason",
    [
        ("c hi\ns SATISFIABLE\nv 1 -2 3 0\n", 10, Status.SUCCESS, None),
        ("s UNSATISFIABLE\n", 20, Status.SUCCESS, None),
        ("WARNING: for repeatability\nSATISFIABLE\n", 10, Status.SUCCESS, None),  # minisat
        ("", 10, Status.SUCCESS, None),  # exit code alone
        ("s SATISFIABLE\nv 1 -2 -3 0\n", 10, Status.CRASHED, "wrong model"),
        ("s SATISFIABLE\n", 20, Status.CRASHED, "exit code 20 says UNSAT"),
        ("s UNKNOWN\n", 0, Status.TIMEOUT, "gave up"),
        ("INDETERMINATE\n", 0, Status.TIMEOUT, "gave up"),
        ("hello\n", 0, Status.CRASHED, "no answer"),
        ("s SATISFIABLE\nv 1 x 0\n", 10, Status.CRASHED, "unreadable model"),
        ("s SATISFIABLE\n", 139, Status.CRASHED, "unexpected exit code"),
    ],
)
def test_sat_competition(tiny_cnf, text, code, status, reason):
    answer = SatCompetitionParser().parse(outcome(text, code), REQ, tiny_cnf)
    assert answer.status is status, answer.info
    if reason:
        assert reason in answer.info["reason"]


def test_sat_known_answer_contradiction(tiny_cnf):
    inst = Instance("t", tiny_cnf.path, meta={"answer": "SAT"})
    answer = SatCompetitionParser().parse(outcome("s UNSATISFIABLE\n", 20), REQ, inst)
    assert answer.status is Status.CRASHED and "known to be SAT" in answer.info["reason"]


def test_sat_truncated_output_skips_model_check(tiny_cnf):
    answer = SatCompetitionParser().parse(outcome("s SATISFIABLE\nv 1 -2 -3 0\n", 10, stdout_truncated=True),
                                          REQ, tiny_cnf)
    assert answer.status is Status.SUCCESS and answer.info["model_checked"] is False


def test_over_limit_success_is_judged_on_the_limits_clock():
    from algoconf.targets import CommandTarget

    target = CommandTarget("solver {instance}", "-name=value", "sat")
    inst = Instance("a", None)
    busy_threads = ProcessOutcome(exit_code=10, signal=None, cpu_time=15.0, wallclock=6.0, stdout="s SATISFIABLE\n",
                                  stderr_tail="", time_kind="wall")
    assert target.interpret(REQ, inst, busy_threads).status is Status.SUCCESS  # 6 s wall < 10 s
    on_cpu = ProcessOutcome(exit_code=10, signal=None, cpu_time=15.0, wallclock=6.0, stdout="s SATISFIABLE\n",
                            stderr_tail="", time_kind="cpu")
    result = target.interpret(REQ, inst, on_cpu)
    assert result.status is Status.TIMEOUT and "after the limit" in result.info["reason"]
