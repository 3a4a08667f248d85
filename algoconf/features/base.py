"""The feature-extractor contract: named groups (steps) with costs, caps and dependencies.

As in ASlib's ``feature_steps``, an extractor's features come in groups; a group may *require*
others (it is computed only when they succeeded) and has a time cap. Computing a group returns its
values, its status and its cost (seconds spent), so selectors can charge feature time honestly.

Contract
--------
* Missing values are explicit: ``NaN`` with a non-OK status, never zeros.
* ``status`` is ``ok``, ``timeout`` (the cap was hit), ``crash`` (the computation failed: the message
  says why), ``presolved`` (a probe solved the instance: ``answer`` says SAT/UNSAT; values are
  still reported), or ``skipped`` (a required group did not succeed).
* ``compute_group`` runs in the calling process and checks its own deadline where it loops; the hard
  cap (a child process killed at the cap) is enforced by the executor (features/compute.py).
"""

from __future__ import annotations

import abc
import math
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import ClassVar, Mapping, Sequence

from algoconf.errors import InputError

__all__ = ["GroupStatus", "FeatureGroup", "GroupResult", "FeatureExtractor", "Deadline"]


class GroupStatus(str, Enum):
    OK = "ok"
    TIMEOUT = "timeout"
    CRASH = "crash"
    PRESOLVED = "presolved"
    SKIPPED = "skipped"

    @property
    def usable(self) -> bool:
        """Values of this group can be used (and groups requiring it may run)."""
        return self in (GroupStatus.OK, GroupStatus.PRESOLVED)


@dataclass(frozen=True)
class FeatureGroup:
    name: str
    features: tuple[str, ...]
    requires: tuple[str, ...] = ()
    cap: float = 10.0  # default time cap, seconds
    probe: bool = False  # runs a (partial) solver; may presolve


@dataclass(frozen=True)
class GroupResult:
    group: str
    status: GroupStatus
    values: Mapping[str, float]
    cost: float
    answer: str | None = None  # "SAT" / "UNSAT" when presolved
    message: str = ""

    def to_dict(self) -> dict:
        return {
            "group": self.group,
            "status": self.status.value,
            "values": {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in self.values.items()},
            "cost": self.cost,
            "answer": self.answer,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> "GroupResult":
        values = {k: (math.nan if v is None else float(v)) for k, v in d["values"].items()}
        return cls(d["group"], GroupStatus(d["status"]), values, float(d["cost"]), d.get("answer"), d.get("message", ""))


@dataclass
class Deadline:
    """A soft deadline for loops inside a group: ``expired()`` after ``seconds`` of process time."""

    seconds: float
    start: float = field(default_factory=time.process_time)

    def expired(self) -> bool:
        return time.process_time() - self.start >= self.seconds

    def elapsed(self) -> float:
        return time.process_time() - self.start


class FeatureExtractor(abc.ABC):
    """Base class: subclasses declare ``name`` and ``groups`` and implement ``_compute``."""

    name: ClassVar[str] = ""
    groups: ClassVar[Mapping[str, FeatureGroup]] = {}

    def feature_names(self, groups: Sequence[str] | None = None) -> list[str]:
        return [f for g in self.order(groups) for f in self.groups[g].features]

    def order(self, groups: Sequence[str] | None = None) -> list[str]:
        """The requested groups plus everything they require, dependencies first."""
        wanted = list(self.groups) if groups is None else list(groups)
        seen: list[str] = []

        def visit(name: str, stack: tuple[str, ...]) -> None:
            if name not in self.groups:
                raise KeyError(f"unknown feature group {name!r}; known: {', '.join(self.groups)}")
            if name in stack:
                raise ValueError(f"feature groups require each other in a cycle: {' -> '.join(stack + (name,))}")
            for dep in self.groups[name].requires:
                visit(dep, stack + (name,))
            if name not in seen:
                seen.append(name)

        for g in wanted:
            visit(g, ())
        return seen

    def compute_group(self, path: str | Path, group: str, *, cap: float | None = None, seed: int = 0) -> GroupResult:
        """Compute one group in this process.

        A malformed instance raises its InputError; any other failure becomes a ``crash`` result.
        """
        spec = self.groups[group]
        deadline = Deadline(spec.cap if cap is None else cap)
        start = time.process_time()
        try:
            values, status, answer = self._compute(Path(path), group, deadline, seed)
        except InputError:
            raise  # a malformed instance file is bad input, reported as such
        except Exception as err:  # the computation itself failed: record it as data
            nan = {f: math.nan for f in spec.features}
            return GroupResult(group, GroupStatus.CRASH, nan, time.process_time() - start, None, f"{type(err).__name__}: {err}")
        full = {f: float(values.get(f, math.nan)) for f in spec.features}
        return GroupResult(group, status, full, time.process_time() - start, answer)

    def extract(self, path: str | Path, groups: Sequence[str] | None = None, *, seed: int = 0) -> dict[str, GroupResult]:
        """All requested groups in dependency order, in this process (no hard cap)."""
        out: dict[str, GroupResult] = {}
        for g in self.order(groups):
            unmet = [d for d in self.groups[g].requires if not out[d].status.usable]
            if unmet:
                nan = {f: math.nan for f in self.groups[g].features}
                out[g] = GroupResult(g, GroupStatus.SKIPPED, nan, 0.0, None, f"required group(s) failed: {unmet}")
            else:
                out[g] = self.compute_group(path, g, seed=seed)
        return out

    def validate(self, path: Path) -> None:  # noqa: B027 (an optional hook: no check by default)
        """Raise the InputError of a malformed instance file (called before any run)."""

    @abc.abstractmethod
    def _compute(
        self, path: Path, group: str, deadline: Deadline, seed: int
    ) -> tuple[Mapping[str, float], GroupStatus, str | None]:
        """(values, status, answer) of one group."""
