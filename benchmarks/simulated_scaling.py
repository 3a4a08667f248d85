"""Every tuner at 1, 2, 8, 64 and 256 virtual workers, on runtime matrices, on a virtual clock.

Protocol (issue 20, part 5):

* Matrices: the shipped minisat matrices (``benchmarks/data/minisat_3sat_matrix{,_large}.npz``), each
  split in half (``RuntimeMatrix.split(n // 2, seed=0)``: train / test). Runs are answered from the
  matrix (configurations off the matrix by their nearest row) by a
  :class:`~algoconf.execution.virtual.VirtualExecutor` with ``W`` virtual workers.
* Each (matrix, tuner, W, seed) is one engine run until the largest virtual budget of the matrix
  (``--budgets``, virtual seconds) or ``--max-runs`` runs or ``--max-real`` CPU seconds of the
  benchmark's thread, whichever
  comes first. A callback notes the tuner's incumbent after every tell; the *test PAR10 at budget b*
  is the matrix's test PAR10 of the incumbent held at virtual time b (anytime performance of one run;
  the default configuration before the first incumbent). A budget the run did not reach is ``null``.
* The tuner's own time is charged to the virtual clock (``--caller-time charged``, default): the
  real seconds the engine and the tuner spend between executor calls advance the clock, so a slow
  ask/tell leaves virtual workers idle as it would leave real ones. ``--caller-time free`` measures
  the schedule alone (an infinitely fast tuner), exactly reproducible. The engine keeps its results in
  a :class:`~algoconf.history.memory.MemoryHistory` (no per-batch state snapshot: a simulation need
  not resume); ``--history sqlite`` uses the persisted history instead (what ``configure`` does).
* Utilisation = busy worker time / (W × virtual time) over the whole run. With ``--run-cap budget``
  (default) ``--max-runs`` is the engine's run budget: the tuner knows it, and the run ends when the
  last of its runs has finished, so its last (longest) runs drain on otherwise idle workers — at 256
  workers, where 20000 runs take only a few virtual seconds, that drain is a large share of the run.
  ``--run-cap stop`` stops the loop at ``--max-runs`` runs instead, like the CPU cap (runs in flight
  are stopped, not recorded), and the tuner sees no run budget; its rows record ``run_cap: stop`` in
  their protocol.

Every finished (matrix, tuner, W, seed) is appended to the result file at once, with its protocol;
a later invocation with the same protocol skips what is there (``--resume``, default), so a long
benchmark can be continued by another session. The table is printed from the file
(``--table-only``). ``--quick`` is a smoke test (seconds).

    python benchmarks/simulated_scaling.py --quick
    python benchmarks/simulated_scaling.py                       # the full protocol (hours)
    python benchmarks/simulated_scaling.py --tuners random,acband --workers 256 --seeds 5
    python benchmarks/simulated_scaling.py --table-only
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from algoconf.analysis.bootstrap import median_ci  # noqa: E402
from algoconf.benchmarking import read_json, source_commit, update_json  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
MATRICES = (DATA / "minisat_3sat_matrix.npz", DATA / "minisat_3sat_matrix_large.npz")
#: virtual-second budgets per matrix (its runs take ~0.27 s and ~0.02 s on average)
BUDGETS = {"minisat_3sat_matrix": (10.0, 30.0, 100.0, 300.0),
           "minisat_3sat_matrix_large": (1.0, 3.0, 10.0, 30.0)}
TUNERS = ("random", "acband", "smac", "optuna")
WORKERS = (1, 2, 8, 64, 256)
OUT = ROOT / "benchmarks" / "results" / "simulated_scaling.json"
#: optuna and smac run into a file of their own (another session appends random/acband to OUT);
#: AC-Band's rows since its race caps and settling (session 11) and the large matrix's rows too;
#: ``--table-only`` reads them all by default, in this order (a later file's row replaces the same
#: (matrix, tuner, workers, seed, protocol) of an earlier one)
OUT_OPTUNA_SMAC = ROOT / "benchmarks" / "results" / "simulated_scaling_optuna_smac.json"
OUT_ACBAND = ROOT / "benchmarks" / "results" / "simulated_scaling_acband.json"
OUT_LARGE = ROOT / "benchmarks" / "results" / "simulated_scaling_large.json"
SHIPPED = (OUT, OUT_OPTUNA_SMAC, OUT_ACBAND, OUT_LARGE)


class Trajectory:
    """Engine callback: the incumbent's matrix row after each tell, at the virtual time of the tell;
    stops the loop after ``max_real`` CPU seconds of this thread (CPU, so that a loaded machine
    does not cut runs short)."""

    def __init__(self, matrix: Any, executor: Any, max_real: float, stop_at_runs: int | None = None):
        self.matrix, self.executor = matrix, executor
        self.points: list[tuple[float, int]] = []  # (virtual time, row) when the incumbent changed
        self._key: str | None = None
        self._t0 = time.thread_time()
        self.max_real = max_real
        self.stop_at_runs = stop_at_runs
        self.hit_real_limit = False
        self.hit_run_cap = False

    def __call__(self, engine: Any, results: Sequence[Any]) -> bool:
        from algoconf.records import config_key

        inc = engine.tuner.incumbent
        if inc is not None:
            key = config_key(inc)
            if key != self._key:
                self._key = key
                self.points.append((self.executor.now(), self.matrix.row_of(inc)))
        if time.thread_time() - self._t0 > self.max_real:
            self.hit_real_limit = True
            return False
        if self.stop_at_runs is not None and engine.runs >= self.stop_at_runs:
            self.hit_run_cap = True
            return False
        return True

    def row_at(self, t: float, default_row: int) -> int:
        row = default_row
        for when, r in self.points:
            if when > t:
                break
            row = r
        return row


def run_one(path: Path, tuner: str, workers: int, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    from algoconf.benchmarking.matrix_scenario import matrix_scenario
    from algoconf.execution.virtual import VirtualExecutor
    from algoconf.history.memory import MemoryHistory
    from algoconf.space import active_config
    from algoconf.run.session import open_session
    from algoconf.tuners.simulated import RuntimeMatrix

    matrix = RuntimeMatrix.load(path)
    train, test = matrix.split(matrix.shape[1] // 2, seed=0)
    test_par = matrix.par(columns=matrix.columns(test))
    default_row = matrix.row_of(active_config(matrix.space, dict(matrix.space.get_default_configuration())))
    budgets = budgets_of(path, args)
    scenario = matrix_scenario(path, matrix, train=train, test=test, seed=seed, root=ROOT / "benchmarks")
    executor = VirtualExecutor(matrix.answer, workers, instances=matrix.instances, caller_time=args.caller_time)
    # --run-cap budget: the cap is the engine's run budget (the tuner knows it; the run drains its
    # last runs); stop: the cap stops the loop like the CPU cap does (runs in flight are stopped)
    stop_cap = getattr(args, "run_cap", "budget") == "stop"
    trajectory = Trajectory(matrix, executor, args.max_real, args.max_runs if stop_cap else None)
    run_dir = Path(tempfile.mkdtemp(prefix=f"simscale-{tuner}-"))
    history = MemoryHistory() if args.history == "memory" else None
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open_session(scenario, run_dir, tuner, seed=seed, workers=workers, progress=False, executor=executor,
                          runs=None if stop_cap else args.max_runs, wallclock=max(budgets), callbacks=(trajectory,),
                          history=history, guard_min_pairs=None) as session:
            # no incumbent guard: this measures the tuners' own anytime incumbents over the whole budget
            outcome = session.run()
    real = time.perf_counter() - t0
    virtual = executor.now()
    final_row = matrix.row_of(outcome.incumbent) if outcome.incumbent is not None else default_row
    at_budget = {}
    for b in budgets:
        reached = virtual >= b - 1e-9
        at_budget[f"{b:g}"] = float(test_par[trajectory.row_at(b, default_row)]) if reached else None
    return {
        "matrix": path.stem, "tuner": tuner, "workers": workers, "seed": seed,
        "test_par10": at_budget, "final_test_par10": float(test_par[final_row]),
        "virtual_time": virtual, "utilisation": executor.utilisation(), "runs": outcome.runs,
        "stop_reason": "real-time limit" if trajectory.hit_real_limit else
        "run cap (loop stopped)" if trajectory.hit_run_cap else outcome.stop_reason,
        "real_seconds": real, "caller_seconds_charged": executor.charged_seconds,
        "tuner_ms_per_run": 1000 * outcome.tuner_time_per_run,
    }


def budgets_of(path: Path, args: argparse.Namespace) -> tuple[float, ...]:
    if args.budgets:
        return tuple(float(b) for b in args.budgets.split(","))
    return BUDGETS.get(path.stem, (10.0, 30.0, 100.0, 300.0))


def protocol(args: argparse.Namespace) -> dict[str, Any]:
    extra = {"run_cap": "stop"} if getattr(args, "run_cap", "budget") == "stop" else {}  # default: as before
    return {**extra, "caller_time": args.caller_time, "clock": "thread_time", "history": args.history, "max_runs": args.max_runs,
            "max_real": args.max_real, "budgets": args.budgets or "default", "quick": bool(args.quick)}


def load(path: Path) -> dict[str, Any]:
    return read_json(path, _empty)


def _empty() -> dict[str, Any]:
    return {"benchmark": "simulated_scaling", "rows": []}


def append(path: Path, row: dict[str, Any], matrices: dict[str, Any]) -> None:
    """Add one row to the result file (re-read under a lock: several invocations may share it)."""

    def add(data: dict[str, Any]) -> None:
        data.setdefault("matrices", {}).update(matrices)
        data["rows"].append(row)

    update_json(path, add, empty=_empty, lock="simulated_scaling")


def matrix_facts(path: Path) -> dict[str, Any]:
    from algoconf.space import active_config
    from algoconf.tuners.simulated import RuntimeMatrix

    m = RuntimeMatrix.load(path)
    _, test = m.split(m.shape[1] // 2, seed=0)
    par = m.par(columns=m.columns(test))
    default_row = m.row_of(active_config(m.space, dict(m.space.get_default_configuration())))
    runtimes = m.runtime[m.solved]
    return {"file": str(path.relative_to(ROOT)), "shape": list(m.shape), "cutoff": m.cutoff,
            "best_test_par10": float(par.min()), "default_test_par10": float(par[default_row]),
            "median_row_test_par10": float(statistics.median(par)), "mean_solved_runtime": float(runtimes.mean())}


def merged(paths: Sequence[Path]) -> dict[str, Any]:
    """The rows of several result files as one; a (matrix, tuner, W, seed, protocol) in a later file
    replaces the same in an earlier one."""
    out: dict[str, Any] = {"benchmark": "simulated_scaling", "rows": [], "matrices": {}}
    rows: dict[tuple, dict[str, Any]] = {}
    for path in paths:
        data = load(path)
        out["matrices"].update(data.get("matrices", {}))
        for r in selected(data, None):
            rows[(r["matrix"], r["tuner"], r["workers"], r["seed"], json.dumps(r.get("protocol"), sort_keys=True))] = r
    out["rows"] = list(rows.values())
    return out


def selected(data: dict[str, Any], proto: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The rows of one protocol (all without one), the first of each (matrix, tuner, W, seed, protocol)."""
    seen, out = set(), []
    for r in data["rows"]:
        key = (r["matrix"], r["tuner"], r["workers"], r["seed"], json.dumps(r.get("protocol"), sort_keys=True))
        if (proto is None or r.get("protocol") == proto) and key not in seen:
            seen.add(key)
            out.append(r)
    return out


def table(data: dict[str, Any], proto: dict[str, Any] | None = None) -> str:
    """Median test PAR10 per virtual budget, median utilisation and runs, per (matrix, tuner, workers)."""
    rows = selected(data, proto)
    lines = []
    for stem in sorted({r["matrix"] for r in rows}):
        facts = data.get("matrices", {}).get(stem, {})
        mine = [r for r in rows if r["matrix"] == stem]
        budgets = sorted({b for r in mine for b in r["test_par10"]}, key=float)
        lines.append(f"\n{stem}: test PAR10 (median over seeds) at virtual budget; best row "
                     f"{facts.get('best_test_par10', math.nan):.4f}, default {facts.get('default_test_par10', math.nan):.4f}")
        head = f"{'tuner':8s} {'W':>4s} {'seeds':>5s} " + " ".join(f"{b + ' s':>9s}" for b in budgets) + \
            f" {'util':>6s} {'runs':>7s} {'virt s':>7s} {'real s':>7s} {'ms/run':>7s}"
        lines.append(head)
        lines.append("-" * len(head))
        for tuner in TUNERS + tuple(sorted({r["tuner"] for r in mine} - set(TUNERS))):
            for w in sorted({r["workers"] for r in mine if r["tuner"] == tuner}):
                group = [r for r in mine if r["tuner"] == tuner and r["workers"] == w]
                cells = []
                for b in budgets:
                    vals = [r["test_par10"].get(b) for r in group]
                    got = [v for v in vals if v is not None]
                    cells.append(f"{statistics.median(got):9.4f}" if len(got) == len(vals) and got else
                                 f"{'-':>9s}" if not got else f"{statistics.median(got):8.4f}*")
                med = lambda key: statistics.median(r[key] for r in group)  # noqa: E731
                lines.append(f"{tuner:8s} {w:4d} {len(group):5d} " + " ".join(cells) +
                             f" {med('utilisation'):6.1%} {med('runs'):7.0f} {med('virtual_time'):7.1f} "
                             f"{med('real_seconds'):7.1f} {med('tuner_ms_per_run'):7.2f}")
    lines.append("\n'-': budget not reached (run or real-time cap first); '*': reached by some seeds only "
                 "(median of those). util: busy worker time / (W x virtual time) over the whole run.")
    return "\n".join(lines)


def ci_table(data: dict[str, Any], proto: dict[str, Any] | None = None, tuners: Sequence[str] = ("random", "acband")) -> str:
    """Median test PAR10 [bootstrap 95 % CI] per virtual budget, per (matrix, tuner, workers), over
    the seeds that reached the budget."""
    rows = selected(data, proto)
    lines = []
    for stem in sorted({r["matrix"] for r in rows}):
        mine = [r for r in rows if r["matrix"] == stem and r["tuner"] in tuners]
        budgets = sorted({b for r in mine for b in r["test_par10"]}, key=float)
        lines.append(f"\n{stem}: median test PAR10 [bootstrap 95 % CI of the median] (seeds reaching the budget)")
        lines.append(f"{'tuner':8s} {'W':>4s} " + " ".join(f"{b + ' s':>27s}" for b in budgets) + f" {'util':>16s}")
        for tuner in tuners:
            for w in sorted({r["workers"] for r in mine if r["tuner"] == tuner}):
                group = [r for r in mine if r["tuner"] == tuner and r["workers"] == w]
                cells = []
                for b in budgets:
                    got = [r["test_par10"][b] for r in group if r["test_par10"].get(b) is not None]
                    if got:
                        lo, hi = median_ci(got)
                        cells.append(f"{statistics.median(got):.4f} [{lo:.4f},{hi:.4f}] {len(got):2d}")
                    else:
                        cells.append("-")
                util = [r["utilisation"] for r in group]
                lo, hi = median_ci(util)
                lines.append(f"{tuner:8s} {w:4d} " + " ".join(f"{c:>27s}" for c in cells) +
                             f" {statistics.median(util):.3f} [{lo:.3f},{hi:.3f}]")
    return "\n".join(lines)


def goals(data: dict[str, Any], proto: dict[str, Any] | None = None) -> list[str]:
    rows = selected(data, proto)
    out = []
    for stem in sorted({r["matrix"] for r in rows}):
        for tuner in ("random", "acband"):
            group = [r["utilisation"] for r in rows if r["matrix"] == stem and r["tuner"] == tuner and r["workers"] == 256]
            if group:
                u = statistics.median(group)
                out.append(f"{stem}: {tuner} at 256 workers utilisation {u:.1%} (goal >= 95 %): "
                           f"{'met' if u >= 0.95 else 'NOT met'}")
        seq = {t: [r for r in rows if r["matrix"] == stem and r["tuner"] == t and r["workers"] == 1]
               for t in ("random", "acband")}
        if seq["random"] and seq["acband"]:
            for b in sorted({b for r in seq["acband"] for b in r["test_par10"]}, key=float):
                a = [r["test_par10"][b] for r in seq["acband"] if r["test_par10"].get(b) is not None]
                z = [r["test_par10"][b] for r in seq["random"] if r["test_par10"].get(b) is not None]
                if a and z:
                    ma, mz = statistics.median(a), statistics.median(z)
                    out.append(f"{stem}: 1 worker at {b} virtual s: acband {ma:.4f} vs random {mz:.4f} "
                               f"(goal acband <= random): {'met' if ma <= mz + 1e-12 else 'NOT met'}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke test: tiny budgets, 1 seed, 2 tuners")
    ap.add_argument("--matrix", action="append", default=None, help="runtime matrix .npz (repeatable)")
    ap.add_argument("--tuners", default=",".join(TUNERS))
    ap.add_argument("--workers", default=",".join(map(str, WORKERS)))
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--budgets", default=None, help="virtual-second budgets (comma list; default per matrix)")
    ap.add_argument("--max-runs", type=int, default=20000)
    ap.add_argument("--max-real", type=float, default=300.0, help="CPU seconds (this thread) per run at most")
    ap.add_argument("--caller-time", choices=("charged", "free"), default="charged")
    ap.add_argument("--run-cap", choices=("budget", "stop"), default="budget",
                    help="--max-runs as the engine's run budget (the run drains its last runs: idle workers) "
                         "or as a stop like the CPU cap (runs in flight stopped)")
    ap.add_argument("--history", choices=("memory", "sqlite"), default="memory")
    ap.add_argument("--out", default=None, help=f"result file (default {OUT.relative_to(ROOT)})")
    ap.add_argument("--no-resume", dest="resume", action="store_false")
    ap.add_argument("--table-only", action="store_true",
                    help="print the table of the result files (--from, repeatable; default: --out, or "
                         "every shipped file when --out is not given)")
    ap.add_argument("--from", dest="sources", action="append", default=None, metavar="FILE",
                    help="with --table-only: a result file to read (repeatable; later files win)")
    args = ap.parse_args(argv)
    if args.quick:
        args.matrix = args.matrix or [str(MATRICES[1])]
        args.tuners = "random,acband" if args.tuners == ",".join(TUNERS) else args.tuners
        args.workers = "1,64" if args.workers == ",".join(map(str, WORKERS)) else args.workers
        args.seeds = 1
        args.budgets = args.budgets or "0.5,1"
        args.max_runs = min(args.max_runs, 1500)
        args.max_real = min(args.max_real, 30.0)
    if args.table_only:
        sources = args.sources or ([args.out] if args.out else [p for p in SHIPPED if p.is_file()])
        data = merged([Path(p) for p in sources])
        print(table(data))
        print(ci_table(data))
        print("\n".join(goals(data)))
        return 0
    out = Path(args.out or OUT)
    data = load(out)
    proto = protocol(args)
    source_commit()  # the commit the process started at, not a later HEAD
    from algoconf.tuners import get_tuner

    paths = [Path(p).resolve() for p in (args.matrix or MATRICES)]
    data.setdefault("matrices", {})
    for path in paths:
        data["matrices"][path.stem] = matrix_facts(path)
    done = {(r["matrix"], r["tuner"], r["workers"], r["seed"]) for r in data["rows"] if r.get("protocol") == proto}
    tuners = []
    for tuner in args.tuners.split(","):
        try:
            get_tuner(tuner)
            tuners.append(tuner)
        except ImportError as err:
            print(f"skip {tuner}: {err}", file=sys.stderr)
    # seeds outermost: stopped at any moment, every tuner and worker count has about as many seeds
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for path in paths:
            for tuner in tuners:
                for workers in (int(w) for w in args.workers.split(",")):
                    if args.resume and (path.stem, tuner, workers, seed) in done:
                        continue
                    row = run_one(path, tuner, workers, seed, args)
                    row.update(protocol=proto, commit=source_commit(), command=" ".join(sys.argv),
                               loadavg=list(os.getloadavg()))
                    data["rows"].append(row)
                    append(out, row, data["matrices"])  # after every run: a later session continues from here
                    print(f"{path.stem} {tuner:7s} W={workers:<4d} seed {seed:2d}: PAR10 "
                          f"{row['test_par10']} util {row['utilisation']:.1%} runs {row['runs']} "
                          f"virt {row['virtual_time']:.1f}s real {row['real_seconds']:.1f}s ({row['stop_reason']})",
                          file=sys.stderr, flush=True)
    data = load(out)
    print(table(data, proto))
    print(ci_table(data, proto))
    print("\n".join(goals(data, proto)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
