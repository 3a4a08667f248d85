"""State of tuners whose backend cannot be serialised (SMAC3, Optuna): the ask/tell log itself.

``from_state`` builds a fresh tuner with the same seed and replays the log through its own
``ask``/``tell``; with a seeded backend that reproduces the original exactly (and the replayed
tuner records the same log again).
"""

from __future__ import annotations

from typing import Any, Sequence

from algoconf.records import RunRequest, RunResult, Status

__all__ = ["ReplayLog"]


class ReplayLog:
    """The ordered asks and tells of one tuner, as JSON-serialisable entries."""

    def __init__(self, entries: Sequence[Sequence[Any]] = ()) -> None:
        self.entries: list[list[Any]] = [list(e) for e in entries]

    def asked(self, n: int) -> None:
        self.entries.append(["ask", int(n)])

    def told(self, results: Sequence[RunResult]) -> None:
        self.entries.append(["tell", [[r.request.config_key, r.request.instance, int(r.request.seed),
                                       r.status.value, r.runtime, r.quality] for r in results]])

    def replay(self, tuner: Any) -> Any:
        """Ask and tell ``tuner`` exactly as logged; returns it."""
        asked: dict[tuple[str, str, int], RunRequest] = {}
        for kind, payload in self.entries:
            if kind == "ask":
                for request in tuner.ask(int(payload)):
                    asked[request.key] = request
            else:
                tuner.tell([RunResult(asked[(key, inst, int(seed))], Status(status), runtime, quality=quality)
                            for key, inst, seed, status, runtime, quality in payload])
        return tuner
