"""Does a configuration run ever hand back an incumbent worse than the default? (issue 20, part 3)

Runs the README tour's command, ``algoconf configure scenarios/minisat-3sat/scenario.yaml --tuner
acband --budget B --workers 1``, once per seed, through the CLI (``--json``), and checks per run:

* ``worse``: the validated incumbent's test PAR10 is above the default's;
* ``warned``: then the CLI printed its warning (stderr) and ``--json`` said
  ``"incumbent_worse_than_default": true`` — a worse incumbent without the warning is a failure;
* ``ok``: the incumbent is no worse than the default within one timeout's PAR10
  (``incumbent <= default + par_factor * cutoff / n_test``), the issue's goal for every seed;
* ``over``: seconds the engine's wall clock went past the budget (tuning + guard; should be ~0).

Parts: ``tour`` (budget 60, the scenario's seed) and ``seeds`` (budget 120, seeds 1-5). Each run is
appended to the JSON file (``benchmarks/results/incumbent_guard.json``) as soon as it finishes, with
the git commit, so an interrupted benchmark keeps what it measured. ``--quick`` runs a synthetic
scenario for a few runs (a smoke test of the script, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the package of this tree: the one its configure runs use

from algoconf.benchmarking import source_commit, update_json  # noqa: E402
SCENARIO = REPO / "scenarios" / "minisat-3sat" / "scenario.yaml"
RESULTS = REPO / "benchmarks" / "results" / "incumbent_guard.json"


def configure(scenario: Path, out: Path, seed: int, *, budget: float | None, runs: int | None,
              tuner: str, workers: int) -> dict[str, Any]:
    """One ``algoconf configure ... --json`` in a child process; its JSON plus what was checked."""
    cmd = [sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", tuner, "--workers", str(workers),
           "--seed", str(seed), "--out", str(out), "--json", "--no-progress"]
    if budget is not None:
        cmd += ["--budget", f"{budget:g}"]
    if runs is not None:
        cmd += ["--runs", str(runs)]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    v = data["validation"] or {}
    n_test = (v.get("default") or {}).get("n") or 0
    cutoff = _cutoff(scenario)
    d, i = data["default_test_par10"], data["incumbent_test_par10"]
    worse = i is not None and d is not None and i > d
    guard = data.get("guard") or {}
    row = {
        "command": " ".join(["algoconf"] + cmd[3:]),
        "seed": seed, "budget": budget, "runs_budget": runs,
        "guard_verdict": guard.get("verdict"), "guard_reason": guard.get("reason"),
        "guard_pairs": guard.get("pairs"), "guard_runs": guard.get("new_runs"),
        "guard_candidate_cost": guard.get("candidate_cost"), "guard_default_cost": guard.get("default_cost"),
        "candidate_key": guard.get("candidate_key"), "incumbent_key": data["incumbent_key"],
        "default_test_par10": d, "incumbent_test_par10": i, "n_test": n_test,
        "worse": worse, "json_flag": data.get("incumbent_worse_than_default"),
        "warned": "WORSE than the default" in proc.stderr,
        "ok": bool(d is not None and i is not None and n_test and i <= d + 10.0 * cutoff / n_test),
        "runs": data["runs"], "engine_wallclock": data["wallclock"], "cpu_time": data["cpu_time"],
        "over": (data["wallclock"] - budget) if budget is not None else None,
        "process_seconds": seconds, "stop_reason": data["stop_reason"],
    }
    row["warning_ok"] = (not worse) or (row["warned"] and row["json_flag"] is True)
    return row


def _cutoff(scenario: Path) -> float:
    import yaml

    return float(yaml.safe_load(scenario.read_text())["cutoff"])


def save(path: Path, row: dict[str, Any]) -> None:
    """Append ``row`` (replacing one with the same commit, part and seed) and write the file now."""
    same = ("commit", "part", "seed", "budget")

    def replace(data: dict[str, Any]) -> None:
        data["runs"] = [r for r in data["runs"] if any(r.get(k) != row.get(k) for k in same)] + [row]

    update_json(path, replace, empty=lambda: {"benchmark": "incumbent_guard", "runs": []}, lock="incumbent_guard",
                default=str)


def table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'part':6s} {'seed':>4s} {'budget':>6s} {'guard':>14s} {'pairs':>5s} {'default':>8s} "
            f"{'incumb.':>8s} {'worse':>5s} {'warned':>6s} {'ok':>3s} {'runs':>5s} {'over s':>7s}")
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['part']:6s} {r['seed']:>4d} {str(r['budget'] or r['runs_budget']):>6s} {str(r['guard_verdict']):>14s} "
            f"{str(r['guard_pairs']):>5s} {r['default_test_par10']:>8.3f} {r['incumbent_test_par10']:>8.3f} "
            f"{str(r['worse']):>5s} {str(r['warned']):>6s} {'yes' if r['ok'] else 'NO':>3s} {r['runs']:>5d} "
            f"{(r['over'] if r['over'] is not None else 0.0):>7.2f}")
    ok = sum(r["ok"] for r in rows)
    lines.append(f"{ok}/{len(rows)} runs no worse than the default within one timeout's PAR10; "
                 f"{sum(not r['warning_ok'] for r in rows)} worse without the warning")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="tour,seeds", help="tour (budget 60) and/or seeds (budget 120, 5 seeds)")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--budget", type=float, default=120.0)
    ap.add_argument("--tour-budget", type=float, default=60.0)
    ap.add_argument("--tuner", default="acband")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--work", default=None, help="folder for the run directories (default: a temporary one)")
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--quick", action="store_true", help="synthetic scenario, run budgets: a smoke test only")
    args = ap.parse_args(argv)

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="algoconf-incumbent-guard-"))
    scenario, budget, tour_budget, runs = SCENARIO, args.budget, args.tour_budget, None
    if args.quick:
        from algoconf.testing.tuners import synthetic_scenario

        synthetic_scenario(work / "synthetic", runs=None, n_train=6, n_test=4)
        scenario, budget, tour_budget, runs = work / "synthetic" / "scenario.yaml", None, None, 30
    commit = source_commit()
    plan: list[tuple[str, int, float | None]] = []
    parts = args.parts.split(",")
    if "tour" in parts:
        plan.append(("tour", 1, tour_budget))
    if "seeds" in parts:
        plan += [("seeds", int(s), budget) for s in args.seeds.split(",")]
    rows = []
    for part, seed, b in plan:
        row = configure(scenario, work / f"{part}-s{seed}", seed, budget=b, runs=runs, tuner=args.tuner,
                        workers=args.workers)
        row.update(part=part, commit=commit, quick=args.quick, tuner=args.tuner, workers=args.workers,
                   finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        rows.append(row)
        save(Path(args.out), row)
        print(f"{part} seed {seed}: guard {row['guard_verdict']}, test PAR10 default {row['default_test_par10']:.3f} "
              f"incumbent {row['incumbent_test_par10']:.3f}", flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
