"""The online-selection policies by name: the registry the CLI and the benchmark use.

``make_online_selector(name, algorithms, n_features, cutoff, seed, **params)`` builds one,
``online_policies()`` lists the names with a line each, :data:`RECOMMENDED_POLICY` is the default of
``algoconf select online``; ``register_online_policy(name, doc)`` adds a factory under a new name.

Registered here: the paper methods (Tornede, Bengs, Hüllermeier, AAAI 2022) with their default
hyperparameters (Thompson sigma=1, lambda=0.5; LinUCB alpha=1, lambda=0.5, rand sigma 0.25),
Degroote's epsilon-greedy regression, a feature-free bandit, and algoconf's own methods (``tobit_*``,
``hurdle_*``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from algoconf.errors import InputError
from algoconf.selection.online.bandits import LinearBanditSelector
from algoconf.selection.online.contract import OnlineSelector
from algoconf.selection.online.greedy import (
    DegrooteEpsilonGreedy,
    FeatureFreeEpsilonGreedy,
)
from algoconf.selection.online.hurdle import HurdleSelector
from algoconf.selection.online.switch import LeaderOrModelSelector
from algoconf.selection.online.tobit import SharedTobitSelector

__all__ = ["RECOMMENDED_POLICY", "make_online_selector", "online_policies", "register_online_policy"]

_POLICIES: dict[str, Callable[..., OnlineSelector]] = {}
_POLICY_DOCS: dict[str, str] = {}

#: The policy ``algoconf select online`` uses without ``--policy`` (chosen on the benchmark).
RECOMMENDED_POLICY = "hurdle_shared_ts"


def register_online_policy(
    name: str, doc: str
) -> Callable[[Callable[..., OnlineSelector]], Callable[..., OnlineSelector]]:
    """Decorator: make a factory ``f(algorithms, n_features, cutoff, seed) -> OnlineSelector`` known by name."""

    def wrap(factory: Callable[..., OnlineSelector]) -> Callable[..., OnlineSelector]:
        if name in _POLICIES:
            raise ValueError(f"online policy {name!r} registered twice")
        _POLICIES[name] = factory
        _POLICY_DOCS[name] = doc
        return factory

    return wrap


def online_policies() -> dict[str, str]:
    """Registered policy names with a one-line description each."""
    return dict(_POLICY_DOCS)


def make_online_selector(
    name: str,
    algorithms: Sequence[str],
    n_features: int,
    cutoff: float,
    seed: int | None = 0,
    **params: Any,
) -> OnlineSelector:
    """Build the registered policy ``name``; unknown names raise :class:`InputError` listing the known ones."""
    if name not in _POLICIES:
        raise InputError(f"unknown online policy {name!r}; expected one of: {', '.join(sorted(_POLICIES))}")
    return _POLICIES[name](algorithms, n_features, cutoff, seed, **params)


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
