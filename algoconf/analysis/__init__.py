"""Analysis of runs: runtime distributions (censoring-aware), parallel speed-up prediction,
utility-based scores."""

from algoconf.censored.kaplan_meier import ECDF, kaplan_meier, samples_from_results
from algoconf.analysis.rtd import FAMILIES, FittedRTD, RTDChoice, fit_best_rtd, fit_rtd
from algoconf.analysis.speedup import (
    SpeedupPrediction,
    predict_portfolio_runtime,
    predict_speedup,
    simulate_parallel,
)
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
)

__all__ = [
    "ECDF",
    "kaplan_meier",
    "samples_from_results",
    "FAMILIES",
    "FittedRTD",
    "RTDChoice",
    "fit_rtd",
    "fit_best_rtd",
    "SpeedupPrediction",
    "predict_speedup",
    "predict_portfolio_runtime",
    "simulate_parallel",
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
]
