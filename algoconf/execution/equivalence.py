"""Functional-equivalence caching: configurations that behave alike share their results.

After "Unified Functional Hashing in Automatic Machine Learning": two configurations that differ in
their values but make the solver do exactly the same thing (a float the solver rounds, an option
that has no effect under the others and is not a PCS condition) need not both be run. Before a
configuration's first run, a cheap **behaviour probe** runs the solver on one small instance with a
fixed seed and a deterministic limit (a conflict limit, or an instance it finishes) and hashes its
deterministic trace (conflict, decision and propagation counts, the answer; never times). Configurations
with the same digest form one *class*; a request of one member on an instance-seed pair that another
member already ran for real is answered from that run instead of running it.

Contract
--------
* Opt-in: the engine shares only with an :class:`EquivalenceCache`, built from a target that has a
  :class:`BehaviourProbe` (runners declare one as their ``trace_probe``; a solver without a
  deterministic trace has none, and turning the cache on for it is an input error).
* A shared result is what the request would have got from the source run, censoring kept:
  a SUCCESS in time is that SUCCESS; a SUCCESS slower than the request's limit, or a TIMEOUT/CAPPED
  source whose bound reaches the request's limit, is censored at the request's limit (CAPPED under a
  bound, TIMEOUT at the cutoff). A censored source below the request's limit answers nothing (the
  request runs), nor does a failed source (CRASHED, MEMOUT: they run again) or a result that was
  itself shared (only real runs are sources).
* A shared result is recorded under the requesting configuration's key with
  ``info["shared_from"] = {"config_key", "instance", "seed"}`` of its source and ``worker ==
  "shared"``: it is a result the tuner is told, not a run. :func:`spent_cpu` is 0 for it; every probe's
  cost is target time spent (counted in the CPU budget by the engine). The run budget counts it (it
  is one evaluation the tuner receives).
* Probes are stored in the history's state blob ``"equivalence"`` as soon as they ran (before the
  request they were run for is submitted), so a resumed run neither probes a configuration again nor
  loses the probes' cost. A probe whose run does not end on its own (limit, crash) has no digest: that
  configuration is never equivalent to another. Two configurations whose probe command lines are the
  same share the probe without running it (the trace is deterministic).
* The probe sees only its instance and the first part of the search its limit allows: an option
  that acts only later, or only on other kinds of instances, looks like no-effect (docs/execution.md,
  "Functional-equivalence caching").
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Protocol

from algoconf.records import RunRequest, RunResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.history.contract import HistoryStore

__all__ = [
    "SHARED_FROM",
    "STATE_NAME",
    "ProbeRecord",
    "BehaviourProbe",
    "EquivalenceCache",
    "EquivalenceStats",
    "shared_result",
    "spent_cpu",
    "trace_digest",
]

log = logging.getLogger(__name__)

#: ``RunResult.info`` key of a result shared from another configuration's run
SHARED_FROM = "shared_from"
#: name of the history state blob holding the probes
STATE_NAME = "equivalence"
_STATE_VERSION = 1


def spent_cpu(result: RunResult) -> float:
    """Target time a recorded result cost: its runtime, or 0 for a result shared from another run."""
    return 0.0 if SHARED_FROM in result.info else float(result.runtime)


def trace_digest(trace: str) -> str:
    """The behaviour hash of a normalised trace (16 hex digits, like configuration keys)."""
    return hashlib.sha256(trace.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ProbeRecord:
    """One probe: the trace's ``digest`` (None: no deterministic trace, never equivalent), its
    ``cost`` in seconds on the scenario's clock, and why there is no digest."""

    digest: str | None
    cost: float
    reason: str = ""


class BehaviourProbe(Protocol):
    """What the cache needs from a target to hash a configuration's behaviour."""

    @property
    def identity(self) -> str:
        """What every digest depends on (solver, probe command, probe instance's content): stored
        probes are used again only under the same identity."""

    def command_key(self, config: Mapping[str, Any]) -> str:
        """The probe's command line for ``config`` (equal command lines need one probe only)."""

    def run(self, config: Mapping[str, Any], time_kind: str) -> ProbeRecord:
        """Probe ``config`` now (a real process in the calling thread) and hash its trace."""


def shared_result(source: RunResult, request: RunRequest, now: float | None = None) -> RunResult | None:
    """The result ``request`` gets from ``source`` (a real run of an equivalent configuration on the
    same instance and seed), or None when ``source`` cannot answer it (see the module contract)."""
    if SHARED_FROM in source.info or source.status.failed:
        return None
    limit = request.limit
    limit = math.inf if limit is None else float(limit)
    capped = request.bound is not None and (request.cutoff is None or request.bound < request.cutoff)
    censored_status = Status.CAPPED if capped else Status.TIMEOUT
    quality = None
    if source.status is Status.SUCCESS:
        if source.runtime <= limit:
            status, runtime, quality = Status.SUCCESS, float(source.runtime), source.quality
        else:
            status, runtime = censored_status, limit
    elif source.status.censored:
        source_limit = source.request.limit
        source_limit = math.inf if source_limit is None else float(source_limit)
        if source_limit < limit:  # it stopped before this request would have: unknown here
            return None
        status, runtime = censored_status, min(float(source.runtime), limit)
    else:  # pragma: no cover - every status is SUCCESS, censored or failed
        return None
    wallclock = source.wallclock * (runtime / source.runtime) if source.runtime > 0 else 0.0
    stamp = time.time() if now is None else now
    info: dict[str, Any] = {SHARED_FROM: {"config_key": source.request.config_key,
                                          "instance": source.request.instance, "seed": int(source.request.seed)}}
    if "answer" in source.info and status is Status.SUCCESS:
        info["answer"] = source.info["answer"]
    return RunResult(request=request, status=status, runtime=runtime, wallclock=wallclock, quality=quality,
                     info=info, started=stamp, finished=stamp, worker="shared")


@dataclass(frozen=True)
class EquivalenceStats:
    """What the cache did in a run directory (all sessions): configurations probed, probes run and
    their cost, probes answered by an equal command line, classes with more than one member, results
    shared and their runtime (the target time the runs they replace would have cost: a result
    censored at the request's limit is the time that run would have been stopped at)."""

    configs: int = 0
    probes_run: int = 0
    probes_reused: int = 0
    probe_cost: float = 0.0
    classes_shared: int = 0
    shared: int = 0
    shared_runtime: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "configs": self.configs, "probes_run": self.probes_run, "probes_reused": self.probes_reused,
            "probe_cost": round(self.probe_cost, 6), "classes_with_several_configs": self.classes_shared,
            "shared": self.shared, "shared_runtime": round(self.shared_runtime, 6),
            "net_saved": round(self.shared_runtime - self.probe_cost, 6),
        }


class EquivalenceCache:
    """Probes configurations, groups them by behaviour digest, and answers requests from an
    equivalent configuration's real runs in ``history`` (see the module docstring).

    Not thread-safe: the engine calls it from its own thread.
    """

    def __init__(self, probe: BehaviourProbe, history: HistoryStore, *, time_kind: str = "cpu"):
        self.probe = probe
        self.history = history
        self.time_kind = time_kind
        self._probes: dict[str, ProbeRecord] = {}  # config key -> probe
        self._by_command: dict[str, str] = {}  # probe command line -> config key probed with it
        self._members: dict[str, list[str]] = {}  # digest -> config keys, in probe order
        self._spent = 0.0  # cost of every probe ever run here (also of probes of an older identity)
        self._runs = 0
        self._reused = 0
        self._load()

    # --- state ------------------------------------------------------------------------------------
    def _load(self) -> None:
        saved = self.history.load_state(STATE_NAME)
        if not saved:
            return
        self._spent = float(saved.get("spent", 0.0))
        self._runs = int(saved.get("probes_run", 0))
        self._reused = int(saved.get("probes_reused", 0))
        if saved.get("identity") != self.probe.identity:
            log.warning("the stored behaviour probes were made with another probe (%s); probing again",
                        saved.get("identity"))
            return
        for key, (digest, cost, command) in saved.get("configs", {}).items():
            self._add(key, ProbeRecord(digest, float(cost)), command)

    def _blob(self) -> dict[str, Any]:
        commands = {key: command for command, key in self._by_command.items()}
        return {
            "version": _STATE_VERSION, "identity": self.probe.identity, "spent": self._spent,
            "probes_run": self._runs, "probes_reused": self._reused,
            "configs": {k: [p.digest, p.cost, commands.get(k)] for k, p in self._probes.items()},
        }

    def _add(self, key: str, record: ProbeRecord, command: str | None) -> None:
        self._probes[key] = record
        if command is not None:
            self._by_command.setdefault(command, key)
        if record.digest is not None:
            self._members.setdefault(record.digest, []).append(key)

    # --- probing ----------------------------------------------------------------------------------
    @property
    def probe_cost(self) -> float:
        """Target seconds every probe run in this run directory cost (counted in the CPU budget)."""
        return self._spent

    def digest(self, config: Mapping[str, Any], key: str) -> tuple[str | None, float]:
        """The behaviour digest of ``config`` (key ``key``), probing it when it has none yet; and
        the cost of the probe run now (0 when stored or reused from an equal command line)."""
        known = self._probes.get(key)
        if known is not None:
            return known.digest, 0.0
        command = self.probe.command_key(config)
        twin = self._by_command.get(command)
        if twin is not None:
            record, cost = ProbeRecord(self._probes[twin].digest, 0.0, "same probe command"), 0.0
            self._reused += 1
        else:
            record = self.probe.run(config, self.time_kind)
            cost = float(record.cost)
            self._spent += cost
            self._runs += 1
            if record.digest is None:
                log.info("configuration %s has no behaviour digest: %s", key, record.reason)
        self._add(key, record, command)
        self.history.commit([], state={STATE_NAME: self._blob()})
        return record.digest, cost

    # --- sharing ----------------------------------------------------------------------------------
    def lookup(self, request: RunRequest) -> tuple[RunResult | None, float]:
        """A result for ``request`` shared from an equivalent configuration's real run on the same
        instance and seed (None: run it), and the probe cost spent now to know."""
        digest, cost = self.digest(request.config, request.config_key)
        if digest is None:
            return None, cost
        for other in self._members.get(digest, ()):
            if other == request.config_key:
                continue
            source = self.history.get((other, request.instance, int(request.seed)))
            if source is None:
                continue
            shared = shared_result(source, request)
            if shared is not None:
                return shared, cost
        return None, cost

    def stats(self) -> EquivalenceStats:
        """What the cache did in this run directory, read from the history (all sessions)."""
        shared = [r for r in self.history if SHARED_FROM in r.info]
        return EquivalenceStats(
            configs=len(self._probes), probes_run=self._runs, probes_reused=self._reused,
            probe_cost=self._spent, classes_shared=sum(1 for m in self._members.values() if len(m) > 1),
            shared=len(shared), shared_runtime=math.fsum(r.runtime for r in shared),
        )
