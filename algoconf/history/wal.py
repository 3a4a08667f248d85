"""Checking a SQLite write-ahead log for damage that SQLite itself would hide.

When SQLite opens a database whose WAL ends in a torn frame (a crash during a write), it keeps the
frames before it and drops the rest. That is the right thing for a torn *tail*. But if the damage
is in the *middle* of the log, or in its header, SQLite also drops every transaction committed
after it, without a word. :func:`wal_damage` tells the two apart before the history is opened.
If genuine, committed frames follow the first bad frame, the log is damaged rather than torn.

The format is described in the SQLite file-format document (section "The WAL File Format"):

* a 32-byte header: magic, version, page size, checkpoint sequence, two salts, and a checksum of
  the first 24 bytes;
* frames, each a 24-byte header (page number, database size for a commit frame else 0, the two
  salts, a cumulative checksum) followed by one page.

Each frame's checksum continues from the previous frame's stored checksum, over the frame header's
first 8 bytes and the page. A frame belongs to the current log when its salts equal the header's.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["wal_damage"]

_MAGIC_LE = 0x377F0682  # checksum words read little-endian
_MAGIC_BE = 0x377F0683  # checksum words read big-endian
_HEADER = 32
_FRAME_HEADER = 24
_MASK = 0xFFFFFFFF


@lru_cache(maxsize=8)
def _powers(n: int) -> np.ndarray:
    """M**j for j = 0..n, with M = [[1, 1], [1, 2]] (arithmetic wraps mod 2**64, exact mod 2**32)."""
    out = np.empty((n + 1, 2, 2), dtype=np.uint64)
    out[0] = np.eye(2, dtype=np.uint64)
    m = np.array([[1, 1], [1, 2]], dtype=np.uint64)
    for j in range(1, n + 1):
        out[j] = out[j - 1] @ m
    return out


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum of ``data`` (a multiple of 8 bytes), continuing from (s0, s1).

    Per pair of words (a, b): ``s0 += a + s1; s1 += b + s0``. That is the affine map
    ``s <- M s + (a, a + b)``, so n pairs give ``M**n s + sum_k M**(n-1-k) c_k``, computed at once.
    """
    words = np.frombuffer(data, dtype=">u4" if big_endian else "<u4").astype(np.uint64)
    a, b = words[0::2], words[1::2]
    n = len(a)
    p = _powers(n)
    rev = p[n - 1 :: -1] if n else p[:0]  # M**(n-1-k) for k = 0..n-1
    c0, c1 = a, a + b
    with np.errstate(over="ignore"):
        t0 = int((rev[:, 0, 0] * c0 + rev[:, 0, 1] * c1).sum(dtype=np.uint64))
        t1 = int((rev[:, 1, 0] * c0 + rev[:, 1, 1] * c1).sum(dtype=np.uint64))
    m = p[n]
    r0 = (int(m[0, 0]) * s0 + int(m[0, 1]) * s1 + t0) & _MASK
    r1 = (int(m[1, 0]) * s0 + int(m[1, 1]) * s1 + t1) & _MASK
    return r0, r1


def _scan(wal: bytes) -> str | None:
    header = wal[:_HEADER]
    magic, _version, page_size, _seq, salt1, salt2, ck1, ck2 = struct.unpack(">8I", header)
    frames_bytes = len(wal) - _HEADER
    if magic not in (_MAGIC_LE, _MAGIC_BE):
        return "its header is not a write-ahead log header"
    big = magic == _MAGIC_BE
    if _checksum(header[:24], big, 0, 0) != (ck1, ck2):
        return "its header checksum is wrong, so every transaction in it would be dropped"
    page_size = 65536 if page_size == 1 else page_size
    frame_size = _FRAME_HEADER + page_size
    n_frames = frames_bytes // frame_size

    def frame(i: int) -> tuple[bytes, bytes]:
        start = _HEADER + i * frame_size
        return wal[start : start + _FRAME_HEADER], wal[start + _FRAME_HEADER : start + frame_size]

    def verifies(fh: bytes, page: bytes, seed: tuple[int, int]) -> bool:
        if struct.unpack(">II", fh[8:16]) != (salt1, salt2):
            return False
        return _checksum(fh[:8] + page, big, *seed) == struct.unpack(">II", fh[16:24])

    seed = (ck1, ck2)
    first_bad = None
    for i in range(n_frames):
        fh, page = frame(i)
        if not verifies(fh, page, seed):
            first_bad = i
            break
        seed = struct.unpack(">II", fh[16:24])
    if first_bad is None:
        return None
    # a torn tail has nothing genuine after it; damage in the middle has committed frames after it
    lost_commits = 0
    for j in range(first_bad + 1, n_frames):
        prev_fh, _ = frame(j - 1)
        fh, page = frame(j)
        if verifies(fh, page, struct.unpack(">II", prev_fh[16:24])) and struct.unpack(">I", fh[4:8])[0] != 0:
            lost_commits += 1
    if lost_commits:
        return (
            f"its frame {first_bad + 1} of {n_frames} is damaged and {lost_commits} committed "
            f"transaction(s) after it would be dropped"
        )
    return None


def wal_damage(db_path: str | Path, *, attempts: int = 3) -> str | None:
    """Why the WAL next to ``db_path`` would silently lose committed transactions, or None.

    A torn tail (a crash during a write) is not damage: SQLite rolls it back to the last commit.
    The log is read without locking. A writer that restarts the log while it is being read changes
    its header, so the scan is repeated until the header stays the same between two reads.
    """
    wal_path = Path(str(db_path) + "-wal")
    verdict = None
    for _ in range(attempts):
        try:
            wal = wal_path.read_bytes()
        except FileNotFoundError:
            return None
        if len(wal) < _HEADER:
            return None
        verdict = _scan(wal)
        if verdict is None:
            return None
        try:
            with wal_path.open("rb") as fh:
                again = fh.read(_HEADER)
        except FileNotFoundError:
            return None
        if again == wal[:_HEADER]:
            return verdict
    return verdict
