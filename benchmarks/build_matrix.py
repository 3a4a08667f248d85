"""Build a runtime matrix (configurations x instances) from real minisat runs on random 3-SAT.

The matrix lets any tuner run exactly and cheaply (``algoconf.tuners.simulated``): a run is
answered from the table instead of starting minisat. Rows are configurations of a small minisat
space (row 0 is minisat's default, then configurations sampled uniformly from the space, then
optionally ``--local`` one- or two-parameter neighbours of the best uniform rows), columns are
seeded uniform random 3-SAT instances. Each entry is the CPU time of the solver process and
whether minisat answered within the cutoff; unsolved entries are right-censored at the cutoff.

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


def run_once(args: list[str], cutoff: float, backstop: float, tries: int = 3) -> tuple[float, bool]:
    """CPU seconds of one minisat run and whether it answered (exit 10/20) within ``cutoff`` CPU s.

    Unsolved runs return ``cutoff``. The run is killed once its CPU time passes ``CPU_KILL``;
    a run the wall backstop stops before it used ``cutoff`` CPU seconds was starved, not slow: it
    is rerun (``tries`` times, backstop doubled each time), then RuntimeError.
    """
    kill_at = CPU_KILL_FACTOR * cutoff + CPU_KILL_SLACK
    hard = math.ceil(kill_at) + 1  # kernel backstop should this monitor itself be starved
    for attempt in range(tries):
        # no preexec_fn: Python then spawns with vfork, and no Python code runs (and is
        # counted) in the child before exec
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
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
        if stalled and cpu < cutoff:
            continue  # starved in wall time, not a timeout: run it again
        solved = proc.returncode in (10, 20) and cpu <= cutoff
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=150, help="rows: the default plus uniform samples")
    parser.add_argument("--local", type=int, default=0,
                        help="extra rows: neighbours of the 5 best uniform rows (PAR10 over all instances)")
    parser.add_argument("--instances", type=int, default=150)
    parser.add_argument("--sizes", default="175,190,200,215", help="variables per instance, cycled over columns")
    parser.add_argument("--ratio", type=float, default=4.26, help="clauses per variable")
    parser.add_argument("--cutoff", type=float, default=2.0, help="CPU seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
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
    sizes = [int(s) for s in args.sizes.split(",")]
    backstop = args.wall_backstop or max(300.0, 100.0 * args.cutoff)
    if not args.append and (out.exists() or journal_path.exists()):
        raise SystemExit(f"{out} or {journal_path} exists: pass --append to continue it, or remove them")

    space = minisat_space()
    configs = uniform_configs(space, args.configs, args.seed)
    names = [f"u3sat-n{sizes[j % len(sizes)]}-s{args.seed * 100000 + j}.cnf" for j in range(args.instances)]
    header = {"seed": args.seed, "cutoff": args.cutoff, "sizes": sizes, "ratio": args.ratio,
              "instances": args.instances, "space": space_json(space)}
    n_rows = args.configs + args.local
    runtime = np.full((n_rows, len(names)), np.nan, dtype=np.float32)
    solved = np.zeros((n_rows, len(names)), dtype=bool)
    done = np.zeros((n_rows, len(names)), dtype=bool)
    journal = Journal(journal_path, header)
    for i, j, cpu, ok in journal.runs:
        runtime[i, j], solved[i, j], done[i, j] = cpu, ok, True
    if args.append and out.exists():  # complete rows of the matrix so far (possibly built without journal)
        previous = np.load(out)
        k = min(previous["runtime"].shape[0], n_rows)
        expected = [configs[i] if i < args.configs else journal.rows.get(i) for i in range(k)]
        if (json.loads(str(previous["instances"])) != names or float(previous["cutoff"]) != args.cutoff
                or json.loads(str(previous["configs"]))[:k] != expected):
            raise SystemExit("--append needs the instances, cutoff, seed and rows of the existing matrix")
        runtime[:k], solved[:k], done[:k] = previous["runtime"][:k], previous["solved"][:k], True
        if not journal.runs:  # a matrix built before this journal: carry its build time over
            journal.elapsed(float(json.loads(str(previous["meta"])).get("seconds", 0.0)))
            journal.session += "-resumed"
            journal.seconds = float(json.loads(str(previous["meta"])).get("seconds", 0.0))
    seconds_before = journal.seconds
    extra_origin: list[int] = []

    tmp = Path(tempfile.mkdtemp(prefix="acmatrix-"))
    for j, name in enumerate(names):
        (tmp / name).write_text(generate(sizes[j % len(sizes)], args.seed * 100000 + j, args.ratio))

    lock = threading.Lock()
    slots = threading.BoundedSemaphore(4 * args.workers)
    failures: list[BaseException] = []

    def task(i: int, j: int, config: dict) -> None:
        try:
            cpu, ok = run_once(command(config, str(tmp / names[j])), args.cutoff, backstop)
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
        all_configs = configs + local_rows
        finished = np.isfinite(runtime) & done
        meta = {
            "solver": solver_version(),
            "generator": f"uniform random 3-SAT (benchmarks/build_matrix.py:generate), ratio {args.ratio}, "
                         f"sizes {','.join(map(str, sizes))} cycled over columns, instance seed = seed*100000+column",
            "rows": {"default": min(k, 1), "uniform": max(0, min(k, args.configs) - 1),
                     "local": max(0, k - args.configs), "local_parents": extra_origin[:max(0, k - args.configs)]},
            "seed": args.seed, "cutoff": args.cutoff,
            "cpu_kill": f"killed past {CPU_KILL_FACTOR}*cutoff+{CPU_KILL_SLACK} CPU s (/proc schedstat, polled)",
            "runtime": "ru_utime+ru_stime of the minisat process (wait4)", "workers": args.workers,
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
            if i == args.configs:  # all uniform rows complete: choose the local rows from them
                drain()
                if failures or not done[:args.configs].all():
                    break
                par10 = np.where(solved[:args.configs], runtime[:args.configs], 10 * args.cutoff).mean(axis=1)
                local_rows, extra_origin[:] = local_configs(space, configs, par10, args.local, args.seed)
            config = (configs + local_rows)[i]
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
    if failures:
        journal.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise failures[0]
    rows = snapshot()
    journal.close()
    shutil.rmtree(tmp, ignore_errors=True)
    if rows == n_rows:
        journal_path.unlink()
    print(f"wrote {out}: {rows} configurations x {len(names)} instances"
          + ("" if rows == n_rows else f" (stopped; continue with --append, journal {journal_path})"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
