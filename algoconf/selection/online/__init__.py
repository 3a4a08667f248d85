"""Online algorithm selection under censored feedback: learn while instances arrive.

``contract`` (``OnlineSelector``, ``OnlineObservation``; checked by
:mod:`algoconf.testing.online_selectors`), ``features`` (streaming feature scaling), the models and
policies (``linear``: Gaussian linear model; ``bandits``: the paper's Thompson/LinUCB; ``greedy``;
``tobit``; ``hurdle``; ``switch``; ``scores``: expected PAR-k), ``policies`` (the registry:
``make_online_selector``, ``online_policies``, ``RECOMMENDED_POLICY``), ``evaluation`` (replay of an
ASlib scenario as a stream, the protocols, rePAR10) and ``live`` (real solvers, resumable).
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module defining it; loaded on first use, so importing one module of this
#: package does not load scipy or the execution machinery before they are used
_EXPORTS: dict[str, str] = {
    "OnlineObservation": "algoconf.selection.online.contract",
    "OnlineSelector": "algoconf.selection.online.contract",
    "as_observation": "algoconf.selection.online.contract",
    "RECOMMENDED_POLICY": "algoconf.selection.online.policies",
    "make_online_selector": "algoconf.selection.online.policies",
    "online_policies": "algoconf.selection.online.policies",
    "register_online_policy": "algoconf.selection.online.policies",
    "StreamingFeatures": "algoconf.selection.online.features",
    "FEATURE_SCHEMES": "algoconf.selection.online.features",
    "LinearBanditSelector": "algoconf.selection.online.bandits",
    "DegrooteEpsilonGreedy": "algoconf.selection.online.greedy",
    "FeatureFreeEpsilonGreedy": "algoconf.selection.online.greedy",
    "SharedTobitSelector": "algoconf.selection.online.tobit",
    "HurdleSelector": "algoconf.selection.online.hurdle",
    "LeaderOrModelSelector": "algoconf.selection.online.switch",
    "OnlineProtocol": "algoconf.selection.online.evaluation",
    "OnlineStream": "algoconf.selection.online.evaluation",
    "PROTOCOLS": "algoconf.selection.online.evaluation",
    "PolicySummary": "algoconf.selection.online.evaluation",
    "ReplayResult": "algoconf.selection.online.evaluation",
    "aggregate_repar10": "algoconf.selection.online.evaluation",
    "evaluate_online": "algoconf.selection.online.evaluation",
    "online_protocol": "algoconf.selection.online.evaluation",
    "replay": "algoconf.selection.online.evaluation",
    "summarise": "algoconf.selection.online.evaluation",
    "LiveStep": "algoconf.selection.online.live",
    "LiveSummary": "algoconf.selection.online.live",
    "run_live": "algoconf.selection.online.live",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
