"""The run history, the only truth on disk: :class:`RunHistory` (one SQLite file per run directory,
``store.py``) with its parts — the WAL check (``wal.py``), instance content digests (``digests.py``),
the run directory's lock (``lock.py``), the fingerprint diff of a mismatch (``fingerprint.py``) — and
:class:`MemoryHistory`, the same interface in memory for simulations (``memory.py``); the interface
both satisfy is :class:`HistoryStore` (with :class:`RunResults`, its reading side: ``contract.py``)."""

from algoconf.history.contract import HistoryStore, RunResults
from algoconf.history.memory import MemoryHistory
from algoconf.history.store import HISTORY_FILE, SCHEMA_VERSION, RunHistory

__all__ = ["HISTORY_FILE", "SCHEMA_VERSION", "HistoryStore", "MemoryHistory", "RunHistory", "RunResults"]
