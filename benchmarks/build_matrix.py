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

Measurement: ``algoconf.benchmarking.cpu_run.run_once`` (CPU seconds of the solver process from
``wait4``, read every 20 ms from ``/proc/<pid>/schedstat`` and killed past ``1.05 * cutoff + 0.02``
CPU seconds); an entry counts as solved only if the solver answered within ``cutoff`` CPU seconds.
A wall-clock backstop (``--wall-backstop``, default ``max(300, 100 * cutoff)`` s) only guards against
a hung process: a run it stops before its CPU cutoff was starved, not slow, and is rerun (3 tries,
backstop doubled each time). Rows and columns: ``algoconf.benchmarking.matrix_sources``; the
journal and the ``.npz``: ``algoconf.benchmarking.matrix_journal``.

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
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from algoconf.benchmarking.cpu_run import CPU_KILL_FACTOR, CPU_KILL_SLACK  # noqa: E402
from algoconf.benchmarking.matrix_journal import Journal, save  # noqa: E402
from algoconf.benchmarking.matrix_sources import MinisatSource, ScenarioSource, read_extra_configs  # noqa: E402
from algoconf.benchmarking.matrix_stats import matrix_stats  # noqa: E402
from algoconf.errors import InputError  # noqa: E402


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
    try:
        return build(args, argv)
    except InputError as error:  # a bad scenario, journal or --extra file: one line, exit 2
        print(f"build_matrix: {error}", file=sys.stderr)
        return 2


def build(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Build (or continue) the matrix ``args`` describe; ``argv`` is recorded as the command."""
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

    if args.scenario:
        source = ScenarioSource(args.scenario, seed=args.seed, cutoff=args.cutoff)
    else:
        source = MinisatSource(sizes=[int(x) for x in args.sizes.split(",")], instances=args.instances,
                               seed=args.seed, ratio=args.ratio, cutoff=args.cutoff)
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
