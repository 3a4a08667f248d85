"""Shared fixtures: small real-looking spaces (conditions, forbiddens, log scales) and problems."""

from __future__ import annotations

import pytest
from ConfigSpace import (
    Categorical,
    ConfigurationSpace,
    EqualsCondition,
    Float,
    ForbiddenAndConjunction,
    ForbiddenEqualsClause,
    Integer,
)

from algoconf.tuners.base import TuningProblem


def solver_like_space() -> ConfigurationSpace:
    """A minisat-like space with a condition, a forbidden combination and log scales."""
    space = ConfigurationSpace(seed=0)
    restarts = Categorical("restarts", ["luby", "geometric", "none"], default="luby")
    rinc = Float("rinc", (1.05, 4.0), default=2.0, log=True)
    decay = Float("var-decay", (0.75, 0.99), default=0.95)
    rfirst = Integer("rfirst", (10, 1000), default=100, log=True)
    phase = Integer("phase-saving", (0, 2), default=2)
    pre = Categorical("pre", [True, False], default=True)
    elim = Categorical("elim", [True, False], default=True)
    space.add([restarts, rinc, decay, rfirst, phase, pre, elim])
    space.add([EqualsCondition(elim, pre, True), EqualsCondition(rinc, restarts, "geometric")])
    space.add(ForbiddenAndConjunction(ForbiddenEqualsClause(restarts, "none"), ForbiddenEqualsClause(phase, 0)))
    return space


@pytest.fixture
def problem() -> TuningProblem:
    return TuningProblem(space=solver_like_space(), instances=tuple(f"inst{i:02d}" for i in range(24)),
                         cutoff=3.0, max_runs=60)
