"""Statistics of censored runtimes that scenarios, tuners and analyses share: the Kaplan–Meier
estimator and utility-based scores (a run stopped at the captime has a known utility).

It sits below ``scenario`` and ``tuners`` (a scenario's ``utility`` is checked and turned into the
tuners' cost here) and below ``analysis``, which re-exports these names as part of its API.
"""

from algoconf.censored.kaplan_meier import ECDF, kaplan_meier, samples_from_results
from algoconf.censored.utility import (
    ConstantValue,
    ExponentialDecay,
    FixedCaptime,
    LinearDecay,
    TruncatedExponentialCaptime,
    UniformCaptime,
    Utility,
    UtilityScore,
    expected_utility,
    par_k_utility,
    ranking,
    run_utility_cost,
    utility_from_spec,
)

__all__ = [
    "ECDF",
    "kaplan_meier",
    "samples_from_results",
    "ConstantValue",
    "LinearDecay",
    "ExponentialDecay",
    "FixedCaptime",
    "UniformCaptime",
    "TruncatedExponentialCaptime",
    "Utility",
    "UtilityScore",
    "expected_utility",
    "par_k_utility",
    "ranking",
    "run_utility_cost",
    "utility_from_spec",
]
