"""The two peers of benchmarks/ac_suite.py (SMAC3 and irace as their authors ship them), driven by
the harness so that every contender gets the same runs (same answer function: a runtime matrix or
the real runner under its limits), the same cutoff and the same target-CPU (or wall-clock) budget.

* :func:`run_native_smac3` — SMAC3's AlgorithmConfigurationFacade with its defaults, through its
  ask/tell interface: the harness asks whenever one of ``workers`` executor slots is free (what
  SMAC's own optimize loop does with a Dask runner), submits the trial to an algoconf executor
  (a :class:`~algoconf.execution.virtual.VirtualExecutor` over a runtime matrix, or the local
  executor on real runs), tells SMAC the finished trial's PAR-k cost, and stops when the budget is
  used (runs still going then are stopped and not told, as algoconf's engine does). SMAC's own
  TargetFunctionRunner is never called, so the ``'RealFunction' object has no attribute
  '__code__'`` crash of benchmarks/ac_tuners.py with one worker cannot happen here.
* :func:`run_irace` — irace (the R package, 3.x) started by ``Rscript`` on ``irace_peer.R`` (beside this module)
  with its defaults except: ``maxTime`` = the target-CPU budget, ``parallel`` = workers, its seed,
  ``deterministic`` as the scenario, and the space's default configuration as its initial
  configuration (every other contender starts from the default too). irace's targetRunner is an R
  function that sends each experiment over a local TCP socket to an :class:`AnswerServer` in this
  process, which answers it with the same answer function as the other contenders (a matrix
  look-up, or algoconf's limited run of the real runner — the run ``python -m algoconf.runners
  --irace`` makes, without a Python start-up per run). irace sees what its ``--irace`` runner
  prints: cost = the runtime when solved, else ``par_factor × cutoff``, and time = the CPU time
  used, i.e. the time capped at the cutoff for a timeout. irace's incumbents over time come from
  its log: the best elite after each iteration, at the summed experiment time (and, on W workers,
  the greedy list-schedule wall time of each race step, which is how irace's ``mclapply`` with load
  balancing runs them) up to that iteration.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import shutil
import socketserver
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from algoconf.records import RunRequest, RunResult, Status
from algoconf.space import active_config, default_config
from algoconf.space.irace import IRACE_DEFAULT_DIGITS, _irace_names, write_irace
from algoconf.space.values import format_value, is_finite_domain

IRACE_SCRIPT = Path(__file__).resolve().with_name("irace_peer.R")
Answer = Callable[[RunRequest], RunResult]


@dataclass
class PeerRun:
    """What one peer run leaves: the incumbent (active values), the accounting and the trajectory
    ``[(target CPU s, wall s, incumbent)]`` (one point per incumbent change)."""

    incumbent: dict[str, Any]
    runs: int
    cpu: float
    wall: float
    tuner_seconds: float
    trajectory: list[tuple[float, float, dict[str, Any]]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


class PeerRefused(RuntimeError):
    """A peer declined to run with these settings (e.g. irace: budget too small for its races)."""


def cost_of(result: RunResult, cutoff: float, par_factor: float) -> float:
    """PAR-k cost of a run: its runtime when solved, else ``par_factor × cutoff``."""
    return float(result.runtime) if result.status is Status.SUCCESS else par_factor * cutoff


# --- native SMAC3 -----------------------------------------------------------------------------------
def _never_called(config: Any, instance: str, seed: int = 0) -> float:  # a plain function: SMAC inspects __code__
    raise RuntimeError("ac_suite drives SMAC3 through ask/tell; its target function is never called")


def run_native_smac3(
    space: Any,
    train: Sequence[str],
    features: Mapping[str, Sequence[float]] | None,
    executor: Any,
    *,
    seed: int,
    workers: int,
    deterministic: bool,
    cutoff: float,
    par_factor: float,
    cpu_budget: float | None,
    wall_budget: float | None,
) -> PeerRun:
    """SMAC3's AC facade (its defaults) on ``executor`` until ``cpu_budget`` target-CPU seconds or
    ``wall_budget`` seconds of ``executor.now()`` are used (module docstring)."""
    from smac import AlgorithmConfigurationFacade
    from smac import Scenario as SmacScenario
    from smac.runhistory import StatusType, TrialValue

    out = tempfile.mkdtemp(prefix="acsuite-smac3-")
    try:
        sc = SmacScenario(
            space,
            output_directory=Path(out),
            deterministic=deterministic,
            n_trials=10**9,
            instances=list(train),
            instance_features={k: list(v) for k, v in features.items()} if features else None,
            seed=seed,
            n_workers=1,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smac = AlgorithmConfigurationFacade(sc, _never_called, overwrite=True, logging_level=40)
        start = executor.now()
        cpu, runs, tuner = 0.0, 0, 0.0
        inflight: dict[cf.Future, Any] = {}
        trajectory: list[tuple[float, float, dict[str, Any]]] = []
        last_key = None

        def used_up() -> bool:
            return (cpu_budget is not None and cpu >= cpu_budget) or (
                wall_budget is not None and executor.now() - start >= wall_budget
            )

        while True:
            while len(inflight) < workers and not used_up():
                t0 = time.thread_time()
                info = smac.ask()
                tuner += time.thread_time() - t0
                config = active_config(space, dict(info.config))
                if info.instance is None:  # SMAC was given the training instances: every trial names one
                    raise RuntimeError(f"SMAC3 asked a trial without an instance: {info}")
                request = RunRequest(config, info.instance, int(info.seed or 0), cutoff)
                inflight[executor.submit(request)] = info
            if not inflight:
                break
            timeout = None if wall_budget is None else max(0.0, wall_budget - (executor.now() - start))
            done, _ = executor.wait(list(inflight), timeout=timeout, return_when=cf.FIRST_COMPLETED)
            for future in done:
                info = inflight.pop(future)
                result = future.result()
                if result.status is Status.CAPPED:  # stopped by the harness at the end: not a run made
                    continue
                cpu += float(result.runtime)
                runs += 1
                status = StatusType.SUCCESS if result.status in (Status.SUCCESS, Status.TIMEOUT) else StatusType.CRASHED
                t0 = time.thread_time()
                smac.tell(
                    info,
                    TrialValue(cost=cost_of(result, cutoff, par_factor), time=float(result.runtime), status=status),
                )
                inc = smac.intensifier.get_incumbent()
                tuner += time.thread_time() - t0
                if inc is not None:
                    key = tuple(sorted(dict(inc).items()))
                    if key != last_key:
                        last_key = key
                        trajectory.append((cpu, executor.now() - start, active_config(space, dict(inc))))
            if used_up():
                for future in list(inflight):
                    executor.stop(future)
                for future in list(inflight):
                    future.result()  # resolved CAPPED: not told, not counted
                inflight.clear()
                break
        inc = smac.intensifier.get_incumbent()
        incumbent = active_config(space, dict(inc) if inc is not None else dict(space.get_default_configuration()))
        return PeerRun(incumbent, runs, cpu, executor.now() - start, tuner, trajectory)
    finally:
        shutil.rmtree(out, ignore_errors=True)


# --- irace --------------------------------------------------------------------------------------------
def irace_missing() -> str | None:
    """Why irace cannot run here (None when ``Rscript`` and the irace package are there)."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (install.sh installs r-cran-irace)"
    probe = subprocess.run(["Rscript", "-e", "suppressMessages(library(irace))"], capture_output=True, text=True)
    if probe.returncode != 0:
        return "the R package irace is not installed (install.sh installs r-cran-irace)"
    return None


class AnswerServer(socketserver.ThreadingTCPServer):
    """Answers irace's experiments: one line ``instance<TAB>seed<TAB>bound<TAB>name=value...`` in,
    one line ``cost time`` out (irace names of the parameters, NA values left out)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer: Answer, space: Any, cutoff: float, par_factor: float):
        super().__init__(("127.0.0.1", 0), _AnswerHandler)
        self.answer, self.space, self.cutoff, self.par_factor = answer, space, cutoff, par_factor
        self.names = _irace_to_real(space)
        self.lock = threading.Lock()
        self.runs, self.cpu, self.answer_seconds = 0, 0.0, 0.0
        self.errors: list[str] = []

    def handle_line(self, line: str) -> str:

        instance, seed, bound, *pairs = line.rstrip("\n").split("\t")
        values: dict[str, Any] = {}
        for pair in pairs:
            name, _, text = pair.partition("=")
            real = self.names[name]
            hp = self.space[real]
            values[real] = text if is_finite_domain(hp) else float(text)
        config = active_config(self.space, values)
        limit = float(bound) if bound not in ("", "NA") and float(bound) > 0 else None
        request = RunRequest(
            config, instance, int(seed), self.cutoff, bound=limit if limit is not None and limit < self.cutoff else None
        )
        t0 = time.perf_counter()
        result = self.answer(request)
        spent = time.perf_counter() - t0
        with self.lock:
            self.runs += 1
            self.cpu += float(result.runtime)
            self.answer_seconds += spent
        return f"{cost_of(result, self.cutoff, self.par_factor)!r} {float(result.runtime)!r}"


class _AnswerHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline().decode()
        try:
            reply = self.server.handle_line(line)  # type: ignore[attr-defined]
        except Exception as err:  # reported to irace (it stops) and kept for the harness
            self.server.errors.append(f"{type(err).__name__}: {err}")  # type: ignore[attr-defined]
            reply = "ERROR"
        self.wfile.write((reply + "\n").encode())


def _irace_to_real(space: Any) -> dict[str, str]:

    return {v: k for k, v in _irace_names(space).items()}


def _irace_parameters(space: Any) -> tuple[str, int, str]:
    """(parameter file text in irace 3 syntax, digits, forbidden expressions) of ``space``: the
    ``[global]``/``[forbidden]`` sections algoconf writes for irace 4 moved to irace 3's scenario."""

    text = write_irace(space)
    digits, forbidden, section, lines = IRACE_DEFAULT_DIGITS, [], None, []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in ("[global]", "[forbidden]"):
            section = stripped
            continue
        if section == "[global]" and stripped.startswith("digits"):
            digits = int(stripped.split("=")[1])
        elif section == "[forbidden]" and stripped and not stripped.startswith("#"):
            forbidden.append(stripped)
        elif section is None:
            lines.append(line)
    return "\n".join(lines) + "\n", digits, "\n".join(forbidden) + ("\n" if forbidden else "")


def run_irace(
    space: Any,
    train: Sequence[str],
    answer: Answer,
    *,
    seed: int,
    workers: int,
    deterministic: bool,
    cutoff: float,
    par_factor: float,
    cpu_budget: float,
    timeout: float | None = None,
) -> PeerRun:
    """irace with ``maxTime = cpu_budget`` on ``answer`` (module docstring). Its trajectory has one
    point per iteration: (summed experiment time, list-schedule wall time on ``workers``, best elite)."""

    reason = irace_missing()
    if reason:
        raise RuntimeError(reason)
    server = AnswerServer(answer, space, cutoff, par_factor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    work = Path(tempfile.mkdtemp(prefix="acsuite-irace-"))
    try:
        params, digits, forbidden = _irace_parameters(space)
        (work / "parameters.txt").write_text(params)
        (work / "instances.txt").write_text("".join(f"{n}\n" for n in train))
        names = _irace_names(space)
        default = default_config(space)
        (work / "default.txt").write_text(
            " ".join(names[n] for n in space.keys())
            + "\n"
            + " ".join(_r_value(default.get(n)) for n in space.keys())
            + "\n"
        )
        if forbidden:
            (work / "forbidden.txt").write_text(forbidden)
        cmd = [
            "Rscript",
            str(IRACE_SCRIPT),
            f"port={server.server_address[1]}",
            f"dir={work}",
            f"maxTime={cpu_budget!r}",
            f"parallel={int(workers)}",
            f"seed={int(seed)}",
            f"deterministic={int(bool(deterministic))}",
            f"digits={digits}",
            f"forbidden={'1' if forbidden else '0'}",
        ]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=work)
        wall = time.perf_counter() - t0
        if server.errors:
            raise RuntimeError(f"irace's runs failed: {server.errors[0]}")
        if "Insufficient budget" in proc.stdout + proc.stderr:
            line = next(x for x in (proc.stdout + proc.stderr).splitlines() if "Insufficient budget" in x)
            raise PeerRefused("irace: " + line.split("==", 2)[-1].strip())
        if proc.returncode != 0 or not (work / "trajectory.tsv").is_file():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
            raise RuntimeError(f"irace failed (exit {proc.returncode}): {tail}")
        real = _irace_to_real(space)
        trajectory = irace_trajectory(
            space, real, (work / "experiments.tsv").read_text(), (work / "trajectory.tsv").read_text(), workers
        )
        incumbent = trajectory[-1][2] if trajectory else active_config(space, default)
        tuner_seconds = max(0.0, wall - server.answer_seconds)
        return PeerRun(incumbent, server.runs, server.cpu, wall, tuner_seconds, trajectory, info={"irace_wall": wall})
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)


def _r_value(value: Any) -> str:
    if value is None:
        return "NA"

    text = format_value(value)
    return f'"{text}"' if isinstance(value, str) else text


def _parse_config(space: Any, real: Mapping[str, str], pairs: Sequence[str]) -> dict[str, Any]:

    values: dict[str, Any] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        hp = space[real[name]]
        values[real[name]] = text if is_finite_domain(hp) else float(text)
    return active_config(space, values)


def irace_trajectory(
    space: Any, real: Mapping[str, str], experiments: str, elites: str, workers: int
) -> list[tuple[float, float, dict[str, Any]]]:
    """irace's incumbents over time: after iteration i, the best elite at (summed experiment time of
    iterations <= i, wall time on ``workers``); a race step (the experiments of one iteration on one
    instance, one ``mclapply`` call) takes its greedy list-schedule makespan. The last point is
    irace's final best, at the whole log's time."""
    steps: list[tuple[int, list[float]]] = []  # (iteration, times) per race step, in log order
    last = None
    for row in experiments.splitlines():
        iteration, instance, _config, t = row.split("\t")
        key = (iteration, instance)
        if key != last:
            steps.append((int(float(iteration)), []))
            last = key
        steps[-1][1].append(0.0 if t == "NA" else float(t))

    def upto(i: float) -> tuple[float, float]:
        chosen = [times for it, times in steps if it <= i]
        return math.fsum(t for ts in chosen for t in ts), math.fsum(list_schedule_wall(ts, workers) for ts in chosen)

    out = []
    for row in elites.splitlines():
        it, *pairs = row.split("\t")
        cpu, wall = upto(math.inf if it == "final" else int(it))
        out.append((cpu, wall, _parse_config(space, real, pairs)))
    return out


def list_schedule_wall(times: Sequence[float], workers: int) -> float:
    """Makespan of running ``times`` in order, each on the first free of ``workers`` workers."""
    import heapq

    free = [0.0] * max(1, int(workers))
    for t in times:
        start = heapq.heappop(free)
        heapq.heappush(free, start + float(t))
    return max(free)


__all__ = [
    "PeerRefused",
    "PeerRun",
    "run_native_smac3",
    "run_irace",
    "irace_missing",
    "AnswerServer",
    "list_schedule_wall",
    "irace_trajectory",
    "cost_of",
    "IRACE_SCRIPT",
]
