"""Reading a user's text file: UTF-8 or a one-line error naming the file and line.

Every reader of a file the user wrote (scenarios, instance lists, feature tables, parameter files)
goes through :func:`read_user_text`, so a folder, a missing or unreadable file, or bytes that are not
UTF-8 all become the reader's own :class:`~algoconf.errors.InputError` subclass (exit code 2), never
a ``UnicodeDecodeError`` or ``IsADirectoryError`` traceback.
"""

from __future__ import annotations

from pathlib import Path

from algoconf.errors import InputError

__all__ = ["read_user_text", "MAX_TEXT_BYTES"]

#: a user's text file larger than this is refused (scenarios, lists and tables are far smaller)
MAX_TEXT_BYTES = 1 << 30


def read_user_text(path: str | Path, error: type[InputError], what: str = "file") -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped); ``error`` for anything else."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise error(f"the {what} is larger than {MAX_TEXT_BYTES >> 20} MiB", file=path)
        data = path.read_bytes()
    except IsADirectoryError:
        raise error(f"is a folder; expected a {what}", file=path) from None
    except OSError as err:
        raise error(f"cannot read {what}: {err.strerror or err}", file=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise error(f"not UTF-8 text: byte 0x{data[err.start]:02x} cannot be decoded", file=path, line=line) from None
    return text.removeprefix("\ufeff")
