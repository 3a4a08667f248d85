"""A small, quoting-aware reader and writer for dense ARFF files (the tables of ASlib scenarios).

Why not ``scipy.io.arff``: it rejects ``string`` attributes, which every ASlib table uses for
``instance_id``. This reader handles what the ASlib files hold:

* ``@relation`` / ``@attribute`` / ``@data`` in any letter case (also ``@DATA,`` as one ASlib file has it); ``%`` comments; blank lines; CRLF;
* attribute names and values quoted with ``'`` or ``"`` (a value may hold commas, ``/`` and spaces;
  ``\\`` escapes the next character inside quotes);
* types ``numeric | real | integer`` (parsed to ``float``), ``string``, ``date`` (kept as text) and
  nominal ``{a, b, ...}`` (kept as text, checked against the declared values);
* ``?`` (unquoted) is a missing value and becomes ``None``.

Sparse rows (``{0 x, 3 y}``) and relational attributes are not part of ASlib and raise
:class:`~algoconf.errors.ASlibFormatError`, as does every malformed line, naming file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from algoconf.errors import ASlibFormatError

__all__ = ["ArffAttribute", "ArffTable", "read_arff", "write_arff", "split_arff_line"]

_NUMERIC = ("numeric", "real", "integer")


@dataclass(frozen=True)
class ArffAttribute:
    """One column: ``kind`` is ``numeric``, ``string``, ``date`` or ``nominal`` (then ``values``)."""

    name: str
    kind: str
    values: tuple[str, ...] = ()


#: a cell of a parsed table: a float (numeric), a str (nominal, string), or None (missing)
ArffValue = float | str | None


@dataclass(frozen=True)
class ArffTable:
    """A parsed ARFF file; ``rows[i][j]`` is a float (numeric), a str, or None (missing).

    ``lines[i]`` is the 1-based line number of ``rows[i]`` in the file (for error messages).
    """

    path: Path
    relation: str
    attributes: tuple[ArffAttribute, ...]
    rows: tuple[tuple[ArffValue, ...], ...]
    lines: tuple[int, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.attributes)

    def index(self, name: str) -> int:
        """Position of the column ``name`` (case-insensitive); raises ASlibFormatError if absent."""
        lowered = [n.lower() for n in self.names]
        try:
            return lowered.index(name.lower())
        except ValueError:
            raise ASlibFormatError(
                f"expected a column named {name!r}; the file has {list(self.names)}", file=self.path
            ) from None


def split_arff_line(text: str, *, file: str | Path = "<string>", line: int | None = None) -> list[tuple[str, bool]]:
    """Split one data line at commas outside quotes.

    Returns ``(token, was_quoted)`` pairs, with surrounding whitespace removed and quotes and
    escapes resolved (whitespace inside quotes is kept). An unterminated quote, or text after a
    closing quote, raises :class:`ASlibFormatError`.
    """
    tokens: list[tuple[str, bool]] = []
    buf: list[str] = []
    quoted = False  # the current token was quoted (and its quote is closed)
    quote: str | None = None  # the open quote character
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            if ch == "\\" and i + 1 < n:
                buf.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote, quoted = None, True
            else:
                buf.append(ch)
        elif ch == ",":
            tokens.append(("".join(buf) if quoted else "".join(buf).strip(), quoted))
            buf, quoted = [], False
        elif quoted:
            if not ch.isspace():
                raise ASlibFormatError(f"unexpected {ch!r} after a closing quote", file=file, line=line)
        elif ch in "'\"" and not "".join(buf).strip():
            quote, buf = ch, []
        else:
            buf.append(ch)
        i += 1
    if quote is not None:
        raise ASlibFormatError(f"unterminated {quote} quote", file=file, line=line)
    tokens.append(("".join(buf) if quoted else "".join(buf).strip(), quoted))
    return tokens


def _parse_attribute(rest: str, path: Path, lineno: int) -> ArffAttribute:
    rest = rest.strip()
    if not rest:
        raise ASlibFormatError("expected '@attribute <name> <type>'", file=path, line=lineno)
    if rest[0] in "'\"":
        end = rest.find(rest[0], 1)
        if end < 0:
            raise ASlibFormatError("unterminated quote in attribute name", file=path, line=lineno)
        name, kind = rest[1:end], rest[end + 1 :].strip()
    else:
        parts = rest.split(None, 1)
        if len(parts) != 2:
            raise ASlibFormatError(f"expected '@attribute <name> <type>', got {rest!r}", file=path, line=lineno)
        name, kind = parts
    if kind.startswith("{"):
        if not kind.endswith("}"):
            raise ASlibFormatError(f"nominal type must end with '}}': {kind!r}", file=path, line=lineno)
        values = tuple(tok for tok, _ in split_arff_line(kind[1:-1], file=path, line=lineno))
        return ArffAttribute(name, "nominal", values)
    lowered = kind.split()[0].lower() if kind else ""
    if lowered in _NUMERIC:
        return ArffAttribute(name, "numeric")
    if lowered in ("string", "date"):
        return ArffAttribute(name, lowered)
    raise ASlibFormatError(
        f"unsupported attribute type {kind!r} (expected numeric, real, integer, string, date or {{...}})",
        file=path,
        line=lineno,
    )


def read_arff(path: str | Path) -> ArffTable:
    """Parse a dense ARFF file; see the module docstring for what is accepted."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise ASlibFormatError(f"cannot read the file: {err.strerror}", file=path) from None
    relation = ""
    attributes: list[ArffAttribute] = []
    rows: list[tuple[ArffValue, ...]] = []
    lines: list[int] = []
    in_data = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("%"):
            continue
        if not in_data:
            if not stripped.startswith("@"):
                raise ASlibFormatError(f"expected a header line starting with '@', got {stripped[:60]!r}", file=path, line=lineno)
            parts = stripped.split(None, 1)
            keyword, rest = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
            if keyword == "@relation":
                relation = rest.strip().strip("'\"")
            elif keyword == "@attribute":
                attributes.append(_parse_attribute(rest, path, lineno))
            elif keyword == "@data" or (keyword.startswith("@data") and not keyword[5:].strip(",;")):
                # tolerated: "@DATA," (CPMP-2015's feature_runstatus.arff has it)
                if not attributes:
                    raise ASlibFormatError("@data before any @attribute", file=path, line=lineno)
                in_data = True
            else:
                raise ASlibFormatError(f"unknown header keyword {keyword!r}", file=path, line=lineno)
            continue
        if stripped.startswith("{"):
            raise ASlibFormatError("sparse ARFF rows are not supported (ASlib tables are dense)", file=path, line=lineno)
        if "'" in stripped or '"' in stripped:
            tokens = split_arff_line(stripped, file=path, line=lineno)
        else:  # fast path: no quotes, so every comma separates values
            tokens = [(t.strip(), False) for t in stripped.split(",")]
        if len(tokens) != len(attributes):
            raise ASlibFormatError(
                f"expected {len(attributes)} comma-separated values, got {len(tokens)}", file=path, line=lineno
            )
        rows.append(tuple(_convert(tok, quoted, attr, path, lineno) for (tok, quoted), attr in zip(tokens, attributes)))
        lines.append(lineno)
    if not in_data:
        raise ASlibFormatError("no @data section", file=path)
    return ArffTable(path, relation, tuple(attributes), tuple(rows), tuple(lines))


def _convert(token: str, quoted: bool, attr: ArffAttribute, path: Path, lineno: int) -> ArffValue:
    if token == "?" and not quoted:
        return None
    if attr.kind == "numeric":
        try:
            return float(token)
        except ValueError:
            raise ASlibFormatError(
                f"column {attr.name!r}: expected a number or '?', got {token!r}", file=path, line=lineno
            ) from None
    if attr.kind == "nominal" and token not in attr.values:
        raise ASlibFormatError(
            f"column {attr.name!r}: {token!r} is not one of the declared values {list(attr.values)}",
            file=path,
            line=lineno,
        )
    return token


def _quote(value: object) -> str:
    if value is None:
        return "?"
    if isinstance(value, float):
        if math.isnan(value):
            return "?"
        return repr(value) if not value.is_integer() else str(int(value)) if abs(value) < 1e15 else repr(value)
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text == "" or any(c in text for c in ",'\"% {}\t\\") or text == "?":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return text


def write_arff(
    path: str | Path,
    relation: str,
    attributes: Sequence[ArffAttribute],
    rows: Iterable[Sequence[object]],
) -> None:
    """Write a dense ARFF file that :func:`read_arff` (and other ARFF readers) read back unchanged."""
    path = Path(path)
    out = [f"@RELATION {_quote(relation)}", ""]
    for attr in attributes:
        if attr.kind == "nominal":
            kind = "{" + ", ".join(_quote(v) for v in attr.values) + "}"
        else:
            kind = attr.kind.upper()
        out.append(f"@ATTRIBUTE {_quote(attr.name)} {kind}")
    out += ["", "@DATA"]
    for row in rows:
        out.append(",".join(_quote(v) for v in row))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
