"""DIMACS CNF files: one fast reader and writer for the whole project.

:func:`read_cnf` parses with numpy at C speed (about 50–100 MB/s here), reads ``.gz``, ``.bz2``
and ``.xz`` files transparently (by their magic bytes, whatever the suffix), and rejects malformed
files with :class:`algoconf.errors.CNFFormatError` naming the file, the line and what was expected:
no or a bad ``p cnf`` header, a literal out of range, a clause count that differs from the header,
a last clause without its terminating 0, non-integer tokens, an empty file. SATLIB's ``%`` end
marker is honoured. Clauses may span lines.

Limits, each a one-line error: a file (after decompression) larger than :func:`max_cnf_bytes`
(default 4 GiB, the environment variable ``ALGOCONF_MAX_CNF_MB`` changes it), so a small compressed
file cannot expand without bound; more than 2**31 - 1 variables (literals are stored as 32-bit
integers); a literal outside the 64-bit range; a path that is a folder or cannot be read.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import lzma
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from algoconf.errors import CNFFormatError

__all__ = ["CNF", "read_cnf", "read_cnf_cached", "parse_cnf", "format_cnf", "write_cnf", "first_violated_clause"]


@dataclass(frozen=True, eq=False)
class CNF:
    """A CNF formula in compressed-row form: clause ``i`` is ``literals[offsets[i]:offsets[i+1]]``."""

    n_vars: int
    literals: np.ndarray  # int32, flat, no terminating zeros
    offsets: np.ndarray  # int64, length n_clauses + 1

    @property
    def n_clauses(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def clause(self, i: int) -> tuple[int, ...]:
        return tuple(int(x) for x in self.literals[self.offsets[i] : self.offsets[i + 1]])

    def clauses(self) -> list[tuple[int, ...]]:
        return [self.clause(i) for i in range(self.n_clauses)]

    @classmethod
    def from_clauses(cls, n_vars: int, clauses: Sequence[Sequence[int]]) -> "CNF":
        lengths = np.fromiter((len(c) for c in clauses), dtype=np.int64, count=len(clauses))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        flat = np.fromiter((lit for c in clauses for lit in c), dtype=np.int32, count=int(offsets[-1]))
        return cls(int(n_vars), flat, offsets)


_MAGIC = ((b"\x1f\x8b", lambda fh: gzip.GzipFile(fileobj=fh)), (b"BZh", bz2.BZ2File), (b"\xfd7zXZ", lzma.LZMAFile))
MAX_VARIABLES = 2**31 - 1
DEFAULT_MAX_CNF_MB = 4096
_HEADER = re.compile(rb"^[ \t]*p[ \t]+(\S+)[ \t]*(\S*)[ \t]*(\S*)[ \t]*(.*)$", re.M)
_COMMENT = re.compile(rb"^[ \t]*c.*$", re.M)


def max_cnf_bytes() -> int:
    """The largest CNF file read, decompressed (``ALGOCONF_MAX_CNF_MB`` MiB, default 4096)."""
    raw = os.environ.get("ALGOCONF_MAX_CNF_MB")
    try:
        mb = float(raw) if raw else DEFAULT_MAX_CNF_MB
    except ValueError:
        mb = DEFAULT_MAX_CNF_MB
    return int(mb * 2**20) if mb > 0 else int(DEFAULT_MAX_CNF_MB * 2**20)


def _too_large(limit: int, compressed: bool) -> str:
    what = "decompresses to" if compressed else "is"
    return (f"the file {what} more than {limit / 2**20:g} MiB, the limit for CNF files "
            "(set ALGOCONF_MAX_CNF_MB to raise it)")


def _read_at_most(stream, n: int, chunk: int = 16 * 2**20) -> bytes:
    parts, total = [], 0
    while total < n:
        part = stream.read(min(chunk, n - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _load_bytes(path: Path) -> bytes:
    limit = max_cnf_bytes()
    try:
        with path.open("rb") as fh:
            head = fh.read(6)
            for magic, opener in _MAGIC:
                if head.startswith(magic):
                    fh.seek(0)
                    try:
                        with opener(fh) as stream:
                            data = _read_at_most(stream, limit + 1)
                    except (OSError, EOFError, lzma.LZMAError) as err:
                        raise CNFFormatError(f"compressed file cannot be read ({err})", file=path) from None
                    if len(data) > limit:
                        raise CNFFormatError(_too_large(limit, True), file=path)
                    return data
            if os.fstat(fh.fileno()).st_size > limit:
                raise CNFFormatError(_too_large(limit, False), file=path)
            fh.seek(0)
            data = fh.read()
    except FileNotFoundError:
        raise CNFFormatError("file not found", file=path) from None
    except IsADirectoryError:
        raise CNFFormatError("is a folder, not a CNF file", file=path) from None
    except OSError as err:
        raise CNFFormatError(f"cannot read: {err.strerror or err}", file=path) from None
    if len(data) > limit:
        raise CNFFormatError(_too_large(limit, False), file=path)
    return data


def read_cnf(path: str | Path) -> CNF:
    """Read a DIMACS CNF file (plain or compressed)."""
    path = Path(path)
    return parse_cnf(_load_bytes(path), source=str(path))


@functools.lru_cache(maxsize=32)
def _cached(path: str, mtime_ns: int, size: int) -> CNF:
    return read_cnf(path)


def read_cnf_cached(path: str | Path) -> CNF:
    """:func:`read_cnf`, cached per process by path, modification time and size (runs and feature
    groups reuse the same instances many times; a changed file is read again)."""
    p = Path(path).resolve()
    st = p.stat()
    return _cached(str(p), st.st_mtime_ns, st.st_size)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _locate(data: bytes, body_start: int, predicate, n_vars: int) -> tuple[int, str]:
    """Slow path, only for error messages: the line of the first token failing ``predicate``."""
    lineno = _line_of(data, body_start)
    for line in data[body_start:].split(b"\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith(b"c"):
            for tok in stripped.split():
                problem = predicate(tok, n_vars)
                if problem:
                    return lineno, problem
        lineno += 1
    return lineno, ""


def _token_problem(tok: bytes, n_vars: int) -> str:
    if not re.fullmatch(rb"-?[0-9]+", tok):
        return f"expected an integer literal, found {tok.decode(errors='replace')!r}"
    value = int(tok)
    if abs(value) > 2**63 - 1:
        return f"literal {tok.decode()} is outside the 64-bit integer range"
    if abs(value) > n_vars:
        return f"literal {value} is out of range: the header declares {n_vars} variables"
    return ""


_SPACE = np.zeros(256, dtype=bool)
_SPACE[[ord(c) for c in " \t\n\r\v\f"]] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0") : ord("9") + 1] = True
_MINUS = ord("-")


def _count_integer_tokens(body: bytes) -> int | None:
    """Number of whitespace-separated tokens if every one is an integer (``-?[0-9]+``), else None.

    Vectorised, so that numpy's text parser (which stops silently at the first bad token) is only
    ever given text it reads to the end.
    """
    b = np.frombuffer(body, dtype=np.uint8)
    if b.size == 0:
        return 0
    space, digit = _SPACE[b], _DIGIT[b]
    minus = b == _MINUS
    if not np.all(space | digit | minus):
        return None
    prev_space = np.concatenate([[True], space[:-1]])
    next_digit = np.concatenate([digit[1:], [False]])
    if np.any(minus & ~(prev_space & next_digit)):
        return None
    return int(np.count_nonzero(~space & prev_space))


def parse_cnf(data: bytes | str, source: str = "<string>") -> CNF:
    """Parse DIMACS CNF text (see the module docstring for what is checked)."""
    if isinstance(data, str):
        data = data.encode()
    if not data.strip():
        raise CNFFormatError("empty file: expected a 'p cnf <variables> <clauses>' header", file=source)
    end = re.search(rb"^[ \t]*%", data, re.M)
    if end:
        data = data[: end.start()]
    header = _HEADER.search(data)
    if header is None:
        raise CNFFormatError("no 'p cnf <variables> <clauses>' header", file=source, line=1)
    hline = _line_of(data, header.start())
    fmt, nv, nc, rest = header.groups()
    if fmt != b"cnf" or rest.strip():
        raise CNFFormatError(
            f"expected 'p cnf <variables> <clauses>', found {header.group(0).strip().decode(errors='replace')!r}",
            file=source,
            line=hline,
        )
    try:
        n_vars, n_clauses = int(nv), int(nc)
    except ValueError:
        raise CNFFormatError("the header's counts must be integers", file=source, line=hline) from None
    if n_vars < 0 or n_clauses < 0:
        raise CNFFormatError("the header's counts must not be negative", file=source, line=hline)
    if n_vars > MAX_VARIABLES:
        raise CNFFormatError(f"the header declares {n_vars} variables; at most {MAX_VARIABLES} are supported",
                             file=source, line=hline)
    before = _COMMENT.sub(b"", data[: header.start()])
    if before.strip():
        raise CNFFormatError("clauses before the 'p cnf' header", file=source, line=1)
    body_start = header.end()
    body = _COMMENT.sub(b"", data[body_start:])
    expected = _count_integer_tokens(body)
    if expected is None:
        line, problem = _locate(data, body_start, _token_problem, n_vars)
        raise CNFFormatError(problem or "unreadable clause data", file=source, line=line)
    if re.search(rb"[0-9]{19}", body):  # numpy saturates tokens beyond int64: find them exactly first
        line, problem = _locate(data, body_start, _token_problem, n_vars)
        if problem:
            raise CNFFormatError(problem, file=source, line=line)
    tokens = np.fromstring(body, dtype=np.int64, sep=" ") if expected else np.empty(0, np.int64)
    if tokens.size != expected:  # cannot happen after the check above; never accept a partial parse
        line, problem = _locate(data, body_start, _token_problem, n_vars)
        raise CNFFormatError(problem or "unreadable clause data", file=source, line=line)
    if tokens.size and np.abs(tokens).max() > n_vars:
        line, problem = _locate(data, body_start, _token_problem, n_vars)
        raise CNFFormatError(problem, file=source, line=line)
    zeros = np.flatnonzero(tokens == 0)
    if tokens.size and tokens[-1] != 0:
        last_line = _line_of(data, len(data.rstrip()))
        raise CNFFormatError("the last clause has no terminating 0", file=source, line=last_line)
    if zeros.size != n_clauses:
        raise CNFFormatError(
            f"the header declares {n_clauses} clauses but the file has {zeros.size}",
            file=source,
            line=hline,
        )
    offsets = np.concatenate([[0], zeros + 1]) - np.arange(zeros.size + 1)
    literals = tokens[tokens != 0].astype(np.int32)
    return CNF(n_vars, literals, offsets.astype(np.int64))


def format_cnf(cnf: CNF, comments: Iterable[str] = ()) -> str:
    lines = [f"c {c}" for c in comments]
    lines.append(f"p cnf {cnf.n_vars} {cnf.n_clauses}")
    lines.extend(" ".join(map(str, c)) + " 0" for c in cnf.clauses())
    return "\n".join(lines) + "\n"


def write_cnf(cnf: CNF, path: str | Path, comments: Iterable[str] = ()) -> None:
    Path(path).write_text(format_cnf(cnf, comments))


def first_violated_clause(cnf: CNF, model: Iterable[int]) -> int | None:
    """Index of the first clause the (partial) model does not satisfy, or None if all hold.

    ``model`` lists true literals (DIMACS sign convention); unassigned variables satisfy nothing.
    """
    value = np.zeros(2 * cnf.n_vars + 2, dtype=bool)
    for lit in model:
        lit = int(lit)
        if lit == 0 or abs(lit) > cnf.n_vars:
            continue
        value[lit if lit > 0 else cnf.n_vars - lit] = True
    lits = cnf.literals.astype(np.int64)
    idx = np.where(lits > 0, lits, cnf.n_vars - lits)
    true_lit = value[idx]
    if cnf.n_clauses == 0:
        return None
    empty = cnf.lengths == 0
    if true_lit.size:
        starts = np.minimum(cnf.offsets[:-1], true_lit.size - 1)
        satisfied = np.logical_or.reduceat(true_lit, starts) & ~empty
    else:
        satisfied = np.zeros(cnf.n_clauses, dtype=bool)
    bad = np.flatnonzero(~satisfied)
    return int(bad[0]) if bad.size else None
