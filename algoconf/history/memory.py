"""MemoryHistory: the run history's reading and writing interface, in memory, for simulations.

A simulated run (runs answered from a runtime matrix on a virtual clock, benchmarks) has nothing to
lose: it is cheaper to run again than to persist. :class:`MemoryHistory` keeps the results in a
dict and declares ``keeps_state = False``, so the engine keeps no state (no journal, no snapshots
of the tuner's state) and nothing is encoded or written to disk. Such a run cannot be resumed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from algoconf.records import RunResult

__all__ = ["MemoryHistory"]


class MemoryHistory:
    """Results by key in insertion order; no state, no file (see module docstring)."""

    keeps_state = False

    def __init__(self) -> None:
        self.path = Path("<memory>") / "history"
        self._results: dict[tuple[str, str, int], RunResult] = {}
        self._by_config: dict[str, list[RunResult]] = {}

    def commit(self, results: Sequence[RunResult], state: Mapping[str, Mapping[str, Any]] | None = None,
               journal: Any = None, *, reset_journal: bool = False) -> list[bool]:
        """Store the results (a key already stored is skipped); ``state`` and ``journal`` are ignored."""
        written = []
        for result in results:
            new = result.key not in self._results
            if new:
                self._results[result.key] = result
                self._by_config.setdefault(result.request.config_key, []).append(result)
            written.append(new)
        return written

    def record(self, result: RunResult) -> bool:
        return self.commit([result])[0]

    def load_state(self, name: str) -> dict[str, Any] | None:
        return None

    def journal(self) -> list[Any]:
        return []

    def race_results(self, races: Sequence[str]) -> list[RunResult]:
        wanted = set(races)
        return [r for r in self._results.values() if r.request.race in wanted]

    def get(self, key: tuple[str, str, int]) -> RunResult | None:
        return self._results.get((key[0], key[1], int(key[2])))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 3 and (key[0], key[1], int(key[2])) in self._results

    def results(self, config_key: str | None = None, instance: str | None = None) -> list[RunResult]:
        found = self._by_config.get(config_key, []) if config_key is not None else list(self._results.values())
        return [r for r in found if instance is None or r.request.instance == instance]

    def __len__(self) -> int:
        return len(self._results)

    def __iter__(self) -> Iterator[RunResult]:
        return iter(list(self._results.values()))

    def close(self) -> None:
        pass

    def __enter__(self) -> "MemoryHistory":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
