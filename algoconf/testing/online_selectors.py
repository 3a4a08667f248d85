"""Conformance suite every registered online selector must pass.

``check_online_selector(name)`` runs all checks on the policy registered as ``name``; each check is
also a function of its own, so a test can parametrise over policies and checks. The checks:

* :func:`check_contract` -- ``select`` returns one of the algorithms, for full, partly missing,
  all-missing and ``None`` features; ``update`` accepts an :class:`OnlineObservation` and a
  :class:`RunResult` (SUCCESS, TIMEOUT, CRASHED); bad input raises (unknown algorithm, wrong length).
* :func:`check_determinism` -- two selectors with the same seed make the same choices on the same
  stream; the learner state changes only in ``update`` (``select`` twice on one state is repeatable
  up to the selector's own random draws, so it is checked on a fresh copy of the seed).
* :func:`check_constant_cost` -- the bytes held in arrays do not grow with the number of updates,
  and the time of a step late in a stream is not much above the time of an early step.
* :func:`check_learns_from_censoring` -- on a stream where one algorithm always times out and
  another always solves fast, the selector ends up choosing the fast one (skipped for selectors
  whose ``learns_from_censored`` is False: the "drop censored" treatments, which by design cannot).
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from algoconf.records import RunRequest, RunResult, Status
from algoconf.selection.online.contract import OnlineObservation, OnlineSelector
from algoconf.selection.online.policies import make_online_selector, online_policies

__all__ = [
    "check_online_selector",
    "check_contract",
    "check_determinism",
    "check_constant_cost",
    "check_learns_from_censoring",
    "ONLINE_CHECKS",
]

ALGORITHMS = ("alpha", "beta", "gamma")
CUTOFF = 100.0


def _synthetic_runtime(x: np.ndarray, arm: int) -> float:
    # arm 0 good when x0 > 0, arm 1 good when x0 < 0, arm 2 mediocre everywhere
    base = [1.0 + 2.5 * x[0], 1.0 - 2.5 * x[0], 2.5][arm]
    return float(np.exp(base + 0.3 * x[1]))


def _stream(n: int, d: int = 4, seed: int = 0, missing: float = 0.1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    x[rng.random((n, d)) < missing] = np.nan
    return x


def _observe(x: np.ndarray, arm: int) -> OnlineObservation:
    t = _synthetic_runtime(np.nan_to_num(x), arm)
    if t >= CUTOFF:
        return OnlineObservation(CUTOFF, True, CUTOFF)
    return OnlineObservation(t, False, CUTOFF)


def _run(selector: OnlineSelector, xs: np.ndarray) -> list[str]:
    chosen = []
    for x in xs:
        a = selector.select(x)
        selector.update(x, a, _observe(x, ALGORITHMS.index(a)))
        chosen.append(a)
    return chosen


def _make(name: str, seed: int = 0, d: int = 4) -> OnlineSelector:
    return make_online_selector(name, ALGORITHMS, d, CUTOFF, seed=seed)


def check_contract(name: str) -> None:
    sel = _make(name)
    d = sel.n_features
    for x in (np.zeros(d), np.array([np.nan] + [1.0] * (d - 1)), np.full(d, np.nan), None):
        a = sel.select(x)
        assert a in ALGORITHMS, f"{name}: select returned {a!r}"
        sel.update(x, a, OnlineObservation(5.0, False, CUTOFF))
    req = RunRequest({"algorithm": "alpha"}, "inst-1", 0, CUTOFF)
    for status, runtime in ((Status.SUCCESS, 3.0), (Status.TIMEOUT, CUTOFF), (Status.CRASHED, 0.5)):
        sel.update(np.ones(d), "alpha", RunResult(req, status, runtime))
    assert sel.n_updates == 7, f"{name}: expected 7 updates, counted {sel.n_updates}"
    for bad in (lambda: sel.update(np.ones(d), "nope", OnlineObservation(1.0, False, CUTOFF)),
                lambda: sel.select(np.ones(d + 1))):
        try:
            bad()
        except (KeyError, ValueError):
            pass
        else:
            raise AssertionError(f"{name}: bad input was accepted")


def check_determinism(name: str) -> None:
    xs = _stream(120, seed=1)
    first = _run(_make(name, seed=7), xs)
    second = _run(_make(name, seed=7), xs)
    assert first == second, f"{name}: same seed, different choices"


def _step_times(selector: OnlineSelector, xs: np.ndarray) -> np.ndarray:
    times = []
    for x in xs:
        t0 = time.perf_counter()
        a = selector.select(x)
        selector.update(x, a, _observe(x, ALGORITHMS.index(a)))
        times.append(time.perf_counter() - t0)
    return np.array(times)


def check_constant_cost(name: str, early: int = 60, late: int = 600) -> None:
    xs = _stream(late + 40, d=12, seed=2)
    sel = _make(name, d=12)
    _run(sel, xs[:early])
    size_early = sel.state_nbytes()
    t_early = _step_times(sel, xs[early : early + 40])
    _run(sel, xs[early + 40 : late])
    size_late = sel.state_nbytes()
    t_late = _step_times(sel, xs[late : late + 40])
    assert size_late == size_early, f"{name}: state grew from {size_early} to {size_late} bytes"
    # the fastest of 40 steps is robust to other processes on a shared machine; a learner refitting
    # on all data would be ~10x slower here
    fast_early, fast_late = float(np.min(t_early)), float(np.min(t_late))
    assert fast_late < 3.0 * fast_early + 2e-4, f"{name}: a late step takes {fast_late:.2e}s, an early one {fast_early:.2e}s"


def check_learns_from_censoring(name: str) -> None:
    sel = _make(name)
    if not getattr(sel, "learns_from_censored", True):
        return
    # beta always times out, alpha solves in about a second, gamma in about 10 s
    rng = np.random.default_rng(3)
    picks = []
    for _ in range(200):
        x = rng.uniform(0.5, 1.5, size=sel.n_features)  # positive, like most instance features
        a = sel.select(x)
        if a == "beta":
            obs = OnlineObservation(CUTOFF, True, CUTOFF)
        else:
            obs = OnlineObservation(float(np.exp(rng.normal(0.0 if a == "alpha" else 2.3, 0.3))), False, CUTOFF)
        sel.update(x, a, obs)
        picks.append(a)
    late = picks[-60:]
    timeouts = late.count("beta")
    assert timeouts <= 6, f"{name}: still chose the always-timing-out algorithm {timeouts}/60 times late"
    assert late.count("alpha") >= 40, f"{name}: chose the fast algorithm only {late.count('alpha')}/60 times late"


ONLINE_CHECKS: dict[str, Callable[[str], None]] = {
    "contract": check_contract,
    "determinism": check_determinism,
    "constant_cost": check_constant_cost,
    "learns_from_censoring": check_learns_from_censoring,
}


def check_online_selector(name: str) -> None:
    """Run every check on the registered policy ``name`` (raises AssertionError on a failure)."""
    if name not in online_policies():
        raise KeyError(f"no online policy {name!r}")
    for check in ONLINE_CHECKS.values():
        check(name)
