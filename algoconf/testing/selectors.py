"""Conformance suite every offline selector must pass.

    from algoconf.testing.selectors import check_selector
    check_selector(lambda: make_selector("sunny", random_state=0), data)   # raises AssertionError

Checks, on the given :class:`~algoconf.selection.data.performance.PerformanceData` (with CV folds):

* ``fit`` returns the selector; ``predict`` gives one schedule per row; every schedule names known
  algorithms with positive budgets that fit in the cutoff; the pre-solving schedule fits too;
  ``used_steps`` are steps of the data, closed under ``requires``;
* plain selectors (``produces_schedules`` False) return one-element schedules;
* determinism: two selectors with the same seed, fitted on the same data, plan identically;
* no peeking: fitting sees only the training folds -- scrambling the performance of the test fold
  in the data handed to the evaluation leaves every plan unchanged;
* robustness: rows with missing (NaN) features are planned; rows whose features failed get the
  one-element backup plan; features of the wrong width raise ``SelectionInputError``;
* ``get_params``/``clone`` give an unfitted selector with the same parameters.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from algoconf.errors import SelectionInputError
from algoconf.selection.offline.base import Selector, schedule_is_valid
from algoconf.selection.data.performance import PerformanceData

__all__ = ["check_selector"]


def _plans_equal(a, b) -> bool:
    return len(a) == len(b) and all(
        len(x) == len(y) and all(p == q and abs(s - t) <= 1e-9 * max(1.0, abs(s)) for (p, s), (q, t) in zip(x, y))
        for x, y in zip(a, b)
    )


def check_selector(make: Callable[[], Selector], data: PerformanceData) -> None:
    """Run every check; raises AssertionError naming the first that fails."""
    folds = np.asarray(data.folds)
    assert folds is not None and (folds > 0).any(), "the data needs CV folds for the conformance suite"
    test_fold = int(sorted(set(folds[folds > 0]))[0])
    train = np.flatnonzero(folds != test_fold)
    test = np.flatnonzero(folds == test_fold)
    train_data = data.subset(train)
    cutoff = float(data.cutoff) if data.is_runtime and data.cutoff is not None else float("inf")

    sel = make()
    name = type(sel).__name__
    assert sel.fit(train_data) is sel, f"{name}.fit must return the selector"
    X = data.features[test]
    plans = sel.predict(X)
    assert isinstance(plans, list) and len(plans) == len(test), f"{name}: one schedule per row"
    for plan in plans:
        assert schedule_is_valid(plan, data.algorithms, cutoff), f"{name}: invalid schedule {plan}"
        if not type(sel).produces_schedules:
            assert len(plan) == 1, f"{name}: a plain selector returns one-element schedules, got {plan}"
    pre = sel.presolve_schedule
    assert not pre or schedule_is_valid(pre, data.algorithms, cutoff), f"{name}: invalid pre-solving schedule {pre}"
    steps = sel.used_steps
    if data.feature_steps and steps:
        assert set(steps) <= set(data.feature_steps), f"{name}: used_steps {steps} are not steps of the data"
        assert set(data.step_closure(steps)) == set(steps), f"{name}: used_steps {steps} not closed under requires"

    # determinism with a seed
    again = make().fit(train_data).predict(X)
    assert _plans_equal(plans, again), f"{name}: two fits with the same seed plan differently"

    # no peeking at the test fold: scramble its performance, plans must not move
    from algoconf.selection.offline.evaluation import simulate

    rng = np.random.default_rng(12345)
    scrambled_rows = rng.permutation(test)
    time = data.time.copy()
    event = data.event.copy()
    time[test], event[test] = data.time[scrambled_rows][:, ::-1], data.event[scrambled_rows][:, ::-1]
    quality = None if data.quality is None else data.quality.copy()
    if quality is not None and data.quality is not None:
        quality[test] = data.quality[scrambled_rows][:, ::-1]
    from dataclasses import replace

    scrambled = replace(data, time=time, event=event, quality=quality)
    fitted_a = make().fit(data.subset(train))
    fitted_b = make().fit(scrambled.subset(train))
    assert _plans_equal(fitted_a.predict(X), fitted_b.predict(X)), f"{name}: plans depend on test-fold performance"
    simulate(fitted_a, data, test)  # the evaluation path runs end to end

    # missing features, failed features, wrong width
    holes = X.copy()
    if holes.size:
        holes[:, ::2] = np.nan
    for plan in sel.predict(holes):
        assert schedule_is_valid(plan, data.algorithms, cutoff), f"{name}: invalid schedule with missing features"
    failed = sel.predict(X, np.zeros(len(test), dtype=bool))
    assert all(len(p) == 1 for p in failed) and len({p[0][0] for p in failed}) <= 1, f"{name}: failed features must give the backup plan"
    try:
        sel.predict(np.zeros((1, X.shape[1] + 1)))
    except SelectionInputError:
        pass
    else:
        raise AssertionError(f"{name}: features of the wrong width must raise SelectionInputError")

    # parameters
    twin = sel.clone()
    assert twin.get_params() == sel.get_params(), f"{name}: clone must keep the parameters"
    assert not getattr(twin, "fitted_", False), f"{name}: clone must be unfitted"
