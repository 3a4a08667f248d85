"""Run records: what was asked (RunRequest), what happened (RunResult), and costs computed from them.

Contracts
---------
* Records are frozen. A configuration travels as a plain ``dict`` of its *active* parameter values
  (JSON types: str, int, float, bool); :func:`config_key` hashes exactly those, so two configurations
  that differ only in inactive values are one configuration and are never run twice.
* A TIMEOUT (hit the scenario cutoff) or CAPPED (stopped earlier at a bound, by racing or adaptive
  capping) result is right-censored: its ``runtime`` is a lower bound of the true runtime. Every cost
  and statistic here says whether it is exact (:class:`Estimate.exact`), and never treats a lower
  bound as a value.
* Costs (PAR-k, quality) are computed from records on demand, never stored as the only truth.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "Status",
    "RunRequest",
    "RunResult",
    "Estimate",
    "config_key",
    "normalise_config",
    "par_cost",
    "result_cost",
    "mean_cost",
    "quantile_runtime",
]


class Status(str, Enum):
    """Outcome of one target run."""

    SUCCESS = "SUCCESS"  # finished within its limits (SAT, UNSAT, optimum, a quality value)
    TIMEOUT = "TIMEOUT"  # hit the scenario cutoff: runtime is a lower bound (censored)
    CAPPED = "CAPPED"  # stopped early at a bound below the cutoff (racing / adaptive capping): censored
    MEMOUT = "MEMOUT"  # hit the memory limit
    CRASHED = "CRASHED"  # non-zero exit, signal, garbage or wrong answer; stderr tail kept in info
    ABORTED = "ABORTED"  # the target asked to abort the whole run (AClib ABORT) or never really ran

    @property
    def censored(self) -> bool:
        """True when the runtime of such a result is only a lower bound."""
        return self in (Status.TIMEOUT, Status.CAPPED)

    @property
    def solved(self) -> bool:
        return self is Status.SUCCESS

    @property
    def failed(self) -> bool:
        """A failure of the target itself (counts towards the failure-rate stop)."""
        return self in (Status.CRASHED, Status.MEMOUT, Status.ABORTED)


def _normalise_value(value: Any) -> Any:
    # numpy scalars and the like -> Python types; floats that are integral stay floats (type matters)
    kind = type(value)
    if kind is str or kind is bool or kind is int:  # the common case first: per run, on every request
        return value
    if kind is float:
        if not math.isfinite(value):
            raise ValueError(f"configuration value {value!r} is not finite")
        return value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"configuration value {value!r} is not finite")
        return float(value)
    return str(value)


def normalise_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A configuration as a plain, sorted dict of JSON-typed values (``None`` values dropped)."""
    return {str(k): _normalise_value(v) for k, v in sorted(config.items()) if v is not None}


def config_key(config: Mapping[str, Any]) -> str:
    """Stable 16-hex-digit key of a configuration given as its *active* values.

    Equal dicts (whatever their order or numpy types) give equal keys; callers drop inactive values
    first (``algoconf.space.active_config`` does).
    """
    blob = json.dumps(normalise_config(config), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RunRequest:
    """One run to make: a configuration on an instance with a seed and a cutoff.

    ``cutoff`` is the scenario's per-run limit in seconds (None: no limit, quality scenarios only).
    ``bound`` is an earlier stop (adaptive capping), never above ``cutoff``; a run stopped there is
    CAPPED. ``race`` names the race a run belongs to (racing executor), or None.
    """

    config: Mapping[str, Any]
    instance: str
    seed: int
    cutoff: float | None
    bound: float | None = None
    race: str | None = None
    config_key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "config", normalise_config(self.config))
        if not self.config_key:
            object.__setattr__(self, "config_key", config_key(self.config))
        if self.cutoff is not None and not (self.cutoff > 0):
            raise ValueError(f"cutoff must be positive, got {self.cutoff}")
        if self.bound is not None:
            if self.bound < 0:
                raise ValueError(f"bound must not be negative, got {self.bound}")
            if self.cutoff is not None and self.bound > self.cutoff:
                object.__setattr__(self, "bound", float(self.cutoff))

    def with_bound(self, bound: float | None) -> "RunRequest":
        """This request stopped at ``bound`` instead (clipped to the cutoff), without normalising its
        configuration again (``dataclasses.replace`` would: a race's every later arm pays it)."""
        if bound is not None:
            if bound < 0:
                raise ValueError(f"bound must not be negative, got {bound}")
            if self.cutoff is not None and bound > self.cutoff:
                bound = float(self.cutoff)
        new = copy.copy(self)
        object.__setattr__(new, "bound", bound)
        return new

    @property
    def key(self) -> tuple[str, str, int]:
        """The identity of a run in the history: (configuration key, instance, seed)."""
        return (self.config_key, self.instance, int(self.seed))

    @property
    def limit(self) -> float | None:
        """The time after which this run is stopped: the bound if set, else the cutoff."""
        return self.bound if self.bound is not None else self.cutoff

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": dict(self.config),
            "config_key": self.config_key,
            "instance": self.instance,
            "seed": int(self.seed),
            "cutoff": self.cutoff,
            "bound": self.bound,
            "race": self.race,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RunRequest":
        return cls(
            config=data["config"],
            instance=data["instance"],
            seed=int(data["seed"]),
            cutoff=data.get("cutoff"),
            bound=data.get("bound"),
            race=data.get("race"),
        )


@dataclass(frozen=True)
class RunResult:
    """What one run produced.

    ``runtime`` is CPU seconds of the whole process tree (from the kernel) unless the target reports
    its own; for TIMEOUT/CAPPED it is a lower bound (``censored``). ``wallclock`` is elapsed seconds.
    ``quality`` is the target's reported cost for quality objectives. ``info`` holds extra facts
    (exit code, signal, answer, ``stderr_tail`` for failures). ``started``/``finished`` are UNIX times.
    """

    request: RunRequest
    status: Status
    runtime: float
    wallclock: float = 0.0
    quality: float | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    worker: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "runtime", float(self.runtime))
        object.__setattr__(self, "info", dict(self.info))

    @property
    def censored(self) -> bool:
        return self.status.censored

    @property
    def bound(self) -> float | None:
        """For a censored result, the lower bound of the true runtime; else None."""
        return self.runtime if self.censored else None

    @property
    def key(self) -> tuple[str, str, int]:
        return self.request.key

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request.to_dict(),
            "status": self.status.value,
            "runtime": self.runtime,
            "wallclock": self.wallclock,
            "quality": self.quality,
            "info": dict(self.info),
            "started": self.started,
            "finished": self.finished,
            "worker": self.worker,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RunResult":
        return cls(
            request=RunRequest.from_dict(data["request"]),
            status=Status(data["status"]),
            runtime=data["runtime"],
            wallclock=data.get("wallclock", 0.0),
            quality=data.get("quality"),
            info=data.get("info") or {},
            started=data.get("started", 0.0),
            finished=data.get("finished", 0.0),
            worker=data.get("worker", ""),
        )


@dataclass(frozen=True)
class Estimate:
    """A statistic of possibly censored data: ``value`` is exact when ``exact``, else a lower bound."""

    value: float
    exact: bool
    n: int = 0
    n_censored: int = 0

    def __float__(self) -> float:
        return self.value


def par_cost(result: RunResult, cutoff: float, par_factor: float = 10.0) -> Estimate:
    """PAR-k cost of one runtime result.

    SUCCESS: its runtime (exact). TIMEOUT, MEMOUT, CRASHED, ABORTED: ``par_factor * cutoff`` (exact by
    the PAR-k convention, which counts every unsolved run as a timeout). CAPPED: its runtime as a lower
    bound (the run was stopped before the cutoff, so whether it would have timed out is unknown).
    """
    status = result.status
    if status is Status.SUCCESS:
        return Estimate(min(result.runtime, cutoff), True, 1, 0)
    if status is Status.CAPPED:
        return Estimate(result.runtime, False, 1, 1)
    return Estimate(par_factor * cutoff, True, 1, 1 if status is Status.TIMEOUT else 0)


def result_cost(
    result: RunResult,
    *,
    objective: str = "runtime",
    cutoff: float | None = None,
    par_factor: float = 10.0,
    maximize: bool = False,
    crash_cost: float = math.inf,
) -> Estimate:
    """Cost of one result under a scenario's objective (lower is better).

    ``objective="runtime"`` gives :func:`par_cost`; ``"quality"`` gives the reported quality (negated
    when maximising), and ``crash_cost`` for a result without a quality (failures, timeouts).
    """
    if objective == "runtime":
        if cutoff is None:
            raise ValueError("a runtime objective needs a cutoff")
        return par_cost(result, cutoff, par_factor)
    if objective != "quality":
        raise ValueError(f"unknown objective {objective!r}; expected 'runtime' or 'quality'")
    if result.status is Status.SUCCESS and result.quality is not None and math.isfinite(result.quality):
        return Estimate(-result.quality if maximize else result.quality, True, 1, 0)
    return Estimate(crash_cost, True, 1, 0)


def mean_cost(costs: Iterable[Estimate]) -> Estimate:
    """Mean of per-run costs; a lower bound as soon as one of them is a lower bound."""
    items = list(costs)
    if not items:
        return Estimate(math.nan, False, 0, 0)
    total = math.fsum(c.value for c in items)
    return Estimate(
        total / len(items),
        all(c.exact for c in items),
        len(items),
        sum(c.n_censored for c in items),
    )


def quantile_runtime(results: Sequence[RunResult], q: float) -> Estimate:
    """The q-quantile of runtimes, treating censored runtimes as lower bounds.

    Sorted by runtime, the q-quantile is the value at rank ceil(q*n). It is exact only when that
    rank holds an exact value and no censored value lies strictly below it (such a value could
    really be larger and push the quantile up); otherwise the sample value is a lower bound (and
    ``inf`` when the rank is only reached through censored runs).
    """
    if not 0 <= q <= 1:
        raise ValueError(f"q must be in [0, 1], got {q}")
    n = len(results)
    if n == 0:
        return Estimate(math.nan, False, 0, 0)
    ordered = sorted(results, key=lambda r: (r.runtime, r.censored))
    rank = max(1, math.ceil(q * n)) - 1
    chosen = ordered[rank]
    n_cens = sum(r.censored for r in results)
    below_censored = any(r.censored for r in ordered[:rank])
    exact = not chosen.censored and not below_censored
    return Estimate(chosen.runtime, exact, n, n_cens)
