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


def run(func, config=None, cutoff=5.0, time_kind="cpu"):
    with LocalExecutor(PythonTarget(func), INSTANCES, n_workers=1, time_kind=time_kind) as ex:
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
def test_failures_are_crashed(func, reason):
    r = run(func)
    assert r.status is Status.CRASHED and reason in r.info["reason"]


def test_hang_is_killed_at_the_cutoff():
    t0 = time.monotonic()
    r = run(hangs, cutoff=0.5, time_kind="wall")
    assert r.status is Status.TIMEOUT and time.monotonic() - t0 < 0.5 + 3


def test_unpicklable_callable_is_refused():
    with pytest.raises(TargetError, match="module-level function"):
        PythonTarget(lambda c, i, s, t: 0.0)
    with pytest.raises(TargetError, match="package.module:function"):
        PythonTarget("no_colon_here")
