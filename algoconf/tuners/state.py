"""Typed tuner state: one frozen dataclass per tuner lists what its ``state()`` holds.

A tuner's ``state()`` is ``self.snapshot().to_dict()`` and its ``from_state`` reads the dict back
with ``XState.from_dict``; the dataclass's fields are the one list of what a state holds. Field
values are JSON shapes (the dict goes straight into the run history's state snapshot, see
docs/execution.md, "The history's state"), except fields typed as another :class:`StateRecord`,
which nest as dicts. A field with a default may be absent from a state written before the field
existed (the default says how such a run continues); a state that lacks a field without a default,
or holds one the record does not know, is a ``ValueError`` naming it: it cannot continue exactly.

A snapshot holds the tuner's live lists and dicts, not copies (a snapshot per commit must stay
cheap): serialise it before the tuner moves on, as the engine does. ``from_dict`` copies nothing
either; a tuner rebuilt from a record copies what it will change.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # typing.Self is Python 3.11+; setup.cfg says 3.10
    from typing_extensions import Self

__all__ = ["StateRecord"]


@dataclasses.dataclass(frozen=True)
class StateRecord:
    """Base of the typed state records; subclasses are frozen dataclasses."""

    #: what a state of this kind is called in error messages
    kind: ClassVar[str] = "tuner state"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-serialisable dict of every field (nested records as dicts)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.to_dict() if isinstance(value, StateRecord) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The record of ``data`` (what :meth:`to_dict` wrote, or an older state without the
        fields that have defaults)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"{cls.kind}: unknown field(s) {', '.join(map(repr, unknown))}")
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise ValueError(f"{cls.kind}: field {f.name!r} is missing")
                continue
            value = data[f.name]
            hint = hints.get(f.name)
            if isinstance(hint, type) and issubclass(hint, StateRecord):
                value = hint.from_dict(value)
            values[f.name] = value
        return cls(**values)
