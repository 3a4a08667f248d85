"""Behaviour probes of real solvers: a deterministic trace of one small run, for equivalence caching.

A runner that can be probed declares a :class:`TraceProbe` (its ``trace_probe``): the command that
makes the solver print its search statistics, the probe instance (``runners/probe/<file>`` in the
repository), a fixed seed, a deterministic limit where the solver has one (cadical ``-c``, clasp
``--solve-limit``; minisat has none, so its probe instance is one it refutes in ~11 000 conflicts),
and which output lines form the trace. A solver without a limit of its own is stopped by the
probe at a fixed point of its output (``stop_after``: minisat's progress table prints a row at
conflicts 100, 250, 475, ... 11 330 whatever the configuration, so its 10th row is a conflict
limit; the output is line-buffered through ``stdbuf -oL``). The trace keeps counters (conflicts, decisions,
propagations, restarts, ...), the progress table where it holds counts only, and the answer; every
time, rate and memory figure is dropped. :class:`RunnerProbe` runs it under enforced limits and
hashes the trace (:mod:`algoconf.execution.equivalence`).

The probe instances: ``u3-175-unsat.cnf`` = ``random_ksat(seed=11, variables=175)`` index 0 (UNSAT;
default minisat: 11 156 conflicts, ~0.07 s; not used now), ``u3-250-unsat.cnf`` = ``random_ksat(seed=7,
variables=250)`` index 0 (UNSAT, 202 864 conflicts for default minisat; the probes stop at 11 330
(minisat), 25 000 (cadical) and 20 000 (clasp) conflicts: 0.05-0.4 s). The limits
are long enough that cadical's ``walk`` (first used after ~20 000 conflicts there) changes the
trace; an option acting only later than the limit still looks like no-effect.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from algoconf.execution.equivalence import ProbeRecord, trace_digest
from algoconf.execution.limits import run_limited
from algoconf.instances import Instance
from algoconf.records import RunRequest

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.runners.base import RunnerTarget, SolverRunner

__all__ = ["TraceProbe", "RunnerProbe", "PROBE_DIR"]

PROBE_DIR = Path(__file__).resolve().parents[2] / "runners" / "probe"


@dataclass(frozen=True)
class TraceProbe:
    """How to probe one solver (see the module docstring).

    ``command`` is a runner command template (``{config}``, ``{instance}``) that prints
    statistics; ``instance`` a file of ``runners/probe/``; ``seed`` the run seed the runner's
    translation passes on; ``limit`` a CPU-seconds backstop (a probe that hits it has no digest);
    ``exit_codes`` those of a probe that ended on its own; ``stop_after = (pattern, n)``: the probe
    is killed once ``n`` output lines matched ``pattern`` (then it ended at a deterministic point:
    its trace is kept). Trace lines: a match of ``counters``
    (group 1 the name, group 2 the value; only after a line matching ``section`` when given) is kept
    as ``name=value``, a match of ``verbatim`` as it is.
    """

    command: tuple[str, ...]
    instance: str
    counters: str
    verbatim: str
    seed: int = 1
    limit: float = 10.0
    exit_codes: frozenset[int] = frozenset({10, 20})
    section: str | None = None
    stop_after: tuple[str, int] | None = None

    @property
    def path(self) -> Path:
        return PROBE_DIR / self.instance

    def trace(self, stdout: str) -> str:
        """The deterministic part of the probe's output, one item a line."""
        counters, verbatim = re.compile(self.counters), re.compile(self.verbatim)
        in_section = self.section is None
        section = re.compile(self.section) if self.section else None
        kept: list[str] = []
        for raw in stdout.splitlines():
            line = raw.strip()
            if section is not None and section.search(line):
                in_section = True
                continue
            match = counters.match(line) if in_section else None
            if match:
                kept.append(f"{match.group(1).strip()}={match.group(2).strip()}")
            elif verbatim.match(line):
                kept.append(" ".join(line.split()))
        return "\n".join(kept)


class RunnerProbe:
    """The :class:`~algoconf.execution.equivalence.BehaviourProbe` of a runner with a trace probe."""

    def __init__(self, runner: "SolverRunner", probe: TraceProbe, target: "RunnerTarget"):
        """``target``: the runner's target with the probe's command (``probe.command``), built by
        :meth:`RunnerTarget.behaviour_probe <algoconf.runners.base.RunnerTarget.behaviour_probe>`."""
        self.runner = runner
        self.spec = probe
        self._target = target
        self._instance = Instance("probe", probe.path)

    def __repr__(self) -> str:
        return f"RunnerProbe({self.runner.name!r}, {self.spec.instance!r})"

    @cached_property
    def identity(self) -> str:
        content = hashlib.sha256(self.spec.path.read_bytes()).hexdigest()[:16]
        program = shutil.which(self.runner.program) or self.runner.program
        return f"{self.runner.name} {program} {' '.join(self.spec.command)} seed={self.spec.seed} instance={content}"

    def _request(self, config: Mapping[str, Any]) -> RunRequest:
        return RunRequest(config, "probe", seed=self.spec.seed, cutoff=self.spec.limit)

    def command_key(self, config: Mapping[str, Any]) -> str:
        launch = self._target.prepare(self._request(config), self._instance)
        return "\0".join(launch.argv)

    def run(self, config: Mapping[str, Any], time_kind: str) -> ProbeRecord:
        launch = self._target.prepare(self._request(config), self._instance)
        if self.spec.stop_after is not None:
            return self._run_until(launch, time_kind, self.spec.stop_after)
        outcome = run_limited(launch.argv, time_limit=self.spec.limit, time_kind="cpu", env=launch.env,
                              cwd=launch.cwd, stdin=launch.stdin)
        cost = outcome.wallclock if time_kind == "wall" else outcome.cpu_time
        if outcome.killed:
            return ProbeRecord(None, cost, f"the probe hit its {self.spec.limit:g} s limit")
        if outcome.exit_code not in self.spec.exit_codes:
            return ProbeRecord(None, cost, f"the probe ended with exit code {outcome.exit_code}: "
                                           f"{outcome.stderr_tail.strip()[-200:]}")
        trace = self.spec.trace(outcome.stdout)
        if not trace:
            return ProbeRecord(None, cost, "the probe printed no trace")
        return ProbeRecord(trace_digest(f"exit {outcome.exit_code}\n{trace}"), cost)

    def _run_until(self, launch: Any, time_kind: str, stop_after: tuple[str, int]) -> ProbeRecord:
        """Run the probe line-buffered and kill it once ``stop_after`` lines were printed."""
        pattern, count = re.compile(stop_after[0]), stop_after[1]
        limit = self.spec.limit

        def cpu_backstop() -> None:  # runs in the child: the kernel ends it at the limit
            seconds = int(limit) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))

        started = time.monotonic()
        proc = subprocess.Popen(["stdbuf", "-oL", *launch.argv], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, env=launch.env, cwd=launch.cwd, text=True,
                                preexec_fn=cpu_backstop, start_new_session=True)
        stdout = proc.stdout
        assert stdout is not None  # stdout=PIPE
        timer = threading.Timer(max(5.0 * limit, limit + 10.0), _kill, (proc,))  # wall backstop
        timer.start()
        lines: list[str] = []
        seen, stopped = 0, False
        try:
            for line in stdout:
                lines.append(line)
                if pattern.match(line.strip()):
                    seen += 1
                    if seen >= count:
                        stopped = True
                        _kill(proc)
                        break
        except BaseException:  # interrupted: the probe must not outlive its caller
            _kill(proc)
            raise
        finally:
            timer.cancel()
            stdout.close()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        cost = time.monotonic() - started if time_kind == "wall" else cpu
        if not stopped and proc.returncode not in self.spec.exit_codes:
            return ProbeRecord(None, cost, f"the probe ended with exit code {proc.returncode} "
                                           f"before {count} lines of its trace")
        trace = self.spec.trace("".join(lines))
        ending = "stopped" if stopped else f"exit {proc.returncode}"
        return ProbeRecord(trace_digest(f"{ending}\n{trace}"), cost) if trace else ProbeRecord(None, cost, "no trace")


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
