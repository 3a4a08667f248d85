"""State of tuners whose backend cannot be serialised (SMAC3, Optuna): the ask/tell log itself.

``from_state`` builds a fresh tuner with the same seed and replays the log through its own
``ask``/``tell``; with a seeded backend that reproduces the original exactly (and the replayed
tuner records the same log again).

A backend that is not reproducible across processes (SMAC3 2.4 orders some proposals by Python's
salted string hashes) may ask other runs on replay than the log holds. Each logged result then
still reaches the tuner: a result whose run the replay did not ask is told with the request
rebuilt from the configuration stored in the log, and the tuner's ``tell`` must accept results it
did not ask for (SMAC: a custom trial; Optuna: ignored). So a resume never fails on divergence;
it only continues from a state that is no longer bit-identical to the uninterrupted run's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from algoconf.records import RunRequest, RunResult, Status
from algoconf.tuners.state import StateRecord

__all__ = ["ReplayLog", "ReplayState"]


@dataclass(frozen=True)
class ReplayState(StateRecord):
    """The state of a tuner kept as its ask/tell log: ``seed``, ``params`` (the constructor's
    options by name) and ``log`` (:attr:`ReplayLog.entries`)."""

    kind = "replayed tuner state"

    seed: int
    params: dict[str, Any]
    log: list[list[Any]]

    def rebuild(self, tuner_cls: Any, problem: Any) -> Any:
        """A fresh ``tuner_cls`` with this seed and these options, the log replayed into it."""
        return ReplayLog(self.log).replay(tuner_cls(problem, int(self.seed), **self.params))


class ReplayLog:
    """The ordered asks and tells of one tuner, as JSON-serialisable entries."""

    def __init__(self, entries: Sequence[Sequence[Any]] = ()) -> None:
        self.entries: list[list[Any]] = [list(e) for e in entries]

    def asked(self, n: int) -> None:
        self.entries.append(["ask", int(n)])

    def told(self, results: Sequence[RunResult]) -> None:
        self.entries.append(["tell", [[r.request.config_key, r.request.instance, int(r.request.seed),
                                       r.status.value, r.runtime, r.quality, dict(r.request.config),
                                       r.request.cutoff] for r in results]])

    def replay(self, tuner: Any) -> Any:
        """Ask and tell ``tuner`` exactly as logged; returns it."""
        asked: dict[tuple[str, str, int], RunRequest] = {}
        for kind, payload in self.entries:
            if kind == "ask":
                for request in tuner.ask(int(payload)):
                    asked[request.key] = request
            else:
                results = []
                for key, inst, seed, status, runtime, quality, *stored in payload:
                    request = asked.get((key, inst, int(seed)))
                    if request is None:
                        if not stored:  # a log written before configurations were stored in it
                            raise KeyError(f"replayed tuner did not ask run {(key, inst, seed)} and the log "
                                           "holds no configuration to rebuild it")
                        config, cutoff = stored[0], stored[1] if len(stored) > 1 else None
                        request = RunRequest(config, inst, int(seed), cutoff, config_key=key)
                    results.append(RunResult(request, Status(status), runtime, quality=quality))
                tuner.tell(results)
        return tuner
