"""Records and censoring-aware costs."""

import math

import numpy as np
import pytest

from algoconf.records import (
    Estimate,
    RunRequest,
    RunResult,
    Status,
    config_key,
    mean_cost,
    par_cost,
    quantile_runtime,
    result_cost,
)


def _result(status, runtime, cutoff=10.0, quality=None):
    req = RunRequest({"a": 1}, "i1", 0, cutoff)
    return RunResult(req, status, runtime, quality=quality)


def test_config_key_ignores_order_and_numpy_types():
    a = config_key({"x": 1, "y": 0.5, "c": "on"})
    b = config_key({"c": "on", "y": np.float64(0.5), "x": np.int64(1)})
    assert a == b and len(a) == 16


def test_config_key_distinguishes_types_and_values():
    assert config_key({"x": 1}) != config_key({"x": 2})
    assert config_key({"x": 1}) != config_key({"x": "1"})


def test_config_key_drops_none_values_as_inactive():
    assert config_key({"x": 1, "y": None}) == config_key({"x": 1})


def test_request_rejects_bad_cutoff_and_clamps_bound():
    with pytest.raises(ValueError):
        RunRequest({}, "i", 0, 0.0)
    with pytest.raises(ValueError):
        RunRequest({}, "i", 0, 5.0, bound=-1.0)
    assert RunRequest({}, "i", 0, 5.0, bound=9.0).bound == 5.0
    assert RunRequest({}, "i", 0, 5.0, bound=2.0).limit == 2.0


def test_request_and_result_round_trip_through_dicts():
    req = RunRequest({"b": 2.5, "a": "x"}, "inst.cnf", 7, 3.0, bound=1.5, race="r1")
    res = RunResult(req, Status.CAPPED, 1.5, wallclock=1.6, info={"exit_code": -15})
    again = RunResult.from_dict(res.to_dict())
    assert again == res
    assert again.request.key == req.key == (req.config_key, "inst.cnf", 7)


@pytest.mark.parametrize(
    "status,runtime,expected,exact",
    [
        (Status.SUCCESS, 2.0, 2.0, True),
        (Status.TIMEOUT, 10.0, 100.0, True),
        (Status.CRASHED, 0.1, 100.0, True),
        (Status.MEMOUT, 3.0, 100.0, True),
        (Status.CAPPED, 4.0, 4.0, False),
    ],
)
def test_par10_per_status(status, runtime, expected, exact):
    cost = par_cost(_result(status, runtime), cutoff=10.0)
    assert cost.value == expected and cost.exact is exact


def test_censored_statuses():
    assert Status.TIMEOUT.censored and Status.CAPPED.censored
    assert not Status.SUCCESS.censored and not Status.CRASHED.censored
    assert _result(Status.TIMEOUT, 10.0).bound == 10.0
    assert _result(Status.SUCCESS, 1.0).bound is None


def test_mean_cost_is_lower_bound_once_any_cost_is():
    exact = [par_cost(_result(Status.SUCCESS, t), 10.0) for t in (1.0, 3.0)]
    assert mean_cost(exact) == Estimate(2.0, True, 2, 0)
    mixed = exact + [par_cost(_result(Status.CAPPED, 5.0), 10.0)]
    m = mean_cost(mixed)
    assert m.value == pytest.approx(3.0) and not m.exact and m.n_censored == 1
    assert math.isnan(mean_cost([]).value)


def test_quality_cost_maximise_and_crash():
    r = _result(Status.SUCCESS, 1.0, quality=5.0)
    assert result_cost(r, objective="quality", maximize=True).value == -5.0
    assert result_cost(r, objective="quality").value == 5.0
    bad = _result(Status.CRASHED, 1.0)
    assert result_cost(bad, objective="quality", crash_cost=1e9).value == 1e9
    with pytest.raises(ValueError):
        result_cost(r, objective="runtime")


def test_quantile_exact_only_without_censored_values_below():
    rs = [_result(Status.SUCCESS, t) for t in (1.0, 2.0, 3.0)] + [_result(Status.TIMEOUT, 10.0)]
    med = quantile_runtime(rs, 0.5)
    assert med.value == 2.0 and med.exact
    top = quantile_runtime(rs, 1.0)
    assert top.value == 10.0 and not top.exact
    capped_low = [_result(Status.CAPPED, 0.5)] + rs
    q = quantile_runtime(capped_low, 0.5)
    assert q.value == 2.0 and not q.exact


def test_with_bound_keeps_the_request_and_clips_to_the_cutoff():
    import pytest

    from algoconf.records import RunRequest

    r = RunRequest({"b": 1, "a": 0.5}, "i", 3, 2.0, race="r1")
    capped = r.with_bound(0.7)
    assert capped.bound == 0.7 and r.bound is None
    assert (capped.config, capped.key, capped.race, capped.cutoff) == (r.config, r.key, r.race, r.cutoff)
    assert r.with_bound(5.0).bound == 2.0 and r.with_bound(None).bound is None
    with pytest.raises(ValueError):
        r.with_bound(-1.0)
