"""PythonTarget: the callable runs in a child process; hangs and crashes cannot hurt the caller."""

from __future__ import annotations

import os
import time

import pytest

from algoconf.errors import TargetError
from algoconf.execution import LocalExecutor
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.targets import PythonTarget

INSTANCES = {"a": Instance("a", None, meta={"scale": 2.0})}


def quadratic(config, instance, seed, cutoff):
    print("chatter that must not be taken for the result")
    return (config["x"] - 1.0) ** 2 * instance.meta["scale"] + seed * 0.0


def with_dict(config, instance, seed, cutoff):
    return {"cost": 3.0, "runtime": 0.125, "note": "hi"}


def claims_timeout(config, instance, seed, cutoff):
    return {"status": "TIMEOUT", "runtime": cutoff}


def raises(config, instance, seed, cutoff):
    raise ValueError("bad configuration for this model")


def returns_nan(config, instance, seed, cutoff):
    return float("nan")


def returns_text(config, instance, seed, cutoff):
    return "fast"


def hangs(config, instance, seed, cutoff):
    time.sleep(600)


def exits_hard(config, instance, seed, cutoff):
    os._exit(7)


def segfaults(config, instance, seed, cutoff):
    import ctypes

    ctypes.string_at(0)


def whoami(config, instance, seed, cutoff):
    global CALLS
    CALLS = globals().get("CALLS", 0) + 1
    if config.get("die_on") == seed:
        os._exit(1)
    if config.get("hang_on") == seed:
        time.sleep(600)
    if config.get("alloc_on") == seed:
        bytearray(900 * 2**20)
    return {"cost": 0.0, "pid": os.getpid(), "calls": CALLS}


def run(func, config=None, cutoff=5.0, time_kind="cpu", reuse=True):
    with LocalExecutor(PythonTarget(func, reuse=reuse), INSTANCES, n_workers=1, time_kind=time_kind) as ex:
        return ex.submit(RunRequest(config or {"x": 3.0}, "a", 1, cutoff)).result(timeout=60)


def test_value_is_the_quality():
    r = run(quadratic)
    assert r.status is Status.SUCCESS and r.quality == 8.0 and r.runtime > 0


def test_module_function_string_and_dict_result():
    r = run(f"{__name__}:with_dict")
    assert r.status is Status.SUCCESS and r.quality == 3.0 and r.runtime == 0.125
    assert r.info["extra"] == {"note": "hi"}
    t = run(claims_timeout, cutoff=2.0)
    assert t.status is Status.TIMEOUT and t.runtime == 2.0


@pytest.mark.parametrize("func, reason", [
    (raises, "ValueError: bad configuration"),
    (returns_nan, "not a finite number"),
    (returns_text, "not a number"),
    (exits_hard, "died without a result (exit code 7)"),
    (segfaults, "signal 11"),
])
@pytest.mark.parametrize("reuse", [True, False])
def test_failures_are_crashed(func, reason, reuse):
    r = run(func, reuse=reuse)
    assert r.status is Status.CRASHED and reason in r.info["reason"]


@pytest.mark.parametrize("reuse", [True, False])
def test_hang_is_killed_at_the_cutoff(reuse):
    r = run(hangs, cutoff=0.5, time_kind="wall", reuse=reuse)
    assert r.status is Status.TIMEOUT and r.wallclock < 0.5 + 1.0


@pytest.mark.slow
def test_reused_child_survives_between_runs_and_is_replaced_after_failures():
    config = {"die_on": 2, "hang_on": 4, "alloc_on": 6}
    target = PythonTarget(whoami)
    with LocalExecutor(target, INSTANCES, n_workers=1, time_kind="wall", memory_limit_mb=600) as ex:
        results = [ex.submit(RunRequest(config, "a", seed, 1.0)).result(timeout=60) for seed in range(8)]
    statuses = [r.status for r in results]
    assert statuses == [Status.SUCCESS, Status.SUCCESS, Status.CRASHED, Status.SUCCESS, Status.TIMEOUT,
                        Status.SUCCESS, Status.MEMOUT, Status.SUCCESS], [r.info for r in results]
    pids = [r.info["extra"]["pid"] if r.status is Status.SUCCESS else None for r in results]
    calls = [r.info["extra"]["calls"] if r.status is Status.SUCCESS else None for r in results]
    assert pids[0] == pids[1] and calls[:2] == [1, 2]  # one child, module state kept
    assert len({pids[1], pids[3], pids[5], pids[7]}) == 4  # a fresh child after each failure
    assert calls[3] == 1 and calls[5] == 1 and calls[7] == 1
    assert all(r.runtime < 0.5 for r in results if r.status is Status.SUCCESS)  # start-up is not a run's time


def test_fresh_child_per_run_without_reuse():
    target = PythonTarget(whoami, reuse=False)
    with LocalExecutor(target, INSTANCES, n_workers=1) as ex:
        results = [ex.submit(RunRequest({}, "a", seed, 5.0)).result(timeout=60) for seed in range(2)]
    assert results[0].info["extra"]["pid"] != results[1].info["extra"]["pid"]
    assert [r.info["extra"]["calls"] for r in results] == [1, 1]


def test_unpicklable_callable_is_refused():
    with pytest.raises(TargetError, match="module-level function"):
        PythonTarget(lambda c, i, s, t: 0.0)
    with pytest.raises(TargetError, match="package.module:function"):
        PythonTarget("no_colon_here")


def test_stopping_a_reused_child_gives_capped_and_a_fresh_child_next():
    target = PythonTarget(whoami)
    with LocalExecutor(target, INSTANCES, n_workers=1, time_kind="wall") as ex:
        first = ex.submit(RunRequest({}, "a", 1, 10.0)).result(timeout=60)
        hung = ex.submit(RunRequest({"hang_on": 2}, "a", 2, 10.0))
        time.sleep(0.5)
        ex.stop(hung)
        stopped = hung.result(timeout=30)
        after = ex.submit(RunRequest({}, "a", 3, 10.0)).result(timeout=60)
    assert stopped.status is Status.CAPPED and stopped.runtime < 10.0 and stopped.info["killed_by"] == "stop"
    assert after.status is Status.SUCCESS and after.info["extra"]["pid"] != first.info["extra"]["pid"]
