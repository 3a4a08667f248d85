"""The history survives kill -9 of a writer, and a torn or damaged file is recovered or refused loudly."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from algoconf.errors import CorruptHistoryError
from algoconf.history import HISTORY_FILE, RunHistory
from algoconf.records import RunRequest, RunResult

WRITER = '''
import sys
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult

h = RunHistory.open(sys.argv[1], fingerprint={"test": "kill -9"})
i = (h.load_state("writer") or {"next": 0})["next"]
while True:
    batch = [RunResult(RunRequest({"x": i, "j": j}, f"inst{j}", i, 10.0), "SUCCESS", i + j / 10,
                       info={"i": i, "pad": "p" * 200}) for j in range(3)]
    new = h.commit(batch, {"writer": {"next": i + 1}})
    if not all(new):
        sys.exit(f"key written twice at step {i}")
    print(i, flush=True)
    i += 1
'''


def _batch(i: int) -> list[RunResult]:
    return [
        RunResult(RunRequest({"x": i, "j": j}, f"inst{j}", i, 10.0), "SUCCESS", i + j / 10, info={"i": i, "pad": "p" * 200})
        for j in range(3)
    ]


def _check_consistent(run_dir: Path) -> int:
    """Every committed step is complete, readable and matches its state blob; returns the step count."""
    with RunHistory.open(run_dir) as h:
        state = h.load_state("writer")
        n = 0 if state is None else state["next"]
        results = h.results()
        assert len(results) == 3 * n
        expected = [r for i in range(n) for r in _batch(i)]
        assert results == expected
        assert len({r.key for r in results}) == len(results)
    return n


def test_kill_minus_9_loses_no_committed_row_and_repeats_nothing(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    run_dir = tmp_path / "run"
    rng = random.Random(7)
    last_seen = -1
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for round_ in range(5):
        proc = subprocess.Popen([sys.executable, str(script), str(run_dir)], stdout=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL, env=env)
        target = last_seen + 15 + rng.randrange(15)
        for line in proc.stdout:
            last_seen = int(line)
            if last_seen >= target:
                break
        proc.send_signal(signal.SIGKILL)  # most likely in the middle of the next commit
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, f"writer ended by itself in round {round_}"
        n = _check_consistent(run_dir)
        assert n >= last_seen + 1  # every step it reported as committed is there
        last_seen = n - 1
    assert last_seen >= 75


def _history_with_wal(tmp_path: Path, steps: int = 40) -> tuple[Path, RunHistory]:
    """A history whose recent commits are still only in its write-ahead log (the writer is 'alive')."""
    run_dir = tmp_path / "live"
    h = RunHistory.open(run_dir)
    for i in range(steps):
        h.commit(_batch(i), {"writer": {"next": i + 1}})
    return run_dir, h


def _copy(run_dir: Path, dest: Path) -> Path:
    dest.mkdir()
    for name in (HISTORY_FILE, HISTORY_FILE + "-wal"):
        if (run_dir / name).exists():
            shutil.copy(run_dir / name, dest / name)
    return dest


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9, 0.999])
def test_torn_wal_recovers_last_committed_state(tmp_path, keep):
    live, h = _history_with_wal(tmp_path)
    copy = _copy(live, tmp_path / "copy")
    h.close()
    wal = copy / (HISTORY_FILE + "-wal")
    assert wal.stat().st_size > 100_000
    os.truncate(wal, int(wal.stat().st_size * keep))
    n = _check_consistent(copy)
    assert 0 <= n < 40  # the torn tail is rolled back, everything before it is intact


def test_damaged_wal_before_committed_frames_is_refused_not_silently_cut(tmp_path):
    live, h = _history_with_wal(tmp_path)
    copy = _copy(live, tmp_path / "copy")
    h.close()
    wal = copy / (HISTORY_FILE + "-wal")
    with wal.open("r+b") as fh:
        fh.seek(32 + 24 + 10 * (24 + 4096))  # inside the page of frame 11
        fh.write(b"\xde\xad" * 500)
    before = wal.read_bytes()
    with pytest.raises(CorruptHistoryError) as info:
        RunHistory.open(copy)
    n_frames = (len(before) - 32) // (24 + 4096)
    assert str(info.value).startswith(
        f"{copy / HISTORY_FILE}: the run history is damaged (its write-ahead log {HISTORY_FILE}-wal is damaged: "
        f"its frame 11 of {n_frames} is damaged and "
    )
    assert "committed transaction(s) after it would be dropped)" in str(info.value)
    assert wal.read_bytes() == before


def test_damaged_last_frame_is_a_torn_tail(tmp_path):
    live, h = _history_with_wal(tmp_path)
    copy = _copy(live, tmp_path / "copy")
    h.close()
    wal = copy / (HISTORY_FILE + "-wal")
    size = wal.stat().st_size
    with wal.open("r+b") as fh:
        fh.seek(size - 100)
        fh.write(b"\x00" * 100)
    assert _check_consistent(copy) == 39  # the last commit was torn, everything before it is there


def test_damaged_wal_header_is_refused(tmp_path):
    live, h = _history_with_wal(tmp_path)
    copy = _copy(live, tmp_path / "copy")
    h.close()
    wal = copy / (HISTORY_FILE + "-wal")
    with wal.open("r+b") as fh:
        fh.seek(16)
        fh.write(b"\x01\x02\x03\x04")  # a salt: the header checksum no longer matches
    with pytest.raises(CorruptHistoryError, match="its header checksum is wrong"):
        RunHistory.open(copy)


def test_wal_check_accepts_healthy_logs_over_many_restarts(tmp_path):
    """The log is restarted after each checkpoint; stale frames of older generations are not damage."""
    from algoconf.history.wal import wal_damage

    run_dir = tmp_path / "many"
    with RunHistory.open(run_dir) as h:
        for i in range(0, 700, 2):
            h.commit(_batch(i) + _batch(i + 1))
            if i % 100 == 0:
                assert wal_damage(run_dir / HISTORY_FILE) is None
        wal = (run_dir / (HISTORY_FILE + "-wal")).read_bytes()
        assert len(wal) > 1_000_000 and int.from_bytes(wal[12:16], "big") >= 2  # restarted at least twice
        assert wal_damage(run_dir / HISTORY_FILE) is None


def _checkpointed(tmp_path: Path) -> Path:
    live, h = _history_with_wal(tmp_path, steps=120)
    h.close()  # checkpoints: everything is in the main file now
    assert not (live / (HISTORY_FILE + "-wal")).exists()
    return live / HISTORY_FILE


def _damage_header(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.write(b"garbage garbage!")


def _truncate_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _garble_middle(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.seek(path.stat().st_size // 2)
        fh.write(bytes(random.Random(1).randrange(256) for _ in range(3000)))


DAMAGE = [
    (_damage_header, ("the file does not start with the SQLite header",)),
    (_truncate_half, ("database disk image is malformed",)),
    # depending on which page the garbage hits, SQLite or its integrity check notices it first
    (_garble_middle, ("integrity check failed: ", "database disk image is malformed")),
]


@pytest.mark.parametrize("damage, detail", DAMAGE, ids=["header", "truncated", "garbled-page"])
def test_damaged_file_raises_typed_error_and_is_left_untouched(tmp_path, damage, detail):
    path = _checkpointed(tmp_path)
    damage(path)
    before = path.read_bytes()
    with pytest.raises(CorruptHistoryError) as info:
        with RunHistory.open(path.parent) as h:
            h.results()
    message = str(info.value)
    assert any(message.startswith(f"{path}: the run history is damaged ({d}") for d in detail), message
    assert message.endswith(
        "It was left untouched. Restore the run directory from a backup to resume, or start over in a new "
        f"run directory (try `sqlite3 {path} .recover` to salvage rows)."
    )
    assert path.read_bytes() == before


def test_empty_file_with_a_log_is_damage_not_a_fresh_start(tmp_path):
    live, h = _history_with_wal(tmp_path, steps=3)
    copy = _copy(live, tmp_path / "copy")
    h.close()
    os.truncate(copy / HISTORY_FILE, 0)
    with pytest.raises(CorruptHistoryError, match=r"the file is empty but its write-ahead log is not"):
        RunHistory.open(copy)
