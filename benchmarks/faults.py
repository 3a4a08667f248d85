"""Fault injection: kill ``algoconf configure`` at random points, resume it, count what broke.

For every tuner, a real ``configure`` (``--workers 2``) runs a target script that logs every execution
(start and end, with its instance, seed and configuration), sleeps 50-200 ms and leaves a ``setsid``
child behind. The benchmark kills the process ``--kills`` times (alternating ``kill -9`` and SIGTERM)
after a random number of newly committed runs, resumes it with the same command each time, and
lets the last resume finish. It reports, per tuner:

* ``kills`` / ``survived``: kills sent, and kills after which the history opened and the next resume
  ended normally (exit 0, or stopped by the next kill);
* ``sigterm_exit_ok``: SIGTERMs answered with exit code 143;
* ``runs_lost``: runs committed before some kill and missing afterwards;
* ``budget_shortfall`` and ``stop_reason``: how many runs the final history lacks against the run
  budget, and why the last resume stopped (a tuner may end early: not a lost run, but reported);
* ``repeated_beyond_in_flight``: executions of a run that the history already held when the
  process executing it started (a run in flight at a kill may legitimately run again);
* ``orphans_left``: processes of any of these configure processes (by their run token) still alive
  at the end;
* ``bad_inputs`` / ``bad_inputs_ok``: cases of tests/data/bad_inputs run, and how many gave a
  one-line exit-2 error (algoconf.testing.bad_inputs).

Writes benchmarks/results/faults.json (with the git commit). ``--quick``: one tuner, 3 kills, fewer
bad inputs (a smoke test); it writes only to an ``--out`` given explicitly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from algoconf.benchmarking import source_commit  # noqa: E402

TARGET = """#!/bin/sh
# args: instance seed -x X -y Y
echo "start $$ $*" >> {log}
setsid sh -c 'exec sleep 30' >/dev/null 2>&1 &
sleep 0.$(( ( $(echo "$*" | cksum | cut -d' ' -f1) % 15 ) + 5 ))
echo "end $$ $*" >> {log}
echo "Result of this algorithm run: SUCCESS, 0.1, 0, 0, $2"
"""


def write_scenario(root: Path, runs: int) -> tuple[Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    log = root / "exec.log"
    script = root / "target.sh"
    script.write_text(TARGET.format(log=log))
    script.chmod(0o755)
    for i in range(6):
        (root / f"i{i}.txt").write_text(f"{i}\n")
    (root / "train.txt").write_text("".join(f"i{i}.txt\n" for i in range(6)))
    (root / "space.pcs").write_text("x integer [1, 1000] [500]\ny categorical {a, b, c} [a]\n")
    (root / "scenario.yaml").write_text(
        "name: faults\n"
        f"target:\n  command: \"{script} {{instance}} {{seed}} {{config}}\"\n  syntax: \"-name value\"\n"
        "  output: aclib\n"
        "space: space.pcs\ntrain: train.txt\nobjective: runtime\ncutoff: 5\ntime_kind: wall\n"
        f"budget: {{runs: {runs}}}\nseed: 1\n")
    return root / "scenario.yaml", log


def _key_from_args(args: list[str]) -> tuple:
    instance, seed, rest = Path(args[0]).name, int(args[1]), args[2:]
    config = {rest[i].lstrip("-"): rest[i + 1] for i in range(0, len(rest) - 1, 2)}
    return instance, seed, tuple(sorted(config.items()))


def read_log(log: Path) -> list[tuple[str, int, tuple]]:
    """(event, pid, key) per log line."""
    out = []
    if not log.exists():
        return out
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] in ("start", "end"):
            try:
                out.append((parts[0], int(parts[1]), _key_from_args(parts[2:])))
            except (ValueError, IndexError):
                continue
    return out


def history_keys(run_dir: Path) -> set[tuple]:
    path = run_dir / "history.sqlite"
    if not path.exists():
        return set()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute("SELECT r.instance, r.seed, c.config FROM runs r JOIN configs c "
                            "ON c.config_key = r.config_key").fetchall()
    keys = set()
    for instance, seed, config in rows:
        cfg = json.loads(config)
        keys.add((Path(instance).name, int(seed), tuple(sorted((k, str(v)) for k, v in cfg.items()))))
    return keys


def orphans(pids: set[int]) -> list[int]:
    """Live processes whose run token names one of ``pids`` (the configure processes started)."""
    prefixes = tuple(f"ALGOCONF_RUN_TOKEN={p}.".encode() for p in pids)
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:
                env = fh.read()
            with open(f"/proc/{name}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state != b"Z" and any(p in env for p in prefixes):
            found.append(int(name))
    return found


def run_tuner(tuner: str, kills: int, runs: int, workdir: Path, rng: random.Random) -> dict:
    scenario, log = write_scenario(workdir / f"sc-{tuner}", runs)
    run_dir = workdir / f"run-{tuner}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", tuner, "--workers", "2",
            "--out", str(run_dir), "--no-validate", "--json"]
    pids: set[int] = set()
    sent, survived, sigterm_ok, lost = 0, 0, 0, set()
    committed_before: set[tuple] = set()
    segment_start: list[int] = []  # log length when each process started
    committed_at_start: list[set[tuple]] = []
    final_rc = None
    while True:
        segment_start.append(len(read_log(log)))
        committed_at_start.append(history_keys(run_dir))
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        pids.add(proc.pid)
        if sent >= kills:
            _, err = proc.communicate(timeout=1800)
            final_rc = proc.returncode
            if sent:
                survived += final_rc == 0
            break
        base = len(committed_at_start[-1])
        wait_for = rng.randint(1, 8)
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if len(history_keys(run_dir)) >= base + wait_for:
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.02)
        if proc.poll() is not None:  # finished before the kill: the budget is spent
            final_rc = proc.returncode
            survived += sent > 0 and final_rc == 0
            break
        time.sleep(rng.uniform(0.0, 0.3))  # somewhere between two commits
        sig = signal.SIGKILL if sent % 2 == 0 else signal.SIGTERM
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=300)
        if sent:
            survived += 1  # the previous kill's resume ran until this kill
        sent += 1
        if sig == signal.SIGTERM and proc.returncode == 128 + signal.SIGTERM:
            sigterm_ok += 1
        now = history_keys(run_dir)
        lost |= committed_before - now
        committed_before = now
    final = history_keys(run_dir)
    lost |= committed_before - final
    events = read_log(log)
    repeated, executed = 0, set()
    seg = 0
    for i, (event, _, key) in enumerate(events):
        while seg + 1 < len(segment_start) and i >= segment_start[seg + 1]:
            seg += 1
        if event != "start":
            continue
        if key in committed_at_start[seg]:
            repeated += 1
        executed.add(key)
    time.sleep(0.5)
    left = orphans(pids)
    try:
        stop_reason = json.loads((run_dir / "run.json").read_text())["outcome"].get("stop_reason")
    except (OSError, ValueError, KeyError):
        stop_reason = None
    return {
        "tuner": tuner, "kills": sent, "survived": survived, "sigterm_sent": sent // 2,
        "sigterm_exit_ok": sigterm_ok, "final_exit_code": final_rc, "final_runs": len(final), "budget": runs,
        "runs_lost": len(lost), "budget_shortfall": max(0, runs - len(final)), "stop_reason": stop_reason,
        "executions": sum(1 for e in events if e[0] == "start"), "repeated_beyond_in_flight": repeated,
        "orphans_left": len(left), "last_stderr": (err or "").strip().splitlines()[-1:] if final_rc else [],
    }


def bad_inputs(limit: int | None) -> dict:
    from algoconf.testing.bad_inputs import load_cases, run_case

    corpus = ROOT / "tests" / "data" / "bad_inputs"
    cases = load_cases(corpus)[:limit] if limit else load_cases(corpus)
    failures = []
    ok = 0
    for entry in cases:
        outcome = run_case(corpus, entry)
        ok += outcome.ok
        if not outcome.ok:
            failures.append({"id": outcome.id, "problem": outcome.problem, "lines": list(outcome.lines)[:3]})
    return {"tried": len(cases), "one_line_exit_2": ok, "failures": failures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tuners", default="random,acband,optuna,smac")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--runs", type=int, default=120, help="run budget of each configure")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None,
                        help="result file (default benchmarks/results/faults.json; --quick: none unless given)")
    args = parser.parse_args(argv)
    tuners = ["random"] if args.quick else [t for t in args.tuners.split(",") if t]
    kills = 3 if args.quick else args.kills
    runs = 24 if args.quick else args.runs
    rng = random.Random(args.seed)
    from algoconf.tuners import TUNERS

    rows = []
    with tempfile.TemporaryDirectory(prefix="algoconf-faults-") as tmp:
        for tuner in tuners:
            if tuner not in TUNERS:
                continue
            started = time.monotonic()
            row = run_tuner(tuner, kills, runs, Path(tmp), rng)
            row["seconds"] = round(time.monotonic() - started, 1)
            rows.append(row)
            print(f"{tuner}: {row}", file=sys.stderr, flush=True)
    corpus = bad_inputs(20 if args.quick else None)
    header = (f"{'tuner':8s} {'kills':>5s} {'survived':>8s} {'143':>5s} {'lost':>5s} {'repeated':>8s} {'orphans':>7s} "
              f"{'runs':>9s} {'stop':>16s} {'secs':>6s}")
    print(header)
    for r in rows:
        print(f"{r['tuner']:8s} {r['kills']:5d} {r['survived']:8d} {r['sigterm_exit_ok']:2d}/{r['sigterm_sent']:<2d}"
              f"{r['runs_lost']:5d} {r['repeated_beyond_in_flight']:8d} {r['orphans_left']:7d} "
              f"{r['final_runs']:4d}/{r['budget']:<4d} {str(r['stop_reason']):>16s} {r['seconds']:6.0f}")
    print(f"bad inputs: {corpus['tried']} tried, {corpus['one_line_exit_2']} one-line exit-2 errors")
    for f in corpus["failures"]:
        print(f"  {f['id']}: {f['problem']}")
    result = {"commit": source_commit(), "quick": args.quick, "kills_per_tuner": kills, "runs": runs,
              "seed": args.seed, "tuners": rows, "bad_inputs": corpus}
    out = args.out if args.out is not None or args.quick else ROOT / "benchmarks" / "results" / "faults.json"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
