"""What the rest of algoconf needs from a run history, as two protocols.

:class:`RunResults` is the reading side: results by key, by configuration, by race, and all of them
in the order they were stored (the incumbent guard, the equivalence cache, capping summaries and the
analyses read through it). :class:`HistoryStore` adds the writing side the engine uses: ``commit``
(results, named state blobs and a journal entry in one transaction), the saved state and journal a
resume reads, and ``keeps_state`` (False: the engine keeps no state journal or snapshots, nothing
resumes). :class:`~algoconf.history.store.RunHistory` (SQLite, one file per run directory) and
:class:`~algoconf.history.memory.MemoryHistory` (simulations) both satisfy them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol, Sequence, runtime_checkable

from algoconf.records import RunResult

__all__ = ["RunResults", "HistoryStore"]


@runtime_checkable
class RunResults(Protocol):
    """Stored results, read-only. A key is ``(config_key, instance, seed)`` (``RunRequest.key``)."""

    def get(self, key: tuple[str, str, int]) -> RunResult | None:
        """The result stored under ``key``, or None."""
        ...

    def __contains__(self, key: object) -> bool: ...

    def results(self, config_key: str | None = None, instance: str | None = None) -> list[RunResult]:
        """Every stored result, or those of one configuration and/or instance, in the order stored."""
        ...

    def race_results(self, races: Sequence[str]) -> list[RunResult]:
        """The stored results of the arms of ``races``."""
        ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[RunResult]: ...


@runtime_checkable
class HistoryStore(RunResults, Protocol):
    """A run's history as the engine writes it (module docstring)."""

    #: False: nothing resumes from this history, so the engine keeps no state journal or snapshots
    keeps_state: bool

    @property
    def path(self) -> Path:
        """Where the history lives (named in error messages)."""
        ...

    def commit(self, results: Sequence[RunResult], state: Mapping[str, Mapping[str, Any]] | None = None,
               journal: Any = None, *, reset_journal: bool = False) -> list[bool]:
        """Store ``results`` (a key already stored is skipped), state blobs and a journal entry in one
        transaction; per result, whether it was new."""
        ...

    def record(self, result: RunResult) -> bool:
        """Store one result; False when its key was stored already."""
        ...

    def load_state(self, name: str) -> dict[str, Any] | None:
        """The state blob ``name`` as last committed (None: none)."""
        ...

    def journal(self) -> list[Any]:
        """The journal's entries (committed since its last reset), oldest first."""
        ...

    def close(self) -> None: ...
