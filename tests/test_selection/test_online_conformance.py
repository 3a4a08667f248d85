"""The online-selector conformance suite, run on every registered policy."""

from __future__ import annotations

import pytest

from algoconf.selection.online.policies import online_policies
from algoconf.testing.online_selectors import ONLINE_CHECKS

# Known, reproduced weakness of a paper method (kept to show it, not to hide it): BClinUCB's width
# is multiplied by sqrt(#timeouts of the arm), so the more an arm times out the more optimistic the
# bound gets, and it keeps choosing an algorithm that always times out.
KNOWN_FAILURES = {("bclinucb", "learns_from_censoring")}


def _cases():
    for policy in online_policies():
        for check in ONLINE_CHECKS:
            marks = [pytest.mark.xfail(strict=True, reason="BClinUCB optimism grows with timeouts")] if (policy, check) in KNOWN_FAILURES else []
            yield pytest.param(policy, check, marks=marks, id=f"{policy}-{check}")


@pytest.mark.parametrize("policy,check", list(_cases()))
def test_online_selector_conformance(policy, check):
    ONLINE_CHECKS[check](policy)
