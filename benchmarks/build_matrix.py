"""Build a runtime matrix (configurations x instances) from real solver runs.

The matrix lets any tuner run exactly and cheaply (``algoconf.tuners.simulated``): a run is
answered from the table instead of starting the solver. Two sources of rows and columns:

* default: minisat on seeded uniform random 3-SAT. Rows are configurations of a small minisat
  space (row 0 is minisat's default, then configurations sampled uniformly from the space, then
  optionally ``--local`` one- or two-parameter neighbours of the best uniform rows).
* ``--scenario S``: an algoconf scenario. Columns are its training then test instances, rows
  configurations of its space: row 0 the default, ``--neighbours`` one-exchange neighbours of the
  default, uniform samples up to ``--configs`` rows, ``--local`` neighbours of the 5 best of those,
  then the configurations of ``--extra`` (a JSON list: tuner incumbents, hand-picked settings).
  Each run is launched as the scenario's target launches it (argv, environment, working folder)
  and counts as solved only when the target's own answer check says SUCCESS (for the SAT runners:
  the model is checked and must agree with the generator's known answer). The matrix stores the
  scenario's space, so ``algoconf configure S --simulate <matrix>`` accepts it.

Each entry is the CPU time of the solver process and whether it answered within the cutoff;
unsolved entries are right-censored at the cutoff (stored as the cutoff, ``solved`` False).

Measurement. The runtime is ``ru_utime + ru_stime`` of the minisat process from ``wait4`` (minisat
starts no children, so this is the whole process tree). Linux derives that sum from the
scheduler's nanosecond runtime (the same number as ``/proc/<pid>/schedstat``), not from 10 ms ticks,
and the process is spawned without ``preexec_fn`` so no Python code runs in it before exec (that
would add ~3 ms to every entry). While minisat runs, its schedstat CPU time is read every 20 ms
and the run is killed past ``1.05 * cutoff + 0.02`` CPU seconds (an ``RLIMIT_CPU`` one second
above that is the kernel's backstop); an entry counts as solved only if minisat answered (exit
10/20) within ``cutoff`` CPU seconds. A wall-clock backstop (``--wall-backstop``, default
``max(300, 100 * cutoff)`` s) only guards against a hung process: under ``nice`` a starved run may
take long in wall time, so a run stopped by the backstop before its CPU cutoff is never recorded;
it is rerun (3 tries, backstop doubled each time).

Resumable. Every finished run is appended at once to a journal (``<out>.journal.jsonl``: a header
with the settings, the configuration of each row, one line per run). A killed or ``--max-minutes``
-stopped build continues with ``--append`` and repeats no finished run; the ``.npz`` holds the
complete rows so far and is rewritten (atomically) as rows complete. Without a journal ``--append``
keeps the complete rows of the existing ``.npz``.

The shipped ``benchmarks/data/minisat_3sat_matrix_large.npz`` (240 x 200; see
benchmarks/data/README.md) was built by::

    nice -n 15 python benchmarks/build_matrix.py --configs 200 --local 40 --instances 200 \
        --sizes 140,150,160,170 --cutoff 1 --seed 2 --workers 2 \
        --out benchmarks/data/minisat_3sat_matrix_large.npz --max-minutes 85

(add ``--append`` to continue it after a kill). ``--stats`` prints a matrix's sanity numbers.
The suite matrix ``benchmarks/data/cadical_colouring_suite_matrix.npz`` was built with ``--scenario``
(its command is in benchmarks/data/README.md and in the file's ``meta``). ``--append`` with a longer
``--extra`` list (new configurations added at its end) adds rows to a finished matrix; rows already
measured are kept, and any other change of the rows is refused.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np
from ConfigSpace import Categorical, Configuration, ConfigurationSpace, EqualsCondition, Float, Integer
from ConfigSpace.util import get_random_neighbor

MINISAT = "/usr/bin/minisat"
CPU_KILL_FACTOR, CPU_KILL_SLACK = 1.05, 0.02  # a run is killed past 1.05 * cutoff + 0.02 CPU seconds
POLL_SECONDS = 0.02  # how often a running solver's CPU time is read


def minisat_space() -> ConfigurationSpace:
    """The minisat parameters the matrix varies (defaults = minisat's own defaults)."""
    space = ConfigurationSpace(seed=0)
    luby = Categorical("luby", [True, False], default=True)
    rinc = Float("rinc", (1.05, 4.0), default=2.0, log=True)
    var_decay = Float("var-decay", (0.75, 0.99), default=0.95)
    cla_decay = Float("cla-decay", (0.9, 0.9999), default=0.999)
    rnd_freq = Float("rnd-freq", (0.0, 0.2), default=0.0)
    rfirst = Integer("rfirst", (10, 1000), default=100, log=True)
    phase = Integer("phase-saving", (0, 2), default=2)
    ccmin = Integer("ccmin-mode", (0, 2), default=2)
    pre = Categorical("pre", [True, False], default=True)
    elim = Categorical("elim", [True, False], default=True)
    space.add([luby, rinc, var_decay, cla_decay, rnd_freq, rfirst, phase, ccmin, pre, elim])
    space.add(EqualsCondition(elim, pre, True))
    return space


def space_json(space: ConfigurationSpace) -> str:
    buffer = io.StringIO()
    space.to_json(buffer)
    return buffer.getvalue()


def plain(config) -> dict:
    """A configuration as a dict of plain Python values."""
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in dict(config).items()}


def command(config: dict, path: str) -> list[str]:
    args = [MINISAT, "-verb=0"]
    for name, value in sorted(config.items()):
        if isinstance(value, bool) or value in ("True", "False"):
            on = value in (True, "True")
            args.append(f"-{name}" if on else f"-no-{name}")
        else:
            args.append(f"-{name}={value}")
    args.append(path)
    return args


def process_cpu(pid: int) -> float:
    """CPU seconds a live (or unreaped) process has used: the scheduler's runtime, in ns."""
    with open(f"/proc/{pid}/schedstat") as handle:
        return int(handle.read().split()[0]) / 1e9


def exit_code_answered(returncode: int, stdout: bytes | None) -> bool:
    """minisat's verdict: it answered when it exited 10 (SAT) or 20 (UNSAT)."""
    return returncode in (10, 20)


def run_once(args: list[str], cutoff: float, backstop: float, tries: int = 3, *,
             answered: Callable[[int, bytes | None], bool] = exit_code_answered,
             env: dict[str, str] | None = None, cwd: str | None = None,
             capture: bool = False) -> tuple[float, bool]:
    """CPU seconds of one solver run and whether it answered within ``cutoff`` CPU s.

    ``answered(returncode, stdout)`` judges the answer (stdout is captured only with ``capture``;
    default: minisat's exit 10/20). Unsolved runs return ``cutoff``. The run is killed once its
    CPU time passes ``CPU_KILL``; a run the wall backstop stops before it used ``cutoff`` CPU
    seconds was starved, not slow: it is rerun (``tries`` times, backstop doubled each time), then
    RuntimeError.
    """
    kill_at = CPU_KILL_FACTOR * cutoff + CPU_KILL_SLACK
    hard = math.ceil(kill_at) + 1  # kernel backstop should this monitor itself be starved
    for attempt in range(tries):
        # no preexec_fn: Python then spawns with vfork, and no Python code runs (and is
        # counted) in the child before exec. Output goes to a file, so a full pipe never blocks it.
        out = tempfile.TemporaryFile() if capture else subprocess.DEVNULL
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL,
                                start_new_session=True, env=env, cwd=cwd)
        try:
            resource.prlimit(proc.pid, resource.RLIMIT_CPU, (hard, hard))
        except OSError:
            pass  # already exited
        wall_end = time.monotonic() + backstop * 2 ** attempt
        stalled = False
        exited = select.poll()
        pidfd = os.pidfd_open(proc.pid)
        try:
            exited.register(pidfd, select.POLLIN)
            while not exited.poll(POLL_SECONDS * 1000):
                used = process_cpu(proc.pid)
                if used > kill_at or time.monotonic() > wall_end:
                    stalled = used <= kill_at
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
        finally:
            os.close(pidfd)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        cpu = usage.ru_utime + usage.ru_stime
        stdout = None
        if capture:
            out.seek(0)
            stdout = out.read()
            out.close()
        if stalled and cpu < cutoff:
            continue  # starved in wall time, not a timeout: run it again
        solved = cpu <= cutoff and answered(proc.returncode, stdout)
        return (cpu if solved else cutoff), solved
    raise RuntimeError(f"{' '.join(args)}: stopped {tries} times by the wall backstop before its CPU cutoff")


def generate(n: int, seed: int, ratio: float = 4.26) -> str:
    """Uniform random 3-SAT with ``n`` variables and ``round(ratio * n)`` clauses (seeded)."""
    rng = random.Random(seed)
    m = int(round(n * ratio))
    lines = [f"p cnf {n} {m}"]
    for _ in range(m):
        lits = rng.sample(range(1, n + 1), 3)
        lines.append(" ".join(str(v if rng.random() < 0.5 else -v) for v in lits) + " 0")
    return "\n".join(lines) + "\n"


def uniform_configs(space: ConfigurationSpace, count: int, seed: int) -> list[dict]:
    """Minisat's default, then distinct uniform samples (a prefix-stable sequence for a seed)."""
    space.seed(seed)
    configs = [plain(space.get_default_configuration())]
    keys = {json.dumps(configs[0], sort_keys=True)}
    while len(configs) < count:
        c = plain(space.sample_configuration())
        k = json.dumps(c, sort_keys=True)
        if k not in keys:
            keys.add(k)
            configs.append(c)
    return configs


def local_configs(space: ConfigurationSpace, configs: list[dict], par10: np.ndarray, count: int,
                  seed: int, parents: int = 5) -> tuple[list[dict], list[int]]:
    """``count`` distinct neighbours (one or two one-parameter changes) of the ``parents`` best rows."""
    best = [int(i) for i in np.argsort(par10, kind="stable")[:parents]]
    rng = random.Random(seed)
    keys = {json.dumps(c, sort_keys=True) for c in configs}
    out, origin = [], []
    while len(out) < count:
        parent = best[len(out) % len(best)]
        config = Configuration(space, values=configs[parent])
        for _ in range(rng.choice((1, 2))):
            config = get_random_neighbor(config, seed=rng.randrange(2 ** 31))
        c = plain(config)
        k = json.dumps(c, sort_keys=True)
        if k not in keys:
            keys.add(k)
            out.append(c)
            origin.append(parent)
    return out, origin


def solver_version() -> str:
    try:
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "minisat"], capture_output=True,
                                 text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = ""
    return f"minisat {version or '(version unknown)'} ({MINISAT})"


class Journal:
    """Append-only JSON-lines record of a build: header, row configurations, one line per run.

    Each invocation also logs its elapsed wall seconds (cumulative, under its own session id) so
    the total build time survives kills.
    """

    def __init__(self, path: Path, header: dict):
        self.path = path
        self.rows: dict[int, dict] = {}
        self.runs: list[tuple[int, int, float, bool]] = []
        sessions: dict[str, float] = {}
        if path.is_file():
            with path.open("rb+") as handle:
                complete = 0
                for raw in handle:
                    if not raw.endswith(b"\n"):
                        handle.truncate(complete)  # a line cut by a kill: drop it
                        break
                    complete += len(raw)
                    entry = json.loads(raw)
                    if "header" in entry and entry["header"] != header:
                        raise SystemExit(f"{path}: built with other settings {entry['header']}; "
                                         f"delete it or use the same settings")
                    if "row" in entry:
                        self.rows[entry["row"]] = entry["config"]
                    elif "run" in entry:
                        i, j, cpu, ok = entry["run"]
                        self.runs.append((i, j, cpu, ok))
                    elif "session" in entry:
                        sessions[entry["session"]] = max(sessions.get(entry["session"], 0.0), entry["seconds"])
        self.seconds = sum(sessions.values())
        self.session = f"{os.getpid()}-{time.time():.0f}"
        self._lock = threading.Lock()
        fresh = not path.is_file() or not path.stat().st_size
        self._handle = path.open("a")
        if fresh:
            self._write({"header": header})

    def _write(self, entry: dict) -> None:
        with self._lock:
            self._handle.write(json.dumps(entry) + "\n")
            self._handle.flush()

    def row(self, i: int, config: dict) -> None:
        if i in self.rows:
            if self.rows[i] != config:
                raise SystemExit(f"{self.path}: row {i} was built for another configuration")
            return
        self.rows[i] = config
        self._write({"row": i, "config": config})

    def run(self, i: int, j: int, cpu: float, ok: bool) -> None:
        self._write({"run": [i, j, round(cpu, 6), bool(ok)]})

    def elapsed(self, seconds: float) -> None:
        self._write({"session": self.session, "seconds": round(seconds, 1)})

    def close(self) -> None:
        self._handle.close()


def save(path: Path, runtime: np.ndarray, solved: np.ndarray, configs: list[dict], names: list[str],
         cutoff: float, space: ConfigurationSpace, meta: dict) -> None:
    """Write the matrix atomically (a temporary file renamed over ``path``)."""
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, runtime=runtime, solved=solved, configs=np.array(json.dumps(configs)),
                        instances=np.array(json.dumps(names)), cutoff=np.array(cutoff),
                        space=np.array(space_json(space)), meta=np.array(json.dumps(meta)))
    os.replace(tmp, path)


def matrix_stats(runtime: np.ndarray, solved: np.ndarray, cutoff: float, splits: int = 500,
                 seed: int = 0) -> dict:
    """Sanity numbers of a matrix (row 0 = default): PAR10s, timeouts, and train/test agreement.

    ``train_best_*`` draw ``splits`` random halvings of the instances: how often the row best on
    one half (PAR10) is also best on the other, its mean rank there (1 = best) and its mean
    regret there; ``benchmark_split`` is the one halving ``RuntimeMatrix.split(n // 2, seed=0)``.
    """
    cost = np.where(solved, runtime, 10 * cutoff)
    par10 = cost.mean(axis=1)
    rows, cols = cost.shape

    def agreement(train: np.ndarray, test: np.ndarray) -> tuple[bool, int, float]:
        pick = int(np.argmin(cost[:, train].mean(axis=1)))
        test_par = cost[:, test].mean(axis=1)
        return (bool(test_par[pick] <= test_par.min()), int((test_par < test_par[pick]).sum()) + 1,
                float(test_par[pick] - test_par.min()))

    rng = np.random.default_rng(seed)
    draws = [agreement(order[: cols // 2], order[cols // 2:])
             for order in (rng.permutation(cols) for _ in range(splits))]
    bench = np.random.default_rng(0).permutation(cols)
    same, rank, regret = agreement(bench[: cols // 2], bench[cols // 2:])
    quantiles = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
    return {
        "shape": [rows, cols], "cutoff": cutoff,
        "default_par10": round(float(par10[0]), 4),
        "default_solved": round(float(solved[0].mean()), 4),
        "default_median_runtime": round(float(np.median(runtime[0])), 4),
        "default_rank": int((par10 < par10[0]).sum()) + 1,
        "best_row": int(np.argmin(par10)), "best_row_par10": round(float(par10.min()), 4),
        "timeout_fraction": round(float(1 - solved.mean()), 4),
        "rows_with_timeouts": int((~solved).any(axis=1).sum()),
        "row_par10_quantiles": {str(q): round(float(np.quantile(par10, q)), 4) for q in quantiles},
        "train_best_is_test_best": round(float(np.mean([d[0] for d in draws])), 3),
        "train_best_test_rank_mean": round(float(np.mean([d[1] for d in draws])), 2),
        "train_best_test_regret_mean": round(float(np.mean([d[2] for d in draws])), 4),
        "splits": splits,
        "benchmark_split": {"train_best_is_test_best": same, "test_rank": rank, "test_regret": round(regret, 4)},
    }


class MinisatSource:
    """Rows and columns of the original build: minisat on seeded uniform random 3-SAT."""

    runtime_text = "ru_utime+ru_stime of the minisat process (wait4)"

    def __init__(self, args: argparse.Namespace):
        self.sizes = [int(s) for s in args.sizes.split(",")]
        self.seed, self.ratio, self.count = args.seed, args.ratio, args.instances
        self.space = minisat_space()
        self.names = [f"u3sat-n{self.sizes[j % len(self.sizes)]}-s{args.seed * 100000 + j}.cnf"
                      for j in range(args.instances)]
        self.header = {"seed": args.seed, "cutoff": args.cutoff, "sizes": self.sizes, "ratio": args.ratio,
                       "instances": args.instances, "space": space_json(self.space)}
        self.solver = solver_version()
        self.generator = (f"uniform random 3-SAT (benchmarks/build_matrix.py:generate), ratio {args.ratio}, "
                          f"sizes {','.join(map(str, self.sizes))} cycled over columns, "
                          "instance seed = seed*100000+column")
        self.tmp: Path | None = None

    def initial_configs(self, count: int, neighbours: int, seed: int) -> tuple[list[dict], dict]:
        if neighbours:
            raise SystemExit("--neighbours needs --scenario")
        return uniform_configs(self.space, count, seed), {"default": 1, "uniform": count - 1}

    def local_configs(self, configs, par10, count, seed):
        return local_configs(self.space, configs, par10, count, seed)

    def prepare(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="acmatrix-"))
        for j, name in enumerate(self.names):
            (self.tmp / name).write_text(generate(self.sizes[j % len(self.sizes)], self.seed * 100000 + j, self.ratio))

    def run(self, config: dict, j: int, cutoff: float, backstop: float) -> tuple[float, bool]:
        return run_once(command(config, str(self.tmp / self.names[j])), cutoff, backstop)

    def cleanup(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


class ScenarioSource:
    """Rows and columns from an algoconf scenario: its space, its train + test instances, its target.

    Each run is launched exactly as the scenario's target launches it (``Target.prepare``: argv,
    environment, working folder), with the run seed ``--seed``; it counts as solved when the target's
    own answer check says SUCCESS (for the bundled SAT runners: an ``s`` line whose model satisfies
    the formula and agrees with the generator's sidecar) within the CPU cutoff. The matrix's space is
    the scenario's, so ``configure <scenario> --simulate <matrix>`` accepts it.
    """

    def __init__(self, args: argparse.Namespace):
        from algoconf.scenario import load_scenario
        from algoconf.targets import build_target

        self.path = Path(args.scenario)
        self.scenario = load_scenario(self.path)
        if self.scenario.objective != "runtime":
            raise SystemExit(f"{self.path}: a runtime matrix needs a runtime scenario")
        self.space = self.scenario.space
        self.instances = list(self.scenario.train) + list(self.scenario.test or ())
        self.names = [inst.name for inst in self.instances]
        self.split = {"train": len(self.scenario.train), "test": len(self.scenario.test or ())}
        self.target = build_target(self.scenario.target, self.scenario.root)
        self.run_seed = args.seed
        self.header = {"scenario": self.scenario.name, "seed": args.seed, "cutoff": args.cutoff,
                       "instances": self.names, "space": space_json(self.space)}
        program = getattr(getattr(self.target, "runner", None), "program", None) or self.scenario.target.kind
        self.solver = self._version(program)
        self.generator = (f"the train + test instances of scenario {self.scenario.name} "
                          f"({self.path}): train {_source_text(self.scenario.train.source)}, "
                          f"test {_source_text(self.scenario.test.source if self.scenario.test else None)}")
        self.runtime_text = (f"ru_utime+ru_stime of the {program} process (wait4); solved = the "
                             "target's answer check says SUCCESS within the cutoff")

    @staticmethod
    def _version(program: str) -> str:
        try:
            package = {"cadical": "cadical", "clasp": "clasp", "minisat": "minisat"}.get(program)
            version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True,
                                     text=True, timeout=10).stdout.strip() if package else ""
        except (OSError, subprocess.SubprocessError):
            version = ""
        return f"{program} {version or '(version unknown)'}"

    def initial_configs(self, count: int, neighbours: int, seed: int) -> tuple[list[dict], dict]:
        """The default, ``neighbours`` one-exchange neighbours of it, then uniform samples up to ``count``."""
        from algoconf.records import config_key
        from algoconf.space import default_config, neighbours as one_exchange, sample_configs

        default = default_config(self.space)
        rows = [default] + one_exchange(self.space, default, neighbours, seed)
        keys = {config_key(c) for c in rows}
        n_near = len(rows) - 1
        draw = 0
        while len(rows) < count:
            batch = sample_configs(self.space, 4 * count, seed + 7919 * (draw + 1))
            draw += 1
            for config in batch:
                if len(rows) < count and config_key(config) not in keys:
                    keys.add(config_key(config))
                    rows.append(config)
        return [plain(c) for c in rows], {"default": 1, "default_neighbours": n_near,
                                          "uniform": count - 1 - n_near}

    def local_configs(self, configs, par10, count, seed, parents: int = 5):
        """``count`` distinct one- or two-step neighbours of the ``parents`` best rows so far."""
        from algoconf.records import config_key
        from algoconf.space import neighbours as one_exchange

        best = [int(i) for i in np.argsort(par10, kind="stable")[:parents]]
        rng = random.Random(seed)
        keys = {config_key(c) for c in configs}
        out, origin = [], []
        for _ in range(100 * count):
            if len(out) >= count:
                break
            parent = best[len(out) % len(best)]
            config = configs[parent]
            for _ in range(rng.choice((1, 2))):
                found = one_exchange(self.space, config, 1, rng.randrange(2 ** 31))
                config = found[0] if found else config
            if config_key(config) not in keys:
                keys.add(config_key(config))
                out.append(plain(config))
                origin.append(parent)
        return out, origin

    def prepare(self) -> None:
        missing = [inst.name for inst in self.instances if inst.path is None or not Path(inst.path).is_file()]
        if missing:
            raise SystemExit(f"{self.path}: instance files missing (first: {missing[0]})")

    def run(self, config: dict, j: int, cutoff: float, backstop: float) -> tuple[float, bool]:
        from algoconf.execution.limits import ProcessOutcome
        from algoconf.records import RunRequest, Status

        instance = self.instances[j]
        request = RunRequest(config=config, instance=instance.name, seed=self.run_seed, cutoff=cutoff)
        launch = self.target.prepare(request, instance)

        def answered(returncode: int, stdout: bytes | None) -> bool:
            outcome = ProcessOutcome(exit_code=returncode, signal=None, cpu_time=0.0, wallclock=0.0,
                                     stdout=(stdout or b"").decode("utf-8", "replace"), stderr_tail="")
            return self.target.answer(request, instance, outcome).status is Status.SUCCESS

        return run_once(list(launch.argv), cutoff, backstop, answered=answered,
                        env=dict(launch.env) if launch.env is not None else None, cwd=launch.cwd, capture=True)

    def cleanup(self) -> None:
        pass


def _source_text(source) -> str:
    return json.dumps(dict(source), sort_keys=True) if source else "(in memory)"


def read_extra_configs(path: str | None, space: ConfigurationSpace) -> list[dict]:
    """Rows from a JSON list of configurations (e.g. tuner incumbents), each checked against the space."""
    if not path:
        return []
    from algoconf.space import active_config

    items = json.loads(Path(path).read_text())
    if not isinstance(items, list):
        raise SystemExit(f"{path}: expected a JSON list of configurations")
    return [plain(active_config(space, item)) for item in items]


def resumed_local_rows(source, configs: list[dict], par10: np.ndarray, args: argparse.Namespace,
                       journaled: dict[int, dict], previous: list[dict]) -> tuple[list[dict], list[int]]:
    """The local rows: those a previous session already started (journal, else the existing matrix)
    keep their configurations; the rest are fresh neighbours of the best initial rows.

    (Replaying a journal can give a few entries other values than the session that chose the local
    rows saw, e.g. a run measured twice, and so other "best" rows; the rows already measured win.)
    """
    from algoconf.records import config_key

    fresh, origin = source.local_configs(configs, par10, args.local + 50, args.seed)
    rows: list[dict] = []
    parents: list[int] = []
    for k in range(args.local):
        i = args.configs + k
        given = journaled.get(i) or (previous[i] if i < len(previous) else None)
        if given is not None:
            rows.append(given)
            parents.append(-1)  # chosen by an earlier session
    keys = {config_key(c) for c in configs + rows}
    for config, parent in zip(fresh, origin):
        if len(rows) >= args.local:
            break
        if config_key(config) not in keys:
            keys.add(config_key(config))
            rows.append(config)
            parents.append(parent)
    return rows, parents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=None,
                        help="build for this algoconf scenario (its space, train+test instances and target) "
                             "instead of minisat on random 3-SAT")
    parser.add_argument("--configs", type=int, default=150,
                        help="initial rows: the default (plus --neighbours of it) and uniform samples")
    parser.add_argument("--neighbours", type=int, default=0,
                        help="--scenario only: one-exchange neighbours of the default among the initial rows")
    parser.add_argument("--local", type=int, default=0,
                        help="extra rows: neighbours of the 5 best initial rows (PAR10 over all instances)")
    parser.add_argument("--extra", default=None,
                        help="JSON list of configurations (tuner incumbents, hand-picked) appended as the last rows")
    parser.add_argument("--instances", type=int, default=150)
    parser.add_argument("--sizes", default="175,190,200,215", help="variables per instance, cycled over columns")
    parser.add_argument("--ratio", type=float, default=4.26, help="clauses per variable")
    parser.add_argument("--cutoff", type=float, default=None,
                        help="CPU seconds (default: the scenario's cutoff, else 2)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="sampling seed (and the run seed with --scenario)")
    parser.add_argument("--max-minutes", type=float, default=24.0, help="stop starting runs after this wall time")
    parser.add_argument("--wall-backstop", type=float, default=None,
                        help="wall seconds before a run counts as hung (default max(300, 100 * cutoff))")
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / "minisat_3sat_matrix.npz"))
    parser.add_argument("--journal", default=None, help="default: <out>.journal.jsonl")
    parser.add_argument("--append", action="store_true",
                        help="continue the build in --out (journal first, else its complete rows)")
    parser.add_argument("--stats", action="store_true",
                        help="print sanity statistics of the matrix in --out as JSON and build nothing")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.stats:
        data = np.load(out)
        stats = matrix_stats(data["runtime"], data["solved"], float(data["cutoff"]))
        meta = json.loads(str(data["meta"]))
        stats["rows"] = meta.get("rows")
        print(json.dumps(stats, indent=1))
        return 0
    journal_path = Path(args.journal or f"{out}.journal.jsonl")
    if not args.append and (out.exists() or journal_path.exists()):
        raise SystemExit(f"{out} or {journal_path} exists: pass --append to continue it, or remove them")
    if args.cutoff is None:
        args.cutoff = 2.0
        if args.scenario:
            from algoconf.scenario import load_scenario

            args.cutoff = float(load_scenario(args.scenario).cutoff)
    backstop = args.wall_backstop or max(300.0, 100.0 * args.cutoff)

    source = ScenarioSource(args) if args.scenario else MinisatSource(args)
    space, names, header = source.space, source.names, source.header
    configs, initial_rows = source.initial_configs(args.configs, args.neighbours, args.seed)
    extra = read_extra_configs(args.extra, space)
    n_rows = args.configs + args.local + len(extra)
    runtime = np.full((n_rows, len(names)), np.nan, dtype=np.float32)
    solved = np.zeros((n_rows, len(names)), dtype=bool)
    done = np.zeros((n_rows, len(names)), dtype=bool)
    journal = Journal(journal_path, header)
    for i, j, cpu, ok in journal.runs:
        runtime[i, j], solved[i, j], done[i, j] = cpu, ok, True
    previous_configs: list[dict] = []
    if args.append and out.exists():  # complete rows of the matrix so far (possibly built without journal)
        previous = np.load(out)
        previous_configs = json.loads(str(previous["configs"]))
        k = min(previous["runtime"].shape[0], n_rows)
        expected = [configs[i] if i < args.configs else journal.rows.get(i, previous_configs[i]) for i in range(k)]
        if (json.loads(str(previous["instances"])) != names or float(previous["cutoff"]) != args.cutoff
                or previous_configs[:k] != expected):
            raise SystemExit("--append needs the instances, cutoff, seed and rows of the existing matrix")
        runtime[:k], solved[:k], done[:k] = previous["runtime"][:k], previous["solved"][:k], True
        if not journal.runs:  # a matrix built before this journal: carry its build time over
            journal.elapsed(float(json.loads(str(previous["meta"])).get("seconds", 0.0)))
            journal.session += "-resumed"
            journal.seconds = float(json.loads(str(previous["meta"])).get("seconds", 0.0))
    seconds_before = journal.seconds
    extra_origin: list[int] = []
    source.prepare()

    lock = threading.Lock()
    slots = threading.BoundedSemaphore(4 * args.workers)
    failures: list[BaseException] = []

    def task(i: int, j: int, config: dict) -> None:
        try:
            cpu, ok = source.run(config, j, args.cutoff, backstop)
            with lock:
                runtime[i, j], solved[i, j], done[i, j] = cpu, ok, True
            journal.run(i, j, cpu, ok)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            slots.release()

    start = time.monotonic()
    deadline = start + args.max_minutes * 60
    nice = os.nice(0)
    load_start = os.getloadavg()

    def complete_rows() -> int:
        full = done.all(axis=1)
        return int(np.argmin(full)) if not full.all() else n_rows

    def snapshot() -> int:
        with lock:
            k = complete_rows()
            rt, sv = runtime[:k].copy(), solved[:k].copy()
        all_configs = configs + local_rows + extra
        finished = np.isfinite(runtime) & done
        n_local = max(0, min(k, args.configs + args.local) - args.configs)
        meta = {
            "solver": source.solver,
            "generator": source.generator,
            "rows": {**{key: min(value, max(0, k - sum(list(initial_rows.values())[:n])))
                        for n, (key, value) in enumerate(initial_rows.items())},
                     "local": n_local, "local_parents": extra_origin[:n_local],
                     "extra": max(0, k - args.configs - args.local), "extra_file": args.extra},
            **({"split": source.split} if getattr(source, "split", None) else {}),
            "seed": args.seed, "cutoff": args.cutoff,
            "cpu_kill": f"killed past {CPU_KILL_FACTOR}*cutoff+{CPU_KILL_SLACK} CPU s (/proc schedstat, polled)",
            "runtime": source.runtime_text, "workers": args.workers,
            "nice": nice, "wall_backstop": backstop, "cpu_seconds": round(float(runtime[finished].sum()), 1),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(seconds_before + time.monotonic() - start, 1),
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            "command": "python benchmarks/build_matrix.py " + " ".join(sys.argv[1:] if argv is None else argv),
        }
        save(out, rt, sv, all_configs[:k], names, args.cutoff, space, meta)
        return k

    def drain() -> None:  # wait until every submitted run has finished
        for _ in range(4 * args.workers):
            slots.acquire()
        for _ in range(4 * args.workers):
            slots.release()

    local_rows: list[dict] = []
    saved_rows = complete_rows()
    last_save = time.monotonic()
    with ThreadPoolExecutor(args.workers) as pool:
        for i in range(n_rows):
            if i == args.configs and args.local:  # initial rows complete: choose the local rows from them
                drain()
                if failures or not done[:args.configs].all():
                    break
                par10 = np.where(solved[:args.configs], runtime[:args.configs], 10 * args.cutoff).mean(axis=1)
                local_rows, extra_origin[:] = resumed_local_rows(
                    source, configs, par10, args, journal.rows, previous_configs)
            config = (configs + local_rows + extra)[i]
            if done[i].all():
                continue
            journal.row(i, config)
            for j in np.flatnonzero(~done[i]):
                if failures or time.monotonic() > deadline:
                    break
                slots.acquire()
                pool.submit(task, i, int(j), config)
                if time.monotonic() - last_save > 10:
                    journal.elapsed(time.monotonic() - start)
                    last_save = time.monotonic()
                    if complete_rows() > saved_rows:
                        saved_rows = snapshot()
                        print(f"rows {saved_rows}/{n_rows} complete, elapsed {time.monotonic() - start:.0f}s",
                              file=sys.stderr, flush=True)
            else:
                continue
            break
        drain()
    journal.elapsed(time.monotonic() - start)
    source.cleanup()
    if failures:
        journal.close()
        raise failures[0]
    rows = snapshot()
    journal.close()
    if rows == n_rows:
        journal_path.unlink()
    print(f"wrote {out}: {rows} configurations x {len(names)} instances"
          + ("" if rows == n_rows else f" (stopped; continue with --append, journal {journal_path})"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
