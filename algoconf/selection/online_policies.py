"""The registered online-selection policies (names used by the CLI and the benchmark).

Paper methods (Tornede, Bengs, Hüllermeier, AAAI 2022) with their default hyperparameters
(Thompson sigma=1, lambda=0.5; LinUCB alpha=1, lambda=0.5, rand sigma 0.25), Degroote's epsilon-greedy
regression, a feature-free bandit, and algoconf's own methods (``tobit_*``).
"""

from __future__ import annotations

from functools import partial

from algoconf.selection.online import register_online_policy
from algoconf.selection.online_bandits import LinearBanditSelector
from algoconf.selection.online_greedy import DegrooteEpsilonGreedy, FeatureFreeEpsilonGreedy
from algoconf.selection.online_hurdle import HurdleSelector
from algoconf.selection.online_switch import LeaderOrModelSelector
from algoconf.selection.online_tobit import SharedTobitSelector


def _register(name: str, doc: str, cls, **params) -> None:
    register_online_policy(name, doc)(partial(_build, cls, params))


def _build(cls, defaults, algorithms, n_features, cutoff, seed=0, **params):
    return cls(algorithms, n_features, cutoff, seed, **{**defaults, **params})


_TS = dict(rule="thompson", lam=0.5, sigma=1.0)
_UCB = dict(rule="ucb", lam=0.5, alpha=1.0)

# --- Tornede et al. 2022 ---------------------------------------------------------------------------
_register("thompson", "Thompson sampling, censored runs imputed at the cutoff", LinearBanditSelector, censoring="cutoff", **_TS)
_register("thompson_rev", "Thompson sampling, cutoff imputation, expected-PAR10 choice", LinearBanditSelector, censoring="cutoff", rev=True, **_TS)
_register("thompson_drop", "Thompson sampling, censored runs dropped", LinearBanditSelector, censoring="drop", **_TS)
_register("bj_thompson", "Thompson sampling, Buckley-James resampling beyond the cutoff", LinearBanditSelector, censoring="bj", **_TS)
_register("bj_thompson_rev", "BJ Thompson sampling, expected-PAR10 choice", LinearBanditSelector, censoring="bj", rev=True, **_TS)
_register("blind_ucb", "LinUCB, censored runs dropped", LinearBanditSelector, censoring="drop", **_UCB)
_register("bclinucb", "bias-corrected LinUCB: cutoff imputation, width inflated by timeouts", LinearBanditSelector, censoring="cutoff", bias_corrected=True, **_UCB)
_register("bclinucb_rev", "bias-corrected LinUCB, expected-PAR10 choice", LinearBanditSelector, censoring="cutoff", bias_corrected=True, rev=True, **_UCB)
_register("rand_bclinucb_rev", "randomised bias-corrected LinUCB, expected-PAR10 choice", LinearBanditSelector, censoring="cutoff", bias_corrected=True, rev=True, rand_sigma=0.25, **_UCB)
_register("degroote", "Degroote et al.: epsilon-greedy (0.05) per-algorithm least squares on clipped runtime", DegrooteEpsilonGreedy, epsilon=0.05)
_register("feature_free", "feature-free epsilon-greedy (0.05) on mean PAR10", FeatureFreeEpsilonGreedy, epsilon=0.05)

# --- algoconf ------------------------------------------------------------------------------------
_register("tobit_thompson_rev", "per-algorithm Tobit (censored-likelihood) updates, Thompson, expected-PAR10 (paper features)", LinearBanditSelector, censoring="tobit", rev=True, **_TS)
_register("tobit_ts", "Tobit updates, learned noise, standardised features, Thompson + expected PAR10, no sharing", SharedTobitSelector, shared=False)
_register("tobit_shared_ts", "Tobit updates shared across algorithms (pooled + offset), learned noise, Thompson + expected PAR10", SharedTobitSelector, shared=True)
_register("tobit_shared_greedy", "as tobit_shared_ts but greedy on the posterior-predictive expected PAR10", SharedTobitSelector, shared=True, rule="greedy")
_register("hurdle_shared_ts", "shared probit solve model + shared log-runtime model, tempered Thompson (0.3) + expected PAR10", HurdleSelector)
_register("hurdle_shared_ts1", "as hurdle_shared_ts with plain Thompson sampling (explore 1)", HurdleSelector, explore=1.0)
_register("leader_or_hurdle", "follow-the-leader on observed PAR10 or hurdle_shared_ts, whichever cost less where they disagreed (Thompson over the two)", LeaderOrModelSelector)
