"""The run history: every result of a configuration run, in one SQLite file, never lost.

Contracts
---------
* One file, ``<run_dir>/history.sqlite``, in WAL mode: every write is one transaction, so a process
  killed at any moment (even ``kill -9`` mid-write) leaves a file holding exactly the transactions
  committed before the kill. By default (``synchronous=NORMAL``) a power loss or OS crash may lose
  the last few commits, never consistency; ``durable=True`` (``synchronous=FULL``, an fsync per
  commit, ~20x slower) keeps every commit even then.
* A result's key is ``RunRequest.key = (config_key, instance, seed)``; writing a key that is already
  there does nothing (idempotent), so a resumed or duplicated run is never recorded twice.
* :meth:`RunHistory.commit` writes results, named JSON state blobs (a snapshot of the tuner's and
  the engine's state) and one entry of the state *journal* (what changed since: the engine's asks
  and tells) in one transaction, so the stored state always matches the stored results. A commit
  with a new snapshot may reset the journal (``reset_journal``): the entries it held are then
  inside the snapshot. The state of a run is its last snapshot followed by the journal's entries
  in order; each commit writes only what changed (docs/execution.md, "The history's state").
* The first opener with a scenario stores its fingerprint; opening with a different fingerprint
  raises :class:`~algoconf.errors.ScenarioMismatchError` listing the differences (never a prompt).
  It also stores a content digest of every instance file; re-opening after a file's content
  changed under the same name raises the same error (:mod:`algoconf.history.digests`).
* A damaged file raises :class:`~algoconf.errors.CorruptHistoryError` naming the file and what to do;
  a torn WAL tail is rolled back by SQLite to the last committed transaction, while a WAL damaged
  before committed transactions (which SQLite would drop silently) is refused
  (:mod:`algoconf.history.wal`). Nothing ever silently starts over or loses a commit.
* Several processes may write at once (WAL, busy timeout, ``BEGIN IMMEDIATE``), but a history
  opened *for a run* (with a scenario or a fingerprint: a command writing its results) holds the
  run directory's lock (:mod:`algoconf.history.lock`) until it is closed: a second process opening the
  same directory for a run gets :class:`~algoconf.errors.RunDirectoryBusyError` naming the holder's
  PID, so two ``configure`` processes never run the same runs into one directory. Opening without a
  fingerprint (reading, reporting, exporting) takes no lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from algoconf.errors import CorruptHistoryError, HistoryError, InputError, ScenarioMismatchError
from algoconf.history.digests import changed_instances, digest_table
from algoconf.history.fingerprint import fingerprint_diff
from algoconf.history.lock import acquire as acquire_run_lock
from algoconf.history.lock import release as release_run_lock
from algoconf.history.wal import wal_damage
from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RunHistory", "HISTORY_FILE", "SCHEMA_VERSION"]

HISTORY_FILE = "history.sqlite"
#: 2: the state journal (table ``journal``); a history of schema 1 is upgraded when opened
SCHEMA_VERSION = 2
_SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS configs (config_key TEXT PRIMARY KEY, config TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    config_key TEXT NOT NULL,
    instance TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    runtime REAL NOT NULL,
    wallclock REAL NOT NULL,
    quality REAL,
    cutoff REAL,
    bound REAL,
    race TEXT,
    info TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL NOT NULL,
    worker TEXT NOT NULL,
    recorded REAL NOT NULL,
    UNIQUE (config_key, instance, seed)
);
CREATE INDEX IF NOT EXISTS runs_by_instance ON runs (instance);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
"""

_COLUMNS = (
    "config_key", "instance", "seed", "status", "runtime", "wallclock", "quality", "cutoff", "bound",
    "race", "info", "started", "finished", "worker",
)  # fmt: skip


class RunHistory:
    """Append-only store of run results (and tuner state) for one run directory.

    Use :meth:`open`; the object is a context manager and is safe to share between threads.
    """

    #: stores the tuner's and the engine's state with the results (so a run resumes)
    keeps_state = True

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._conn = connection
        self._lock = threading.RLock()
        self._run_dir_locked: Path | None = None
        #: PID of a writer that died holding the run directory's lock (kill -9), else None
        self.stale_writer_pid: int | None = None
        # the stored keys, kept while this object holds the run directory's lock (no other run
        # writer then): membership tests and misses of get() need no query (None: not loaded)
        self._keys: set[tuple[str, str, int]] | None = None
        self._config_keys: set[str] = set()  # configurations stored by this object (same condition)

    # --- opening ------------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        run_dir: str | Path,
        scenario=None,
        *,
        fingerprint: Mapping[str, Any] | None = None,
        durable: bool = False,
    ) -> "RunHistory":
        """Create or open ``<run_dir>/history.sqlite``.

        With a ``scenario`` (or an explicit ``fingerprint``) the stored fingerprint must match
        (stored on first open); without, the history is opened as is (for reading and exporting).
        """
        if scenario is not None and fingerprint is not None:
            raise ValueError("give a scenario or a fingerprint, not both")
        if scenario is not None:
            fingerprint = scenario.fingerprint()
        run_dir = Path(run_dir)
        if run_dir.exists() and not run_dir.is_dir():
            raise InputError("the run directory is a file; give a folder (new or a previous run's)", file=run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        stale = acquire_run_lock(run_dir) if fingerprint is not None else None
        try:
            path = run_dir / HISTORY_FILE
            _check_header(path)
            damage = wal_damage(path)
            if damage is not None:
                raise _corrupt(path, f"its write-ahead log {path.name}-wal is damaged: {damage}")
            try:
                conn = sqlite3.connect(
                    str(path), timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
                )
            except sqlite3.DatabaseError as err:
                raise _corrupt(path, err) from None
        except BaseException:
            if fingerprint is not None:
                release_run_lock(run_dir)
            raise
        history = cls(path, conn)
        if fingerprint is not None:
            history._run_dir_locked = run_dir
            history.stale_writer_pid = stale
        try:
            history._initialise("FULL" if durable else "NORMAL")
            if fingerprint is not None:
                history._check_fingerprint(_normalise(fingerprint))
            if scenario is not None:
                history._check_instance_contents(scenario)
        except BaseException:
            history.close()
            raise
        return history

    def _initialise(self, synchronous: str) -> None:
        with self._guard():
            conn = self._conn
            conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            try:  # another program's database is refused before anything (the WAL switch) touches it
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except sqlite3.DatabaseError as err:
                raise _corrupt(self.path, err) from None
            tables.discard("sqlite_sequence")
            if tables and not {"meta", "runs"} <= tables:
                missing = sorted({"meta", "runs"} - tables)
                what = ("not an algoconf run history" if "runs" not in tables
                        else "its table(s) " + ", ".join(missing) + " were deleted")
                raise _corrupt(self.path, f"{what} (tables: {', '.join(sorted(tables))})")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise HistoryError(f"{self.path}: cannot switch the history to WAL mode (got {mode!r})")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            check = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
            if check != ["ok"]:
                detail = "; ".join(line.strip("* ") for line in check[:3] if line.strip("* "))
                raise _corrupt(self.path, f"integrity check failed: {detail}")
            with self._transaction():
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None and conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None:
                    raise _corrupt(self.path, "it holds runs but its meta table lost the schema and fingerprint")
                if row is None:
                    conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                    conn.execute("INSERT INTO meta VALUES ('created', ?)", (repr(time.time()),))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise HistoryError(
                        f"{self.path}: written by a newer algoconf (history schema {row[0]}, this one reads "
                        f"{SCHEMA_VERSION}); upgrade algoconf to resume it"
                    )
                elif int(row[0]) < SCHEMA_VERSION:  # schema 1 lacks only the journal (created above)
                    # the older reader would ignore the journal: it must refuse the file from now on
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))

    def _check_fingerprint(self, fingerprint: dict[str, Any]) -> None:
        with self._guard(), self._transaction():
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row is None and self._conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None:
                raise _corrupt(self.path, "it holds runs but no scenario fingerprint (deleted?), so a resume "
                                          "cannot be checked against the scenario")
            if row is None:
                self._conn.execute(
                    "INSERT INTO meta VALUES ('fingerprint', ?)", (json.dumps(fingerprint, sort_keys=True),)
                )
                return
            try:
                stored = json.loads(row[0])
            except json.JSONDecodeError:
                raise _corrupt(self.path, "its stored scenario fingerprint is not JSON") from None
        if stored != fingerprint:
            lines = fingerprint_diff(stored, fingerprint)
            raise ScenarioMismatchError(
                f"{self.path.parent} holds a run of a different scenario (stored -> given):\n  "
                + "\n  ".join(lines)
                + "\nResume with the original scenario, or start the changed one in a new run directory."
            )

    def _check_instance_contents(self, scenario) -> None:
        """Refuse to resume when an instance file's content changed since the history began
        (:mod:`algoconf.history.digests`); store or refresh the digests otherwise."""
        instances = list(scenario.train) + (list(scenario.test) if scenario.test is not None else [])
        with self._guard():
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'instance_digests'").fetchone()
        changed: list[str] = []
        if row is None:
            table = digest_table(instances)
        else:
            stored = json.loads(row[0])
            changed, table = changed_instances(stored, instances)
            if changed:
                shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
                raise ScenarioMismatchError(
                    f"{self.path.parent} holds runs on instances whose files have changed since "
                    f"(different content under the same name): {shown}.\nRestore the original files to "
                    "resume, or start the changed scenario in a new run directory."
                )
            if table == stored:
                return
        with self._guard(), self._transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('instance_digests', ?)", (json.dumps(table, sort_keys=True),)
            )

    @property
    def fingerprint(self) -> dict[str, Any] | None:
        """The stored scenario fingerprint, or None."""
        with self._guard():
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        return None if row is None else json.loads(row[0])

    # --- writing ------------------------------------------------------------------------------------
    def record(self, result: RunResult) -> bool:
        """Store one result; False (and nothing written) when its key is already stored."""
        return self.commit([result])[0]

    def commit(self, results: Sequence[RunResult], state: Mapping[str, Mapping[str, Any]] | None = None,
               journal: Any = None, *, reset_journal: bool = False) -> list[bool]:
        """Store results, named JSON state blobs and a journal entry in ONE transaction.

        Returns, per result, whether it was new (a key already stored, or repeated in ``results``, is
        skipped). State blobs replace earlier blobs of the same name. ``reset_journal`` deletes the
        journal's entries first (they are inside the snapshot ``state`` brings); ``journal`` (any
        JSON value) is then appended as the journal's next entry.
        """
        rows = [_result_row(r) for r in results]
        known = self._config_keys if self._run_dir_locked is not None else None
        configs = {r.request.config_key: json.dumps(dict(r.request.config), sort_keys=True) for r in results
                   if known is None or r.request.config_key not in known}
        blobs = {name: json.dumps(value, sort_keys=True, allow_nan=True) for name, value in (state or {}).items()}
        entry = None if journal is None else json.dumps(journal, allow_nan=True, separators=(",", ":"))
        now = time.time()
        written: list[bool] = []
        insert = (f"INSERT OR IGNORE INTO runs ({', '.join(_COLUMNS)}, recorded) "
                  f"VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})")
        with self._guard(), self._transaction():
            conn = self._conn
            if reset_journal:
                conn.execute("DELETE FROM journal")
            if entry is not None:
                conn.execute("INSERT INTO journal (entry) VALUES (?)", (entry,))
            conn.executemany("INSERT OR IGNORE INTO configs VALUES (?, ?)", list(configs.items()))
            keys = self._known_keys()
            batch: set[tuple[str, str, int]] = set()
            if keys is not None:  # the stored keys are known: insert the new rows at once
                fresh = []
                for row in rows:
                    key = (row[0], row[1], row[2])
                    new = key not in keys and key not in batch
                    batch.add(key)
                    written.append(new)
                    if new:
                        fresh.append((*row, now))
                conn.executemany(insert, fresh)
            else:
                for row in rows:
                    written.append(conn.execute(insert, (*row, now)).rowcount == 1)
            for name, blob in blobs.items():
                conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)", (name, blob, now))
        if keys is not None:  # committed
            keys.update(batch)
            self._config_keys.update(configs)
        return written

    def save_state(self, name: str, value: Mapping[str, Any]) -> None:
        """Store one named state blob (same as ``commit([], {name: value})``)."""
        self.commit([], {name: value})

    def load_state(self, name: str) -> dict[str, Any] | None:
        """The last committed state blob of that name, or None."""
        with self._guard():
            row = self._conn.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return None if row is None else json.loads(row[0])

    def journal(self) -> list[Any]:
        """The journal's entries (committed since the last reset), oldest first."""
        with self._guard():
            rows = self._conn.execute("SELECT entry FROM journal ORDER BY id").fetchall()
        try:
            return [json.loads(row[0]) for row in rows]
        except json.JSONDecodeError:
            raise _corrupt(self.path, "an entry of its state journal is not JSON") from None

    def race_results(self, races: Sequence[str]) -> list[RunResult]:
        """The stored results of runs of these race ids, in insertion order."""
        races = list(dict.fromkeys(races))
        if not races:
            return []
        return self._select(f"WHERE r.race IN ({', '.join('?' * len(races))})", tuple(races))

    # --- reading ------------------------------------------------------------------------------------
    def get(self, key: tuple[str, str, int]) -> RunResult | None:
        """The result stored under ``(config_key, instance, seed)``, or None."""
        keys = self._known_keys()
        if keys is not None and (key[0], key[1], int(key[2])) not in keys:
            return None
        found = self._select("WHERE r.config_key = ? AND r.instance = ? AND r.seed = ?", (key[0], key[1], int(key[2])))
        return found[0] if found else None

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 3):
            return False
        keys = self._known_keys()
        if keys is not None:
            return (key[0], key[1], int(key[2])) in keys
        with self._guard():
            row = self._conn.execute(
                "SELECT 1 FROM runs WHERE config_key = ? AND instance = ? AND seed = ?",
                (key[0], key[1], int(key[2])),
            ).fetchone()
        return row is not None

    def results(self, config_key: str | None = None, instance: str | None = None) -> list[RunResult]:
        """Stored results in insertion order, optionally only of one configuration and/or instance."""
        where, params = [], []
        if config_key is not None:
            where.append("r.config_key = ?")
            params.append(config_key)
        if instance is not None:
            where.append("r.instance = ?")
            params.append(instance)
        return self._select(("WHERE " + " AND ".join(where)) if where else "", tuple(params))

    def __len__(self) -> int:
        with self._guard():
            return int(self._conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def __iter__(self) -> Iterator[RunResult]:
        return iter(self.results())

    def configs(self) -> dict[str, dict[str, Any]]:
        """Configuration key -> configuration (active values), in first-recorded order."""
        with self._guard():
            rows = self._conn.execute("SELECT config_key, config FROM configs ORDER BY rowid").fetchall()
        return {k: json.loads(c) for k, c in rows}

    def frame(self, *, config_columns: bool = False) -> pd.DataFrame:
        """One row per result (insertion order). With ``config_columns``, one ``config.<name>``
        column per parameter (empty where inactive), holding the values as recorded (an integer
        parameter's values are ints, also in a column with empty cells)."""
        import pandas as pd

        with self._guard():
            df = pd.read_sql_query(
                f"SELECT {', '.join(_COLUMNS)} FROM runs ORDER BY id", self._conn
            )
        df["censored"] = df["status"].isin([Status.TIMEOUT.value, Status.CAPPED.value])
        if config_columns:
            configs = self.configs()
            params = sorted({p for c in configs.values() for p in c})
            for p in params:
                # object columns: an integer parameter stays 14 (not 14.0) where others are inactive
                column = [configs.get(k, {}).get(p) for k in df["config_key"]]
                df[f"config.{p}"] = pd.Series(column, index=df.index, dtype=object)
        return df

    def to_csv(self, path: str | Path) -> int:
        """Write every result (with one column per parameter) as CSV; returns the row count."""
        df = self.frame(config_columns=True)
        df.to_csv(path, index=False)
        return len(df)

    # --- lifetime -----------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._conn.close()
            locked, self._run_dir_locked = self._run_dir_locked, None
        if locked is not None:
            release_run_lock(locked)

    def __enter__(self) -> "RunHistory":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- internals ----------------------------------------------------------------------------------
    def _select(self, where: str, params: tuple) -> list[RunResult]:
        with self._guard():
            rows = self._conn.execute(
                f"SELECT {', '.join('r.' + c for c in _COLUMNS)}, c.config FROM runs r "
                f"JOIN configs c ON c.config_key = r.config_key {where} ORDER BY r.id",
                params,
            ).fetchall()
        out = []
        for row in rows:
            try:
                out.append(_row_result(row))
            except (ValueError, TypeError, json.JSONDecodeError) as err:
                raise _corrupt(self.path, f"a stored run of instance {row[1]!r} cannot be read: "
                                          f"{str(err).splitlines()[0][:200]}") from None
        return out

    def _known_keys(self) -> set[tuple[str, str, int]] | None:
        """The stored keys while this object is the run directory's only writer, else None."""
        if self._run_dir_locked is None:
            return None
        if self._keys is None:
            with self._guard():
                rows = self._conn.execute("SELECT config_key, instance, seed FROM runs").fetchall()
            self._keys = {(k, i, int(s)) for k, i, s in rows}
        return self._keys

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Serialise use of the connection across threads; a damaged file becomes CorruptHistoryError."""
        with self._lock:
            try:
                yield
            except sqlite3.OperationalError as err:
                if "locked" in str(err) or "busy" in str(err):
                    raise HistoryError(
                        f"{self.path}: the history stayed locked for {_BUSY_TIMEOUT_S:.0f} s by another process"
                    ) from err
                raise
            except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
                raise  # misuse, not damage
            except sqlite3.DatabaseError as err:
                raise _corrupt(self.path, err) from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")


def _check_header(path: Path) -> None:
    if path.is_dir():
        raise _corrupt(path, "it is a folder, not a file")
    if not path.exists():
        return
    if path.stat().st_size == 0:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:  # SQLite writes the header before any WAL frame
            raise _corrupt(path, "the file is empty but its write-ahead log is not")
        return
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise _corrupt(path, "the file does not start with the SQLite header")


def _corrupt(path: Path, detail: Any) -> CorruptHistoryError:
    return CorruptHistoryError(
        f"{path}: the run history is damaged ({detail}). It was left untouched. Restore the run "
        f"directory from a backup to resume, or start over in a new run directory (try "
        f"`sqlite3 {path} .recover` to salvage rows)."
    )


def _normalise(fingerprint: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(fingerprint), sort_keys=True, default=str))


def _result_row(r: RunResult) -> tuple:
    req = r.request
    return (
        req.config_key,
        req.instance,
        int(req.seed),
        r.status.value,
        float(r.runtime),
        float(r.wallclock),
        None if r.quality is None else float(r.quality),
        req.cutoff,
        req.bound,
        req.race,
        json.dumps(dict(r.info), sort_keys=True, default=str),
        float(r.started),
        float(r.finished),
        str(r.worker),
    )


def _row_result(row: tuple) -> RunResult:
    (key, instance, seed, status, runtime, wallclock, quality, cutoff, bound, race, info, started, finished,
     worker, config) = row  # fmt: skip
    request = RunRequest(
        config=json.loads(config),
        instance=instance,
        seed=int(seed),
        cutoff=cutoff,
        bound=bound,
        race=race,
        config_key=key,
    )
    return RunResult(
        request=request,
        status=Status(status),
        runtime=runtime,
        wallclock=wallclock,
        quality=quality,
        info=json.loads(info),
        started=started,
        finished=finished,
        worker=worker,
    )
